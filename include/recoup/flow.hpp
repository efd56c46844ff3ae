// recoup: the recovery flow for one verified webhook (docs/behaviour.md §4), generic over the connector and
// the store. recover() verifies, normalizes (performing sync requests through the caller's
// client, before any transaction), then applies the webhook in ONE transaction and commits.
// apply_webhook() is the transactional half alone, for hosts that group several webhooks into
// one database transaction.
#pragma once

#include <recoup/action_table.hpp>
#include <recoup/api_error.hpp>
#include <recoup/clock.hpp>
#include <recoup/connector.hpp>
#include <recoup/credential.hpp>
#include <recoup/crypto.hpp>
#include <recoup/detail/config.hpp>
#include <recoup/json.hpp>
#include <recoup/merchant_event.hpp>
#include <recoup/retry.hpp>
#include <recoup/storable.hpp>
#include <recoup/store.hpp>
#include <recoup/task.hpp>

#include <cstdint>
#include <optional>
#include <string>

RECOUP_BEGIN_NAMESPACE

inline constexpr int max_sync_rounds = 4;

// The MCA and its profile's recovery settings, as the flow needs them.
struct recovery_account {
    std::string profile_id;
    std::string mca_id;
    mca_config config;
    std::int32_t retry_threshold = 0;  // failures the platform's own dunning handles first
    std::int32_t max_retry_count = default_max_retry_count; // our retries, at most
    retry_schedule schedule;
    retry_algorithm algorithm = retry_algorithm::cascading;
    bool keep_raw_body = true;         // keep the body in the event log for replay
};

// What applying a webhook did. The names are the event log's text; outcome_text() adds the detail.
enum class webhook_outcome {
    duplicate, ignored, conflict, recorded, below_retry_threshold, task_armed, task_already_armed,
    task_finished_earlier, retries_disabled, monitoring_only, intent_succeeded, intent_cancelled,
    intent_processing,
};

template <>
struct enum_names<webhook_outcome> {
    static constexpr std::array<std::pair<webhook_outcome, std::string_view>, 13> values{{
        {webhook_outcome::duplicate, "duplicate"},
        {webhook_outcome::ignored, "ignored"},
        {webhook_outcome::conflict, "conflict"},
        {webhook_outcome::recorded, "recorded"},
        {webhook_outcome::below_retry_threshold, "below retry threshold"},
        {webhook_outcome::task_armed, "task armed"},
        {webhook_outcome::task_already_armed, "task already armed"},
        {webhook_outcome::task_finished_earlier, "task finished earlier"},
        {webhook_outcome::retries_disabled, "retries disabled"},
        {webhook_outcome::monitoring_only, "monitoring: task not armed"},
        {webhook_outcome::intent_succeeded, "intent succeeded"},
        {webhook_outcome::intent_cancelled, "intent cancelled"},
        {webhook_outcome::intent_processing, "intent processing"},
    }};
};

// What happened, and what to answer the platform.
struct recovery_result {
    int http_status = 200;
    std::string body = "{}";
    incoming_webhook_event event_type = incoming_webhook_event::event_not_supported;
    recovery_action action = recovery_action::invalid_action;
    std::optional<std::string> event_id;
    webhook_outcome outcome = webhook_outcome::recorded;
    std::optional<intent_status> conflicting_status; // conflict: the status the intent already had
    std::string earlier_business_status;             // task_finished_earlier: how that task ended
    std::optional<std::string> payment_id;
    bool duplicate = false;
    bool stale = false; // older than the intent's last applied event: its amount and status kept
    std::optional<std::int64_t> next_retry_at; // task_armed: when the first retry is due (unix seconds)
};

// The outcome as the event log and the log line spell it: "task armed", "conflict: intent is
// succeeded", "task finished earlier: EXECUTE_WORKFLOW_COMPLETE", ...
std::string outcome_text(const recovery_result& r);

// Applies a normalized webhook inside `tx` (no commit). When the transaction takes merchant events
// (merchant_event.hpp), it emits recovery.started and recovery.retry_scheduled when a task is armed,
// recovery.succeeded / recovery.cancelled when the intent becomes so. Storage errors propagate as exceptions.
// `w` must have passed check_storable() (recover() checks it before any store call). An empty
// event id counts as none: the dedup key is then the body's SHA-256.
template <recovery_transaction Tx>
recovery_result apply_webhook(Tx& tx, const normalized_webhook& w, const recovery_account& account,
                              std::string_view raw_body, std::int64_t now);

// recover()'s first half, outside any transaction: verifies, normalizes (performing the
// connector's sync requests through `sync`) and checks every string against its column. A host
// that applies several webhooks in one transaction (group commit) calls this on its worker and
// hands the result to apply_webhook() inside the shared transaction.
template <billing_connector C, class SyncClient>
result<normalized_webhook> prepare_webhook(const C& connector, const webhook_request& req,
                                           const recovery_account& account, SyncClient&& sync, time_point now);

// The whole flow. A string the store could not keep as it is fails with invalid_field (400, see
// storable.hpp) before any store call. `sync` performs a connector's outbound request:
// result<http_response>(const outbound_request&); a transport failure is a failure. A
// storage_error fails with storage_unavailable (503); any other exception with internal_fault (500).
template <recovery_store S, billing_connector C, class SyncClient, class Clock>
result<recovery_result> recover(S& store, const C& connector, const webhook_request& req,
                                const recovery_account& account, SyncClient&& sync, const Clock& clock);

// docs/behaviour.md §1: the HTTP status for a failure (401 verification, 400 input, 503 storage or sync,
// 404 not found, 500 a plugin's fault) and the error body {"error":{"type","code","message"}}.
int status_for(const failure& f) noexcept;
api_response error_response(const failure& f);

RECOUP_END_NAMESPACE

#include <recoup/impl/flow.hpp>
