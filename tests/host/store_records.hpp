// Test records for the SOCI store suite (store.cpp, store_accounts.cpp, store_connection.cpp):
// an intent, an attempt, a task and an event with the fields the store's columns need.
#pragma once

#include "store/soci_store.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <string>

namespace store_test {

inline recoup::intent_record make_intent(const std::string& id, const std::string& reference)
{
    recoup::intent_record i;
    i.id = id;
    i.profile_id = "prof_1";
    i.merchant_reference_id = reference;
    i.billing_mca_id = "mca_cb";
    i.amount = 1095;
    i.currency = *recoup::find_currency("USD");
    i.created_at = i.modified_at = 1000;
    return i;
}

inline recoup::attempt_record make_attempt(const std::string& id, const std::string& payment_id, const std::string& txn)
{
    recoup::attempt_record a;
    a.id = id;
    a.payment_id = payment_id;
    a.status = recoup::attempt_status::failure;
    a.amount = 1095;
    a.currency = *recoup::find_currency("USD");
    a.connector_payment_id = txn;
    a.error_code = "card_declined";
    a.feature_metadata = R"({"revenue_recovery":{"attempt_triggered_by":"external"}})";
    a.created_at = a.modified_at = 1001;
    return a;
}

inline recoup::task_record make_task(const std::string& payment_id, std::int64_t at)
{
    recoup::task_record t;
    t.id = "PASSIVE_RECOVERY_WORKFLOW_EXECUTE_WORKFLOW_" + payment_id;
    t.name = "EXECUTE_WORKFLOW";
    t.runner = "PASSIVE_RECOVERY_WORKFLOW";
    t.schedule_time = at;
    t.tracking_data = R"({"payment_id":")" + payment_id + R"("})";
    t.payment_id = payment_id;
    t.created_at = t.updated_at = 1002;
    return t;
}

inline recoup::event_record make_event(const std::string& id, std::int64_t received_at)
{
    recoup::event_record e;
    e.id = id;
    e.profile_id = "prof_1";
    e.merchant_connector_id = "mca_cb";
    e.connector_event_id = "ev_" + id;
    e.dedup_key = "ev_" + id;
    e.event_type = "RecoveryPaymentFailure";
    e.action = "ScheduleFailedPayment";
    e.outcome = "applied";
    e.payment_id = "pay_1";
    e.body_digest = std::string(64, 'a');
    e.body = R"({"id":"ev_)" + id + R"("})";
    e.received_at = received_at;
    return e;
}

// Parses a JSON text, so comparisons ignore PostgreSQL's JSONB re-formatting.
inline boost::json::value js(const std::string& text) { return boost::json::parse(text); }

} // namespace store_test
