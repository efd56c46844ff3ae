// recoup: the unified domain. Names and wire spellings follow the reference (Hyperswitch's
// revenue-recovery types): snake_case on the wire, PascalCase for event and action names.
#pragma once

#include <recoup/detail/config.hpp>
#include <recoup/detail/enum_names.hpp>
#include <recoup/money.hpp>
#include <recoup/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

RECOUP_BEGIN_NAMESPACE

// Who made a payment attempt: the billing platform's own dunning (external) or our scheduler.
enum class triggered_by { internal, external };

// What a webhook means for recovery. Adding one here without a row in the action table fails to
// compile (see action_table.hpp).
enum class incoming_webhook_event {
    recovery_payment_failure,
    recovery_payment_success,
    recovery_payment_pending,
    recovery_invoice_cancel,
    event_not_supported,
};

enum class recovery_action {
    schedule_failed_payment,
    success_payment_external,
    pending_payment,
    no_action,
    invalid_action,
    cancel_invoice,
};

// Attempt status. A connector reports charged, failure or pending; `started` is an internal
// attempt whose charge is in flight.
enum class attempt_status { started, pending, charged, failure };

enum class intent_status { requires_payment_method, processing, succeeded, failed, cancelled };

// Succeeded and cancelled never go back: out-of-order deliveries cannot reopen them.
constexpr bool is_terminal(intent_status s) noexcept
{
    return s == intent_status::succeeded || s == intent_status::cancelled;
}

template <>
struct enum_names<triggered_by> {
    static constexpr std::array<std::pair<triggered_by, std::string_view>, 2> values{{
        {triggered_by::internal, "internal"},
        {triggered_by::external, "external"},
    }};
};

template <>
struct enum_names<incoming_webhook_event> {
    static constexpr std::array<std::pair<incoming_webhook_event, std::string_view>, 5> values{{
        {incoming_webhook_event::recovery_payment_failure, "RecoveryPaymentFailure"},
        {incoming_webhook_event::recovery_payment_success, "RecoveryPaymentSuccess"},
        {incoming_webhook_event::recovery_payment_pending, "RecoveryPaymentPending"},
        {incoming_webhook_event::recovery_invoice_cancel, "RecoveryInvoiceCancel"},
        {incoming_webhook_event::event_not_supported, "EventNotSupported"},
    }};
};

template <>
struct enum_names<recovery_action> {
    static constexpr std::array<std::pair<recovery_action, std::string_view>, 6> values{{
        {recovery_action::schedule_failed_payment, "ScheduleFailedPayment"},
        {recovery_action::success_payment_external, "SuccessPaymentExternal"},
        {recovery_action::pending_payment, "PendingPayment"},
        {recovery_action::no_action, "NoAction"},
        {recovery_action::invalid_action, "InvalidAction"},
        {recovery_action::cancel_invoice, "CancelInvoice"},
    }};
};

template <>
struct enum_names<attempt_status> {
    static constexpr std::array<std::pair<attempt_status, std::string_view>, 4> values{{
        {attempt_status::started, "started"},
        {attempt_status::pending, "pending"},
        {attempt_status::charged, "charged"},
        {attempt_status::failure, "failure"},
    }};
};

template <>
struct enum_names<intent_status> {
    static constexpr std::array<std::pair<intent_status, std::string_view>, 5> values{{
        {intent_status::requires_payment_method, "requires_payment_method"},
        {intent_status::processing, "processing"},
        {intent_status::succeeded, "succeeded"},
        {intent_status::failed, "failed"},
        {intent_status::cancelled, "cancelled"},
    }};
};

// Transaction events carry an attempt; a cancel or an unsupported event does not.
constexpr bool is_transaction_event(incoming_webhook_event e) noexcept
{
    return e == incoming_webhook_event::recovery_payment_failure ||
           e == incoming_webhook_event::recovery_payment_success ||
           e == incoming_webhook_event::recovery_payment_pending;
}

// The one rule for every id the project names (profiles, MCAs, payments, invoices): 1-64
// characters of [A-Za-z0-9_-]. The CLI's `profile add` / `mca add` and the host's routes use it too.
inline constexpr std::size_t max_id_length = 64;

constexpr bool is_id_char(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

constexpr bool is_valid_id(std::string_view id) noexcept
{
    if (id.empty() || id.size() > max_id_length) return false;
    for (const char c : id)
        if (!is_id_char(c)) return false;
    return true;
}

// The invoice id at the billing platform: an id by the rule above.
class merchant_reference_id {
public:
    merchant_reference_id() = default; // empty until assigned from make()
    static result<merchant_reference_id> make(std::string_view value,
                                              std::string_view field = "merchant_reference_id");
    const std::string& str() const noexcept { return value_; }
    friend bool operator==(const merchant_reference_id&, const merchant_reference_id&) = default;

private:
    explicit merchant_reference_id(std::string v) : value_(std::move(v)) {}
    std::string value_;
};

struct address {
    std::optional<std::string> first_name, last_name, line1, line2, line3, city, state, zip,
        country;
    friend bool operator==(const address&, const address&) = default;
};

// The unified invoice (docs/behaviour.md §2). Times are unix seconds.
struct recovery_invoice {
    recoup::merchant_reference_id merchant_reference_id;
    std::int64_t amount = 0; // minor units, still to collect
    recoup::currency currency{};
    std::optional<address> billing_address;
    std::int32_t retry_count = 0;
    std::optional<std::int64_t> next_billing_at;
};

// Another payment method the customer has on file, as the platform reports it (docs/behaviour.md §2).
struct payment_method_ref {
    std::string id;                     // the processor's payment method token
    std::optional<std::string> network; // the card brand as the platform spells it ("visa", "Visa", ...)
    std::optional<std::string> type;    // "card", "direct_debit", ...
    friend bool operator==(const payment_method_ref&, const payment_method_ref&) = default;
};

// The unified payment attempt (docs/behaviour.md §2).
struct recovery_attempt {
    std::int64_t amount = 0;
    recoup::currency currency{};
    recoup::merchant_reference_id merchant_reference_id;
    std::string connector_transaction_id;
    std::optional<std::string> error_code;
    std::optional<std::string> error_message;
    std::optional<std::string> processor_payment_method_token;
    std::optional<std::string> connector_customer_id;
    std::optional<std::string> connector_account_reference_id;
    std::optional<std::int64_t> transaction_created_at;
    attempt_status status = attempt_status::failure;
    std::optional<std::string> payment_method_type;
    std::optional<std::string> payment_method_subtype;
    std::optional<std::int32_t> retry_count;
    std::optional<std::string> charge_id;
    // The card brand of the method charged, as the platform spells it; none when not reported.
    std::optional<std::string> card_network;
    // The customer's other payment methods, the platform's order kept; empty when not reported.
    std::vector<payment_method_ref> alternate_payment_methods;
};

RECOUP_END_NAMESPACE

#include <recoup/impl/domain.hpp>
