// recoup: the recovery flow for one verified webhook (SPEC.md §4), generic over the connector and
// the store. recover() verifies, normalizes (performing sync requests through the caller's
// client, before any transaction), then applies the webhook in ONE transaction and commits.
// apply_webhook() is the transactional half alone, for hosts that group several webhooks into
// one database transaction.
#pragma once

#include <recoup/action_table.hpp>
#include <recoup/clock.hpp>
#include <recoup/connector.hpp>
#include <recoup/crypto.hpp>
#include <recoup/detail/config.hpp>
#include <recoup/json.hpp>
#include <recoup/retry.hpp>
#include <recoup/store.hpp>

#include <cstdint>
#include <optional>
#include <string>

RECOUP_BEGIN_NAMESPACE

inline constexpr std::string_view execute_workflow_task = "EXECUTE_WORKFLOW";
inline constexpr std::string_view passive_recovery_runner = "PASSIVE_RECOVERY_WORKFLOW";
inline constexpr int max_sync_rounds = 4;

// The MCA and its profile's recovery settings, as the flow needs them.
struct recovery_account {
    std::string profile_id;
    std::string mca_id;
    mca_config config;
    std::int32_t retry_threshold = 0;  // failures the platform's own dunning handles first
    std::int32_t max_retry_count = 15; // our retries, at most
    retry_schedule schedule;
    retry_algorithm algorithm = retry_algorithm::cascading;
    bool keep_raw_body = true;         // keep the body in the event log for replay
};

// What happened, and what to answer the platform.
struct recovery_result {
    int http_status = 200;
    std::string body = "{}";
    incoming_webhook_event event_type = incoming_webhook_event::event_not_supported;
    recovery_action action = recovery_action::invalid_action;
    std::optional<std::string> event_id;
    std::string outcome;
    std::optional<std::string> payment_id;
    bool duplicate = false;
};

// "PASSIVE_RECOVERY_WORKFLOW_EXECUTE_WORKFLOW_{payment_id}": one task per intent, ever.
std::string execute_workflow_task_id(std::string_view payment_id);

// Applies a normalized webhook inside `tx` (no commit). Storage errors propagate as exceptions.
template <recovery_transaction Tx>
recovery_result apply_webhook(Tx& tx, const normalized_webhook& w, const recovery_account& account,
                              std::string_view raw_body, std::int64_t now);

// The whole flow. `sync` performs a connector's outbound request:
// result<http_response>(const outbound_request&); a transport failure is a failure.
template <recovery_store S, billing_connector C, class SyncClient, class Clock>
result<recovery_result> recover(S& store, const C& connector, const webhook_request& req,
                                const recovery_account& account, SyncClient&& sync, const Clock& clock);

// SPEC.md §1: the HTTP status for a failure (401 verification, 400 input, 503 storage or sync,
// 404 not found, 500 a plugin's fault) and the error body {"error":{"type","code","message"}}.
int status_for(const failure& f) noexcept;
api_response error_response(const failure& f);

RECOUP_END_NAMESPACE

#include <recoup/impl/flow.hpp>
