// recoup: what the merchant's own systems hear about a recovery (docs/merchant-webhooks.md). The
// flow (apply_webhook) and the workflow's state changes (apply_decision, apply_fault) build a
// merchant_event for each change they make and hand it to the transaction's emit(), when the
// transaction has one (see store.hpp): the host writes it to its outbox in the same transaction,
// so a change that rolls back sends nothing. A store without an outbox simply offers no emit().
//
// When each fires:
//   recovery.started            the first EXECUTE_WORKFLOW task is armed for an intent (webhook)
//   recovery.retry_scheduled    a retry is armed or re-armed, with its time (webhook, workflow)
//   recovery.attempt_failed     a retry recoup made (an internal attempt) failed
//   recovery.succeeded          the intent becomes succeeded (a retry, or the platform says paid)
//   recovery.retries_exhausted  the workflow finishes failed: schedule exhausted, hard decline, or
//                               the processor given up on (the reason says which)
//   recovery.cancelled          the intent becomes cancelled (the invoice was voided)
// A duplicate or stale-only webhook changes nothing and emits nothing.
#pragma once

#include <recoup/detail/config.hpp>
#include <recoup/detail/enum_names.hpp>
#include <recoup/domain.hpp>
#include <recoup/money.hpp>
#include <recoup/store.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

RECOUP_BEGIN_NAMESPACE

enum class merchant_event_type { started, retry_scheduled, attempt_failed, succeeded, retries_exhausted, cancelled };

template <>
struct enum_names<merchant_event_type> {
    static constexpr std::array<std::pair<merchant_event_type, std::string_view>, 6> values{{
        {merchant_event_type::started, "recovery.started"},
        {merchant_event_type::retry_scheduled, "recovery.retry_scheduled"},
        {merchant_event_type::attempt_failed, "recovery.attempt_failed"},
        {merchant_event_type::succeeded, "recovery.succeeded"},
        {merchant_event_type::retries_exhausted, "recovery.retries_exhausted"},
        {merchant_event_type::cancelled, "recovery.cancelled"},
    }};
};

// The attempt an event is about.
struct merchant_event_attempt {
    std::string id;
    std::optional<std::int32_t> number; // an internal attempt's retry number (1 = the first retry)
    recoup::triggered_by triggered_by = triggered_by::external;
    std::optional<std::string> error_code;
    std::optional<std::string> error_message;
};

struct merchant_event {
    merchant_event_type type = merchant_event_type::started;
    std::string profile_id;
    std::string payment_id;
    std::string invoice; // the merchant_reference_id: the invoice id at the billing platform
    std::int64_t amount = 0; // minor units
    recoup::currency currency{};
    std::optional<merchant_event_attempt> attempt;
    std::optional<std::string> decline_class;  // the attempt's decline class, when it has one
    std::optional<std::int64_t> next_retry_at; // retry_scheduled: when (unix seconds)
    std::optional<std::string> reason;         // retries_exhausted: the business status it finished with
    std::int64_t occurred_at = 0;              // unix seconds
};

// The exact body that is signed and sent (Standard Webhooks' shape):
// {"type":"recovery.succeeded","timestamp":"2026-12-03T10:00:00Z","data":{"payment_id":...,
//  "invoice":...,"profile_id":...,"amount":1000,"currency":"USD","attempt":{...}|null,
//  "decline_class":...|null,"next_retry_at":"..."|null,"reason":...|null}}
std::string merchant_event_body(const merchant_event& e);

// A transaction that can hold merchant events (the host's outbox; memory_store keeps a list).
template <class Tx>
concept merchant_event_sink = requires(Tx& tx, const merchant_event& e) { tx.emit(e); };

// The event of `type` about `intent` at `now`, without attempt or extras.
merchant_event make_merchant_event(merchant_event_type type, const intent_record& intent, std::int64_t now);

// The event's view of a stored attempt (`number`: an internal attempt's retry number).
merchant_event_attempt merchant_attempt_of(const attempt_record& a, std::optional<std::int32_t> number = std::nullopt);

// The attempt's decline class as text, when the attempt record carries one.
template <class Attempt>
std::optional<std::string> decline_class_of(const Attempt& a);

RECOUP_END_NAMESPACE

#include <recoup/impl/merchant_event.hpp>
