#include <recoup/flow.hpp>

#include <recoup/memory_store.hpp>

#define BOOST_TEST_MODULE flow
#include <boost/test/unit_test.hpp>

#include <stdexcept>

using namespace recoup;

namespace {

// A minimal connector: {"id":..,"type":"fail|success|pending|cancel|other","invoice":..,"txn":..}.
struct toy_connector {
    struct webhook {
        std::optional<std::string> id;
        std::string type, invoice, txn;
        std::int64_t amount = 1000;
        bool needs_sync = false;
        bool synced = false;
    };
    result<void> verify_source(const webhook_request& r, const mca_config& m, time_point) const
    {
        auto sig = r.header("x-sig");
        if (!sig) return fail(error::missing_signature, "x-sig");
        for (const auto& s : m.secrets)
            if (*sig == s) return {};
        return fail(error::signature_mismatch, "x-sig");
    }
    result<webhook> parse(const webhook_request& r, const mca_config&, std::span<const sync_exchange> sync) const
    {
        std::error_code ec;
        auto v = boost::json::parse(r.body);
        const auto& o = v.as_object();
        webhook w;
        if (auto* id = o.if_contains("id")) w.id = std::string(id->as_string());
        w.type = std::string(o.at("type").as_string());
        if (auto* i = o.if_contains("invoice")) w.invoice = std::string(i->as_string());
        if (auto* t = o.if_contains("txn")) w.txn = std::string(t->as_string());
        if (auto* a = o.if_contains("amount")) w.amount = a->as_int64();
        w.needs_sync = o.contains("sync");
        for (const auto& x : sync)
            if (x.request.path == "/sync/" + w.txn && x.response.status == 200) w.synced = true;
        return w;
    }
    incoming_webhook_event event_type(const webhook& w) const
    {
        if (w.type == "fail") return incoming_webhook_event::recovery_payment_failure;
        if (w.type == "success") return incoming_webhook_event::recovery_payment_success;
        if (w.type == "pending") return incoming_webhook_event::recovery_payment_pending;
        if (w.type == "cancel") return incoming_webhook_event::recovery_invoice_cancel;
        return incoming_webhook_event::event_not_supported;
    }
    std::optional<std::string> event_id(const webhook& w) const { return w.id; }
    result<std::string> object_reference_id(const webhook& w) const { return w.invoice; }
    result<recovery_invoice> invoice_details(const webhook& w) const
    {
        recovery_invoice i;
        i.merchant_reference_id = merchant_reference_id::make(w.invoice).value();
        i.amount = w.amount;
        i.currency = *find_currency("USD");
        return i;
    }
    result<recovery_attempt> attempt_details(const webhook& w) const
    {
        recovery_attempt a;
        a.amount = w.amount;
        a.currency = *find_currency("USD");
        a.merchant_reference_id = merchant_reference_id::make(w.invoice).value();
        a.connector_transaction_id = w.txn;
        a.status = w.type == "success" ? attempt_status::charged
                 : w.type == "pending" ? attempt_status::pending
                                       : attempt_status::failure;
        if (a.status == attempt_status::failure) a.error_code = "card_declined";
        return a;
    }
    std::vector<outbound_request> sync_requests(const webhook& w, const mca_config&) const
    {
        if (!w.needs_sync || w.synced) return {};
        return {outbound_request{"GET", "/sync/" + w.txn, {}, {}}};
    }
};
static_assert(has_sync_requests<toy_connector>);

struct no_sync {
    result<http_response> operator()(const outbound_request& r) const
    {
        return fail(error::sync_response_failed, r.path, "no sync expected");
    }
};

struct fixture {
    memory_store store;
    toy_connector connector;
    std::vector<std::string> secrets{"s3cret"};
    recovery_account account;
    fixed_clock clock{from_unix_seconds(1'700'000'000)};

    fixture()
    {
        account.profile_id = "pro_1";
        account.mca_id = "mca_1";
        account.config.secrets = secrets;
    }

    template <class Sync = no_sync>
    result<recovery_result> deliver(const std::string& body, Sync sync = {}, std::string sig = "s3cret")
    {
        owned_request req;
        req.headers = {{"X-Sig", sig}};
        req.body = body;
        return recover(store, connector, req.view(), account, sync, clock);
    }
    intent_record intent(const std::string& ref) const
    {
        auto s = store.snapshot();
        return s.intents.at(s.by_reference.at({"pro_1", ref}));
    }
};

const std::string fail1 = R"({"id":"ev_1","type":"fail","invoice":"inv_1","txn":"t1"})";
const std::string fail2 = R"({"id":"ev_2","type":"fail","invoice":"inv_1","txn":"t2"})";
const std::string fail3 = R"({"id":"ev_3","type":"fail","invoice":"inv_1","txn":"t3"})";
const std::string success1 = R"({"id":"ev_s","type":"success","invoice":"inv_1","txn":"t9","amount":0})";
const std::string cancel1 = R"({"id":"ev_c","type":"cancel","invoice":"inv_1"})";

} // namespace

BOOST_FIXTURE_TEST_CASE(failure_creates_intent_attempt_and_arms_one_task, fixture)
{
    auto r = deliver(fail1);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->http_status == 200);
    BOOST_TEST(r->body == "{}");
    BOOST_TEST((r->action == recovery_action::schedule_failed_payment));
    BOOST_TEST(outcome_text(*r) == "task armed");

    const auto s = store.snapshot();
    BOOST_TEST(s.intents.size() == 1u);
    const auto& intent = s.intents.begin()->second;
    BOOST_TEST((intent.status == intent_status::failed));
    BOOST_TEST(intent.total_retry_count == 1);
    BOOST_TEST(intent.amount == 1000);
    BOOST_TEST(s.attempts.size() == 1u);
    const auto& attempt = s.attempts.begin()->second;
    BOOST_TEST(attempt.connector_payment_id == "t1");
    BOOST_TEST((attempt.triggered_by == triggered_by::external));
    BOOST_TEST(attempt.feature_metadata == R"({"revenue_recovery":{"attempt_triggered_by":"external"}})");
    BOOST_TEST_REQUIRE(s.tasks.size() == 1u);
    const auto& task = s.tasks.begin()->second;
    BOOST_TEST(task.id == "PASSIVE_RECOVERY_WORKFLOW_EXECUTE_WORKFLOW_" + intent.id);
    BOOST_TEST(task.name == "EXECUTE_WORKFLOW");
    BOOST_TEST(task.runner == "PASSIVE_RECOVERY_WORKFLOW");
    BOOST_TEST(task.retry_count == 0);
    BOOST_TEST(task.schedule_time == 1'700'000'000 + 60);
    BOOST_TEST(s.events.size() == 1u);
    BOOST_TEST(s.events[0].action == "ScheduleFailedPayment");
    BOOST_TEST(s.events[0].dedup_key == "ev_1");
    BOOST_TEST(s.events[0].body.value() == fail1);
}

BOOST_FIXTURE_TEST_CASE(the_same_event_twice_has_one_effect_and_two_log_rows, fixture)
{
    BOOST_TEST_REQUIRE(deliver(fail1).has_value());
    auto again = deliver(fail1);
    BOOST_TEST_REQUIRE(again.has_value());
    BOOST_TEST(again->duplicate);
    BOOST_TEST(again->http_status == 200);
    const auto s = store.snapshot();
    BOOST_TEST(intent("inv_1").total_retry_count == 1);
    BOOST_TEST(s.attempts.size() == 1u);
    BOOST_TEST(s.events.size() == 2u);
    BOOST_TEST(s.events[1].outcome == "duplicate");
}

BOOST_FIXTURE_TEST_CASE(without_event_id_the_body_digest_dedups, fixture)
{
    const std::string body = R"({"type":"fail","invoice":"inv_1","txn":"t1"})";
    BOOST_TEST_REQUIRE(deliver(body).has_value());
    BOOST_TEST(deliver(body)->duplicate);
    BOOST_TEST(store.snapshot().events[0].dedup_key.rfind("sha256:", 0) == 0u);
}

BOOST_FIXTURE_TEST_CASE(an_armed_task_keeps_its_schedule, fixture)
{
    BOOST_TEST_REQUIRE(deliver(fail1).has_value());
    clock.at += std::chrono::hours(1);
    auto r = deliver(fail2);
    BOOST_TEST(outcome_text(*r) == "task already armed");
    const auto s = store.snapshot();
    BOOST_TEST(s.tasks.size() == 1u);
    BOOST_TEST(s.tasks.begin()->second.schedule_time == 1'700'000'000 + 60);
    BOOST_TEST(intent("inv_1").total_retry_count == 2);
}

BOOST_FIXTURE_TEST_CASE(the_threshold_lets_the_platform_dunning_run_first, fixture)
{
    account.retry_threshold = 2;
    BOOST_TEST(outcome_text(*deliver(fail1)) == "below retry threshold");
    BOOST_TEST(outcome_text(*deliver(fail2)) == "below retry threshold");
    BOOST_TEST(store.snapshot().tasks.empty());
    BOOST_TEST(outcome_text(*deliver(fail3)) == "task armed");
    BOOST_TEST(store.snapshot().tasks.size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(success_finishes_the_task_and_a_late_failure_cannot_reopen, fixture)
{
    BOOST_TEST_REQUIRE(deliver(fail1).has_value());
    auto ok = deliver(success1);
    BOOST_TEST((ok->action == recovery_action::success_payment_external));
    BOOST_TEST((intent("inv_1").status == intent_status::succeeded));
    BOOST_TEST(store.snapshot().tasks.begin()->second.status == "finish");
    BOOST_TEST(store.snapshot().tasks.begin()->second.business_status == "COMPLETED_BY_EXTERNAL_PAYMENT");

    auto late = deliver(fail2);
    BOOST_TEST_REQUIRE(late.has_value());
    BOOST_TEST(late->http_status == 200);
    BOOST_TEST((late->action == recovery_action::schedule_failed_payment)); // logged as decided
    BOOST_TEST(outcome_text(*late) == "conflict: intent is succeeded");
    BOOST_TEST((intent("inv_1").status == intent_status::succeeded));
    BOOST_TEST(store.snapshot().attempts.size() == 3u); // the late attempt is still recorded
}

BOOST_FIXTURE_TEST_CASE(cancel_then_failure_stays_cancelled, fixture)
{
    BOOST_TEST_REQUIRE(deliver(fail1).has_value());
    BOOST_TEST((deliver(cancel1)->action == recovery_action::cancel_invoice));
    BOOST_TEST(store.snapshot().tasks.begin()->second.business_status == "INVOICE_CANCELLED");
    BOOST_TEST(outcome_text(*deliver(fail2)) == "conflict: intent is cancelled");
    BOOST_TEST((intent("inv_1").status == intent_status::cancelled));
    // And a success after a cancel does not turn it into succeeded either.
    BOOST_TEST(outcome_text(*deliver(success1)) == "conflict: intent is cancelled");
}

BOOST_FIXTURE_TEST_CASE(cancel_as_first_event_creates_a_cancelled_intent, fixture)
{
    auto r = deliver(cancel1);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST((intent("inv_1").status == intent_status::cancelled));
    BOOST_TEST(store.snapshot().attempts.empty());
}

BOOST_FIXTURE_TEST_CASE(pending_moves_to_processing_and_keeps_the_task, fixture)
{
    BOOST_TEST_REQUIRE(deliver(fail1).has_value());
    auto r = deliver(R"({"id":"ev_p","type":"pending","invoice":"inv_1","txn":"t5"})");
    BOOST_TEST((r->action == recovery_action::pending_payment));
    BOOST_TEST((intent("inv_1").status == intent_status::processing));
    BOOST_TEST(store.snapshot().tasks.begin()->second.is_open());
}

BOOST_FIXTURE_TEST_CASE(a_report_of_our_own_internal_attempt_is_no_action, fixture)
{
    BOOST_TEST_REQUIRE(deliver(fail1).has_value());
    const auto payment_id = intent("inv_1").id;
    {
        auto tx = store.begin(); // holds the store until committed: no snapshot() inside
        attempt_record a;
        a.id = "att_internal";
        a.payment_id = payment_id;
        a.connector_payment_id = "t_internal";
        a.triggered_by = triggered_by::internal;
        tx.insert_attempt(a);
        tx.commit();
    }
    auto r = deliver(R"({"id":"ev_i","type":"fail","invoice":"inv_1","txn":"t_internal"})");
    BOOST_TEST((r->action == recovery_action::no_action));
    BOOST_TEST(intent("inv_1").total_retry_count == 1);
    auto s = deliver(R"({"id":"ev_i2","type":"success","invoice":"inv_1","txn":"t_internal"})");
    BOOST_TEST((s->action == recovery_action::no_action));
}

BOOST_FIXTURE_TEST_CASE(unsupported_events_are_acknowledged_and_logged, fixture)
{
    auto r = deliver(R"({"id":"ev_x","type":"other"})");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->http_status == 200);
    BOOST_TEST((r->action == recovery_action::invalid_action));
    const auto s = store.snapshot();
    BOOST_TEST(s.intents.empty());
    BOOST_TEST(s.events.size() == 1u);
    BOOST_TEST(s.events[0].outcome == "ignored");
}

BOOST_FIXTURE_TEST_CASE(a_bad_signature_writes_nothing_and_maps_to_401, fixture)
{
    auto r = deliver(fail1, no_sync{}, "wrong");
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST(status_for(r.error()) == 401);
    auto body = error_response(r.error());
    BOOST_TEST(body.status == 401);
    BOOST_TEST(body.body.find(R"("code":"WE_01")") != std::string::npos);
    BOOST_TEST(store.snapshot().events.empty());
}

BOOST_FIXTURE_TEST_CASE(sync_happens_before_the_transaction_and_a_failed_sync_writes_nothing, fixture)
{
    const std::string body = R"({"id":"ev_s1","type":"fail","invoice":"inv_2","txn":"t7","sync":true})";
    auto failed = deliver(body, no_sync{});
    BOOST_TEST_REQUIRE(failed.has_error());
    BOOST_TEST(status_for(failed.error()) == 503);
    BOOST_TEST(store.snapshot().events.empty());

    int calls = 0;
    auto ok = deliver(body, [&](const outbound_request& r) -> result<http_response> {
        ++calls;
        BOOST_TEST(r.path == "/sync/t7");
        return http_response{200, {}, "{}"};
    });
    BOOST_TEST_REQUIRE(ok.has_value());
    BOOST_TEST(calls == 1);
    BOOST_TEST(store.snapshot().intents.size() == 1u);
}

namespace {
struct broken_store {
    memory_store::transaction begin() { throw storage_error("connection refused"); }
};

// fail1, verified, into a store that fails.
template <class Store>
result<recovery_result> deliver_to(Store& store)
{
    toy_connector connector;
    std::vector<std::string> secrets{"s"};
    recovery_account account;
    account.config.secrets = secrets;
    owned_request req;
    req.headers = {{"x-sig", "s"}};
    req.body = fail1;
    return recover(store, connector, req.view(), account, no_sync{}, fixed_clock{});
}

result<recovery_result> deliver_failing(std::exception_ptr fault)
{
    memory_store store;
    store.fail_next_begin(std::move(fault));
    return deliver_to(store);
}
} // namespace

BOOST_AUTO_TEST_CASE(storage_failure_is_503_with_retry_semantics)
{
    broken_store store;
    auto r = deliver_to(store);
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().code == error::storage_unavailable));
    const auto resp = error_response(r.error());
    BOOST_TEST(resp.status == 503);
    BOOST_TEST(resp.body.find(R"("type":"api")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_storage_error_is_503_storage_unavailable)
{
    const auto r = deliver_failing(std::make_exception_ptr(storage_error("deadlock detected")));
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().code == error::storage_unavailable));
    const auto resp = error_response(r.error());
    BOOST_TEST(resp.status == 503);
    BOOST_TEST(resp.body.find(R"("code":"HE_03")") != std::string::npos);
    // The database's own words are for the log, never for the platform.
    BOOST_TEST(resp.body.find("deadlock") == std::string::npos);
    BOOST_TEST(resp.body.find(R"("message":"storage unavailable, retry later")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(any_other_exception_is_500_internal_fault)
{
    const auto r = deliver_failing(std::make_exception_ptr(std::runtime_error("corrupt row")));
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().code == error::internal_fault));
    BOOST_TEST(status_for(r.error()) == 500);
    const auto resp = error_response(r.error());
    BOOST_TEST(resp.status == 500);
    BOOST_TEST(resp.body == R"({"error":{"type":"api","code":"HE_00","message":"internal error"}})");
}

BOOST_AUTO_TEST_CASE(outcome_text_spells_each_outcome_with_its_detail)
{
    recovery_result r;
    r.outcome = webhook_outcome::conflict;
    r.conflicting_status = intent_status::cancelled;
    BOOST_TEST(outcome_text(r) == "conflict: intent is cancelled");
    r = {};
    r.outcome = webhook_outcome::task_finished_earlier;
    r.earlier_business_status = "RETRIES_EXHAUSTED";
    BOOST_TEST(outcome_text(r) == "task finished earlier: RETRIES_EXHAUSTED");
    r = {};
    r.outcome = webhook_outcome::retries_disabled;
    BOOST_TEST(outcome_text(r) == "retries disabled");
    static_assert(names_are_dense<webhook_outcome>(13));
}

BOOST_AUTO_TEST_CASE(error_bodies_name_the_field)
{
    const auto resp = error_response(fail(error::missing_field, "content.transaction.amount"));
    BOOST_TEST(resp.status == 400);
    BOOST_TEST(resp.body ==
               R"({"error":{"type":"invalid_request","code":"WE_02","message":"field \"content.transaction.amount\": missing field"}})");
    BOOST_TEST(status_for(fail(error::not_found)) == 404);
    BOOST_TEST(status_for(fail(error::plugin_exception)) == 500);
}

BOOST_FIXTURE_TEST_CASE(monitoring_records_but_never_arms, fixture)
{
    account.algorithm = retry_algorithm::monitoring;
    auto r = deliver(fail1);
    BOOST_TEST((r->action == recovery_action::schedule_failed_payment));
    BOOST_TEST(outcome_text(*r) == "monitoring: task not armed");
    BOOST_TEST(store.snapshot().tasks.empty());
    BOOST_TEST(intent("inv_1").total_retry_count == 1);
}
