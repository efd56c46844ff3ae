// recoup Paddle Billing connector: wire structs named like Paddle's JSON (the notification
// envelope and the Transaction entity of API version 1) and their conversion to the unified
// invoice and attempt. Amounts are integer minor units sent as strings ("33000"); times are RFC
// 3339. Only public recoup headers are used, as an out-of-tree connector would.
#pragma once

#include <recoup/domain.hpp>
#include <recoup/money.hpp>
#include <recoup/result.hpp>
#include <recoup/wire.hpp>
#include <recoup/wire_fields.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace recoup::connectors::paddle {

// The transaction events recovery consumes; every other event_type is acknowledged, unread.
enum class paddle_event_type { payment_failed, completed, paid, past_due, canceled };

// A payment attempt's `status`.
enum class paddle_payment_status {
    authorized, authorized_flagged, canceled, captured, error, action_required, pending_no_action_required,
    created, unknown, dropped
};

} // namespace recoup::connectors::paddle

RECOUP_BEGIN_NAMESPACE

template <>
struct enum_names<connectors::paddle::paddle_event_type> {
    using E = connectors::paddle::paddle_event_type;
    static constexpr std::array<std::pair<E, std::string_view>, 5> values{{
        {E::payment_failed, "transaction.payment_failed"},
        {E::completed, "transaction.completed"},
        {E::paid, "transaction.paid"},
        {E::past_due, "transaction.past_due"},
        {E::canceled, "transaction.canceled"},
    }};
};

template <>
struct enum_names<connectors::paddle::paddle_payment_status> {
    using E = connectors::paddle::paddle_payment_status;
    static constexpr std::array<std::pair<E, std::string_view>, 10> values{{
        {E::authorized, "authorized"},
        {E::authorized_flagged, "authorized_flagged"},
        {E::canceled, "canceled"},
        {E::captured, "captured"},
        {E::error, "error"},
        {E::action_required, "action_required"},
        {E::pending_no_action_required, "pending_no_action_required"},
        {E::created, "created"},
        {E::unknown, "unknown"},
        {E::dropped, "dropped"},
    }};
};

RECOUP_END_NAMESPACE

namespace recoup::connectors::paddle {

namespace json = boost::json;

static_assert(names_are_dense<paddle_event_type>(5));
static_assert(names_are_dense<paddle_payment_status>(10));

// ---- a payment attempt (`data.payments[]`) ----------------------------------------------------

struct paddle_card {
    std::optional<std::string> type; // "visa"
};

struct paddle_method_details {
    std::optional<std::string> type; // "card", "paypal"...
    std::optional<paddle_card> card;
};

struct paddle_payment {
    std::string payment_attempt_id;
    std::optional<std::int64_t> amount; // minor units
    paddle_payment_status status = paddle_payment_status::unknown;
    std::optional<std::string> error_code;
    std::optional<std::string> payment_method_id; // "paymtd_...", else the older stored_payment_method_id
    std::optional<paddle_method_details> method_details;
    std::optional<std::int64_t> created_at; // unix seconds
};

inline paddle_card tag_invoke(const json::value_to_tag<paddle_card>&, const json::value& jv)
{
    return {wire::optional<std::string>(wire::as_object(jv), "type")};
}

inline paddle_method_details tag_invoke(const json::value_to_tag<paddle_method_details>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    return {wire::optional<std::string>(o, "type"), wire::optional<paddle_card>(o, "card")};
}

inline paddle_payment tag_invoke(const json::value_to_tag<paddle_payment>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    paddle_payment p;
    p.payment_attempt_id = wire::required<std::string>(o, "payment_attempt_id");
    p.amount = wire::optional_string_minor_units(o, "amount");
    const auto status = wire::required<std::string>(o, "status");
    auto known = enum_from_string<paddle_payment_status>(status);
    if (!known) wire::raise(error::invalid_field, "status", "unknown value \"" + status + "\"");
    p.status = *known;
    p.error_code = wire::optional<std::string>(o, "error_code");
    p.payment_method_id = wire::optional<std::string>(o, "payment_method_id");
    if (!p.payment_method_id) p.payment_method_id = wire::optional<std::string>(o, "stored_payment_method_id");
    p.method_details = wire::optional<paddle_method_details>(o, "method_details");
    p.created_at = wire::optional_iso8601(o, "created_at");
    return p;
}

// Attempts still in flight are pending; a refused, dropped or failed one is a failure.
constexpr attempt_status to_attempt_status(paddle_payment_status s) noexcept
{
    switch (s) {
    case paddle_payment_status::captured: return attempt_status::charged;
    case paddle_payment_status::canceled:
    case paddle_payment_status::error:
    case paddle_payment_status::dropped: return attempt_status::failure;
    case paddle_payment_status::authorized:
    case paddle_payment_status::authorized_flagged:
    case paddle_payment_status::action_required:
    case paddle_payment_status::pending_no_action_required:
    case paddle_payment_status::created:
    case paddle_payment_status::unknown: return attempt_status::pending;
    }
    return attempt_status::failure; // unreachable: the switch is exhaustive
}

// ---- the Transaction (`data`) -----------------------------------------------------------------

struct paddle_transaction {
    merchant_reference_id id; // "txn_...": the reference id, one per billing period
    recoup::currency currency{};
    std::int64_t grand_total = 0; // minor units: `details.totals.grand_total`
    std::optional<std::string> customer_id;
    std::vector<paddle_payment> payments;
};

// `details.totals`: only the grand total (after credits, before payments) is read.
struct paddle_totals {
    std::int64_t grand_total = 0;
};

struct paddle_details {
    paddle_totals totals;
};

inline paddle_totals tag_invoke(const json::value_to_tag<paddle_totals>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    return {wire::unwrap(string_to_minor_units(wire::required<std::string>(o, "grand_total"), "grand_total"))};
}

inline paddle_details tag_invoke(const json::value_to_tag<paddle_details>&, const json::value& jv)
{
    return {wire::required<paddle_totals>(wire::as_object(jv), "totals")};
}

inline paddle_transaction tag_invoke(const json::value_to_tag<paddle_transaction>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    paddle_transaction t;
    t.id = wire::read_reference_id(o, "id");
    t.currency = wire::read_currency(o, "currency_code");
    t.grand_total = wire::required<paddle_details>(o, "details").totals.grand_total;
    t.customer_id = wire::optional<std::string>(o, "customer_id");
    t.payments = wire::optional<std::vector<paddle_payment>>(o, "payments").value_or(std::vector<paddle_payment>{});
    return t;
}

// The latest attempt by created_at (Paddle lists them newest first; the order is not relied on).
inline const paddle_payment* latest_payment(const paddle_transaction& t)
{
    const paddle_payment* latest = nullptr;
    for (const auto& p : t.payments)
        if (latest == nullptr || p.created_at.value_or(INT64_MIN) > latest->created_at.value_or(INT64_MIN)) latest = &p;
    return latest;
}

inline recovery_invoice to_recovery_invoice(const paddle_transaction& t)
{
    recovery_invoice out;
    out.merchant_reference_id = t.id;
    out.amount = t.grand_total;
    out.currency = t.currency;
    out.retry_count = static_cast<std::int32_t>(t.payments.size());
    return out; // no address (the transaction names only an address_id), no next billing date
}

inline recovery_attempt to_recovery_attempt(const paddle_transaction& t, const paddle_payment& p)
{
    recovery_attempt a;
    a.amount = p.amount.value_or(t.grand_total);
    a.currency = t.currency;
    a.merchant_reference_id = t.id;
    a.connector_transaction_id = p.payment_attempt_id;
    a.error_code = p.error_code;
    a.processor_payment_method_token = p.payment_method_id;
    a.connector_customer_id = t.customer_id;
    a.transaction_created_at = p.created_at;
    a.status = to_attempt_status(p.status);
    if (p.method_details) {
        a.payment_method_type = p.method_details->type;
        if (p.method_details->card) a.payment_method_subtype = p.method_details->card->type;
    }
    a.retry_count = static_cast<std::int32_t>(t.payments.size());
    return a;
}

// ---- the notification -------------------------------------------------------------------------

struct paddle_notification {
    std::optional<std::string> event_id;
    std::string event_type;
    std::optional<paddle_event_type> event; // set only for an event recovery consumes
    std::optional<paddle_transaction> transaction; // read only for those
    std::optional<std::int64_t> occurred_at;       // unix seconds, read only for those
};

inline paddle_notification tag_invoke(const json::value_to_tag<paddle_notification>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    paddle_notification n;
    n.event_id = wire::optional<std::string>(o, "event_id");
    n.event_type = wire::required<std::string>(o, "event_type");
    n.event = enum_from_string<paddle_event_type>(n.event_type);
    if (n.event) {
        n.transaction = wire::required<paddle_transaction>(o, "data");
        n.occurred_at = wire::optional_iso8601(o, "occurred_at");
    }
    return n;
}

} // namespace recoup::connectors::paddle
