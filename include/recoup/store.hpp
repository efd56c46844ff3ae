// recoup: what the recovery flow needs from storage, as concepts. The host's SOCI store
// (PostgreSQL, SQLite) satisfies them, and so does memory_store for tests and embedders.
//
// The unit of work is a transaction: the flow runs one webhook inside one transaction and the
// host commits it. Because the flow only sees a transaction, a host can run several webhooks in
// one database transaction, each inside a savepoint (group commit), without the flow changing.
// Storage failures are thrown as storage_error; the flow turns them into storage_unavailable
// (503, try again). Any other exception is a fault that retrying cannot mend (500).
#pragma once

#include <recoup/detail/config.hpp>
#include <recoup/domain.hpp>
#include <recoup/task.hpp>

#include <concepts>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

RECOUP_BEGIN_NAMESPACE

// The database could not do its part (unreachable, timed out, deadlocked): the same request may
// succeed later. A store throws this, and only this, for such faults.
class storage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// payment_intent
struct intent_record {
    std::string id;                    // payment_id
    std::string profile_id;
    std::string merchant_reference_id; // invoice id at the billing platform
    std::string billing_mca_id;        // the billing connector's MCA
    std::int64_t amount = 0;
    recoup::currency currency{};
    intent_status status = intent_status::requires_payment_method;
    std::optional<address> billing_address;
    std::int32_t total_retry_count = 0; // failures seen, external and internal
    std::string feature_metadata = "{}"; // JSON object
    std::int64_t created_at = 0;
    std::int64_t modified_at = 0;
    // The platform's time of the newest event applied to amount and status (unix seconds);
    // nullopt until one with a known time is. An older event leaves both alone (docs/behaviour.md §4).
    std::optional<std::int64_t> last_event_at;
};

// payment_attempt
struct attempt_record {
    std::string id;
    std::string payment_id;
    attempt_status status = attempt_status::failure;
    std::int64_t amount = 0;
    recoup::currency currency{};
    std::string connector_payment_id; // the connector's transaction id
    std::optional<std::string> charge_id;
    std::optional<std::string> error_code;
    std::optional<std::string> error_message;
    recoup::triggered_by triggered_by = triggered_by::external;
    std::string feature_metadata; // {"revenue_recovery":{"attempt_triggered_by":"external",...}}
    std::string details;          // the unified attempt as JSON (token, customer, gateway, ...)
    std::int64_t created_at = 0;
    std::int64_t modified_at = 0;
    // For the network budgets and payment-method switching (docs/recovery.md); none when unknown.
    std::optional<std::string> decline_class;        // a recoup::decline_class name
    std::optional<std::string> network;              // a recoup::card_network name; set with credential_id
    std::optional<std::string> network_decline_code; // the card network's response code
    std::optional<std::string> network_advice_code;  // e.g. a Mastercard merchant advice code
    std::optional<std::string> payment_method_id;    // the payment method token charged
    std::optional<std::string> credential_id;        // credential_id() of (profile, payment method)
};

// process_tracker
struct task_record {
    std::string id;     // PASSIVE_RECOVERY_WORKFLOW_EXECUTE_WORKFLOW_{payment_id}
    std::string name;   // EXECUTE_WORKFLOW
    std::string runner; // PASSIVE_RECOVERY_WORKFLOW
    std::string status{task_status_new};
    std::string business_status;
    std::int32_t retry_count = 0;
    std::int64_t schedule_time = 0; // unix seconds
    std::string tracking_data;      // JSON object
    std::string payment_id;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;

    bool is_open() const noexcept { return status != task_status_finish; }
};

// webhook_event: one row per delivery, duplicates included.
struct event_record {
    std::string id;
    std::string profile_id;
    std::string merchant_connector_id;
    std::optional<std::string> connector_event_id;
    std::string dedup_key; // event id, or "sha256:<hex of body>"
    std::string event_type;
    std::string action;
    std::string outcome; // outcome_text() of the flow's result: "task armed", "conflict: intent is succeeded", ...
    int http_status = 200;
    std::optional<std::string> payment_id;
    std::string body_digest; // hex SHA-256 of the raw body
    std::optional<std::string> body; // the raw body, unless configured off
    std::int64_t received_at = 0;
};

template <class T>
concept recovery_transaction = requires(T& tx, const std::string& s, const intent_record& intent,
                                        const attempt_record& attempt, const task_record& task,
                                        const event_record& event, std::int64_t now) {
    // Records (mca, dedup key) as processed; false if it already was. Concurrent callers with
    // the same key: exactly one gets true (the others wait for it, then get false).
    { tx.claim_delivery(s, s) } -> std::same_as<bool>;
    // The intent for (profile_id, merchant_reference_id): the existing one, or `intent` inserted.
    // Either way it stays locked until the transaction ends.
    { tx.lock_or_create_intent(intent) } -> std::same_as<intent_record>;
    { tx.update_intent(intent) } -> std::same_as<void>;
    // The attempt of that intent with this connector transaction id.
    { tx.find_attempt(s, s) } -> std::same_as<std::optional<attempt_record>>;
    { tx.insert_attempt(attempt) } -> std::same_as<void>;
    { tx.update_attempt(attempt) } -> std::same_as<void>;
    // The task with that id, open or finished.
    { tx.find_task(s) } -> std::same_as<std::optional<task_record>>;
    { tx.upsert_task(task) } -> std::same_as<void>;
    // Finishes every open task of the payment with that business status.
    { tx.finish_tasks(s, s, now) } -> std::same_as<void>;
    { tx.append_event(event) } -> std::same_as<void>;
    { tx.commit() } -> std::same_as<void>;
};

// What the retry scheduler's state changes need besides: the intent and the attempts by payment id.
template <class T>
concept workflow_transaction = recovery_transaction<T> && requires(T& tx, const std::string& s, std::int64_t since) {
    // The intent with that id, locked until the transaction ends.
    { tx.find_intent(s) } -> std::same_as<std::optional<intent_record>>;
    // Its attempts, oldest first (created_at, then id).
    { tx.attempts_of(s) } -> std::same_as<std::vector<attempt_record>>;
    // Every attempt on that credential (credential_id) and network made at or after `since`, of
    // any intent, external and internal, oldest first (created_at, then id): the network budget's history.
    { tx.credential_history(s, s, since) } -> std::same_as<std::vector<attempt_record>>;
};

// Optional: a transaction may also take the merchant's events, `void emit(const merchant_event&)`
// (merchant_event.hpp, concept merchant_event_sink). The flow and the workflow call it for every
// change they make, inside the same transaction, so what was emitted commits or rolls back with
// the change. A store that cannot hold an outbox simply does not offer it.

// A store hands out transactions; destroying an uncommitted one rolls it back.
template <class S>
concept recovery_store = requires(S& store) {
    { store.begin() } -> recovery_transaction;
};

RECOUP_END_NAMESPACE
