// recoup Chargebee connector: wire structs named like Chargebee's v2 event JSON
// (https://apidocs.chargebee.com/docs/api/events), read with Boost.JSON value_to, and the
// conversions from them to the unified invoice and attempt.
#pragma once

#include <recoup/connector.hpp>
#include <recoup/domain.hpp>
#include <recoup/money.hpp>
#include <recoup/form.hpp>
#include <recoup/wire.hpp>
#include <recoup/wire_fields.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace recoup::connectors::chargebee {

namespace json = boost::json;

// The events this connector consumes. `invoice_voided` is an invoice_updated whose invoice is
// voided: Chargebee has no event of its own for a void.
enum class chargebee_event { payment_failed, payment_succeeded, payment_initiated, invoice_deleted, invoice_voided };

// transaction.status; "voided" (and any newer value) is not a recovery outcome, so it is rejected.
enum class chargebee_transaction_status { in_progress, success, failure, timeout, needs_attention, late_failure };

} // namespace recoup::connectors::chargebee

RECOUP_BEGIN_NAMESPACE

template <>
struct enum_names<connectors::chargebee::chargebee_transaction_status> {
    using s = connectors::chargebee::chargebee_transaction_status;
    static constexpr std::array<std::pair<s, std::string_view>, 6> values{{
        {s::in_progress, "in_progress"},
        {s::success, "success"},
        {s::failure, "failure"},
        {s::timeout, "timeout"},
        {s::needs_attention, "needs_attention"},
        {s::late_failure, "late_failure"},
    }};
};

RECOUP_END_NAMESPACE

namespace recoup::connectors::chargebee {

// ---------------------------------------------------------------------------------------------
// Wire structs

struct chargebee_invoice {
    recoup::merchant_reference_id id;
    std::optional<std::int64_t> amount_due; // still to collect, after credits
    std::optional<std::int64_t> total;
    recoup::currency currency_code;
    std::optional<address> billing_address; // Chargebee names the parts as the domain does
    std::optional<std::vector<json::value>> linked_payments; // only counted
    std::optional<std::string> status;

    // What recovery must collect: amount_due, or total when an older payload lacks it.
    std::int64_t amount_to_collect() const { return amount_due ? *amount_due : total.value_or(0); }
};

struct chargebee_card {
    std::optional<std::string> funding_type; // credit, debit, prepaid, not_known, not_applicable
    std::optional<std::string> brand;
};

// The inside of transaction.payment_method_details, which Chargebee sends as a JSON string.
struct chargebee_payment_method_details {
    std::optional<chargebee_card> card;
};

struct chargebee_transaction {
    std::string id;
    std::optional<std::string> id_at_gateway;
    std::int64_t amount = 0;
    recoup::currency currency_code;
    chargebee_transaction_status status = chargebee_transaction_status::failure;
    std::optional<std::string> error_code;
    std::optional<std::string> error_text;
    std::optional<std::string> gateway_account_id;
    std::optional<std::int64_t> date;
    std::optional<std::string> payment_method;
    std::optional<chargebee_payment_method_details> payment_method_details;
};

struct chargebee_payment_method {
    std::optional<std::string> reference_id; // "<customer>/<token>" or just "<token>"
    std::optional<std::string> gateway;
};

struct chargebee_customer {
    std::optional<chargebee_payment_method> payment_method;
};

struct chargebee_subscription {
    std::optional<std::int64_t> next_billing_at;
};

struct chargebee_content {
    chargebee_invoice invoice;
    std::optional<chargebee_transaction> transaction; // required for payment events only
    std::optional<chargebee_customer> customer;       // absent from invoice events
    std::optional<chargebee_subscription> subscription;
};

// One delivery. `content` is read only for consumed events, so an event we ignore never fails
// on fields it does not have.
struct chargebee_webhook {
    std::optional<std::string> id;
    std::string event_type;
    std::optional<chargebee_event> event; // nullopt: not consumed
    std::optional<std::int64_t> occurred_at; // unix seconds, read for consumed events
    std::optional<chargebee_content> content;
};

// ---------------------------------------------------------------------------------------------
// Reading (Boost.JSON value_to). A validation failure thrown here names the key only; wire::
// prefixes the path of every enclosing object on the way out.

namespace detail {

inline chargebee_transaction_status read_transaction_status(const json::object& o)
{
    const auto s = wire::required<std::string>(o, "status");
    const auto status = enum_from_string<chargebee_transaction_status>(s);
    if (!status) wire::raise(error::invalid_field, "status", "unknown transaction status \"" + s + "\"");
    return *status;
}

// The details are a JSON document inside a string: any problem in it is the string's problem.
inline std::optional<chargebee_payment_method_details> read_payment_method_details(const json::object& o)
{
    constexpr std::string_view key = "payment_method_details";
    const auto text = wire::optional<std::string>(o, key);
    if (!text) return std::nullopt;
    auto details = wire::parse_as<chargebee_payment_method_details>(*text);
    if (!details) wire::raise(error::invalid_field, std::string(key), details.error().what());
    return std::move(*details);
}

// Only invoice_updated needs a look inside content before deciding whether it is consumed.
inline std::optional<std::string_view> invoice_status(const json::value& event)
{
    boost::system::error_code ec;
    const auto* status = event.find_pointer("/content/invoice/status", ec);
    if (status == nullptr || !status->is_string()) return std::nullopt;
    return std::string_view(status->get_string());
}

inline std::optional<chargebee_event> classify(std::string_view event_type, const json::value& event)
{
    if (event_type == "payment_failed") return chargebee_event::payment_failed;
    if (event_type == "payment_succeeded") return chargebee_event::payment_succeeded;
    if (event_type == "payment_initiated") return chargebee_event::payment_initiated;
    if (event_type == "invoice_deleted") return chargebee_event::invoice_deleted;
    if (event_type == "invoice_updated" && invoice_status(event) == "voided") return chargebee_event::invoice_voided;
    return std::nullopt;
}

} // namespace detail

// Payment events carry the transaction the attempt is made from.
constexpr bool carries_transaction(chargebee_event e) noexcept
{
    switch (e) {
    case chargebee_event::payment_failed:
    case chargebee_event::payment_succeeded:
    case chargebee_event::payment_initiated: return true;
    case chargebee_event::invoice_deleted:
    case chargebee_event::invoice_voided: return false;
    }
    return false;
}

inline chargebee_invoice tag_invoke(const json::value_to_tag<chargebee_invoice>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    chargebee_invoice i;
    i.id = wire::read_reference_id(o, "id");
    i.amount_due = wire::optional_minor_units(o, "amount_due");
    i.total = wire::optional_minor_units(o, "total");
    if (!i.amount_due && !i.total) wire::raise(error::missing_field, "amount_due", "and no total either");
    i.currency_code = wire::read_currency(o, "currency_code");
    i.billing_address = wire::optional_address(o, "billing_address");
    i.linked_payments = wire::optional<std::vector<json::value>>(o, "linked_payments");
    i.status = wire::optional<std::string>(o, "status");
    return i;
}

inline chargebee_card tag_invoke(const json::value_to_tag<chargebee_card>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    return {wire::optional<std::string>(o, "funding_type"), wire::optional<std::string>(o, "brand")};
}

inline chargebee_payment_method_details tag_invoke(const json::value_to_tag<chargebee_payment_method_details>&,
                                                   const json::value& jv)
{
    return {wire::optional<chargebee_card>(wire::as_object(jv), "card")};
}

inline chargebee_transaction tag_invoke(const json::value_to_tag<chargebee_transaction>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    chargebee_transaction t;
    t.id = wire::required<std::string>(o, "id");
    t.id_at_gateway = wire::optional<std::string>(o, "id_at_gateway");
    t.amount = wire::unwrap(checked_minor_units(wire::required<std::int64_t>(o, "amount"), "amount"));
    t.currency_code = wire::read_currency(o, "currency_code");
    t.status = detail::read_transaction_status(o);
    t.error_code = wire::optional<std::string>(o, "error_code");
    t.error_text = wire::optional<std::string>(o, "error_text");
    t.gateway_account_id = wire::optional<std::string>(o, "gateway_account_id");
    t.date = wire::optional<std::int64_t>(o, "date");
    t.payment_method = wire::optional<std::string>(o, "payment_method");
    t.payment_method_details = detail::read_payment_method_details(o);
    return t;
}

inline chargebee_payment_method tag_invoke(const json::value_to_tag<chargebee_payment_method>&,
                                           const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    return {wire::optional<std::string>(o, "reference_id"), wire::optional<std::string>(o, "gateway")};
}

inline chargebee_customer tag_invoke(const json::value_to_tag<chargebee_customer>&, const json::value& jv)
{
    return {wire::optional<chargebee_payment_method>(wire::as_object(jv), "payment_method")};
}

inline chargebee_subscription tag_invoke(const json::value_to_tag<chargebee_subscription>&, const json::value& jv)
{
    return {wire::optional<std::int64_t>(wire::as_object(jv), "next_billing_at")};
}

inline chargebee_content tag_invoke(const json::value_to_tag<chargebee_content>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    chargebee_content c;
    c.invoice = wire::required<chargebee_invoice>(o, "invoice");
    c.transaction = wire::optional<chargebee_transaction>(o, "transaction");
    c.customer = wire::optional<chargebee_customer>(o, "customer");
    c.subscription = wire::optional<chargebee_subscription>(o, "subscription");
    return c;
}

inline chargebee_webhook tag_invoke(const json::value_to_tag<chargebee_webhook>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    chargebee_webhook w;
    w.id = wire::optional<std::string>(o, "id");
    w.event_type = wire::required<std::string>(o, "event_type");
    w.event = detail::classify(w.event_type, jv);
    if (!w.event) return w;
    w.occurred_at = wire::optional<std::int64_t>(o, "occurred_at");
    w.content = wire::required<chargebee_content>(o, "content");
    if (carries_transaction(*w.event) && !w.content->transaction)
        wire::raise(error::missing_field, "content.transaction");
    return w;
}

// ---------------------------------------------------------------------------------------------
// Conversions to the domain

constexpr incoming_webhook_event to_incoming_event(chargebee_event e) noexcept
{
    switch (e) {
    case chargebee_event::payment_failed: return incoming_webhook_event::recovery_payment_failure;
    case chargebee_event::payment_succeeded: return incoming_webhook_event::recovery_payment_success;
    case chargebee_event::payment_initiated: return incoming_webhook_event::recovery_payment_pending;
    case chargebee_event::invoice_deleted:
    case chargebee_event::invoice_voided: return incoming_webhook_event::recovery_invoice_cancel;
    }
    return incoming_webhook_event::event_not_supported;
}

constexpr attempt_status to_attempt_status(chargebee_transaction_status s) noexcept
{
    switch (s) {
    case chargebee_transaction_status::success: return attempt_status::charged;
    case chargebee_transaction_status::failure:
    case chargebee_transaction_status::timeout:
    case chargebee_transaction_status::late_failure: return attempt_status::failure;
    case chargebee_transaction_status::in_progress:
    case chargebee_transaction_status::needs_attention: return attempt_status::pending;
    }
    return attempt_status::failure;
}

// Chargebee lists every payment tried against the invoice, the one in this event included.
inline std::int32_t retry_count(const chargebee_invoice& i)
{
    const auto n = i.linked_payments ? i.linked_payments->size() : 0;
    return static_cast<std::int32_t>(std::min<std::size_t>(n, std::numeric_limits<std::int32_t>::max()));
}

inline recovery_invoice to_invoice(const chargebee_content& c)
{
    recovery_invoice out;
    out.merchant_reference_id = c.invoice.id;
    out.amount = c.invoice.amount_to_collect();
    out.currency = c.invoice.currency_code;
    out.billing_address = c.invoice.billing_address;
    out.retry_count = retry_count(c.invoice);
    if (c.subscription) out.next_billing_at = c.subscription->next_billing_at;
    return out;
}

struct payment_method_reference {
    std::optional<std::string> customer_id;
    std::optional<std::string> token;
};

// "cus_X/pm_Y" (Stripe), "customer/token" (Braintree), "profile/payment_profile" (Authorize.Net):
// first part customer, last part token. Without a '/', gateways send the token alone.
inline payment_method_reference split_reference_id(std::string_view reference)
{
    const auto first = reference.find('/');
    if (first == std::string_view::npos) return {std::nullopt, std::string(reference)};
    const auto last = reference.rfind('/');
    auto part = [](std::string_view p) { return p.empty() ? std::nullopt : std::optional<std::string>(p); };
    return {part(reference.substr(0, first)), part(reference.substr(last + 1))};
}

inline payment_method_reference customer_reference(const std::optional<chargebee_customer>& customer)
{
    if (!customer || !customer->payment_method || !customer->payment_method->reference_id) return {};
    return split_reference_id(*customer->payment_method->reference_id);
}

// The card's funding type, as the reference does; Chargebee's "don't know" values carry nothing.
inline std::optional<std::string> payment_method_subtype(const chargebee_transaction& t)
{
    if (!t.payment_method_details || !t.payment_method_details->card) return std::nullopt;
    const auto& funding = t.payment_method_details->card->funding_type;
    if (!funding || *funding == "not_known" || *funding == "not_applicable") return std::nullopt;
    return funding;
}

// Requires c.transaction (the webhook reader guarantees it for payment events).
inline recovery_attempt to_attempt(const chargebee_content& c)
{
    const auto& t = *c.transaction;
    auto reference = customer_reference(c.customer);
    recovery_attempt out;
    out.amount = t.amount;
    out.currency = t.currency_code;
    out.merchant_reference_id = c.invoice.id;
    out.connector_transaction_id = t.id_at_gateway.value_or(t.id);
    out.error_code = t.error_code;
    out.error_message = t.error_text;
    out.processor_payment_method_token = std::move(reference.token);
    out.connector_customer_id = std::move(reference.customer_id);
    out.connector_account_reference_id = t.gateway_account_id;
    out.transaction_created_at = t.date;
    out.status = to_attempt_status(t.status);
    out.payment_method_type = t.payment_method;
    out.payment_method_subtype = payment_method_subtype(t);
    if (t.payment_method_details && t.payment_method_details->card) out.card_network = t.payment_method_details->card->brand;
    out.retry_count = retry_count(c.invoice);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Record back: POST /v2/invoices/{id}/record_payment, form-encoded

constexpr std::string_view record_status(recovery_outcome o) noexcept
{
    switch (o) {
    case recovery_outcome::succeeded: return "success";
    case recovery_outcome::failed: return "failure";
    }
    return "failure";
}

// payment_method "other": the money moved through our processor, not a Chargebee gateway.
// id_at_gateway carries the processor's transaction id; reference_number is left out, since
// Chargebee means it for offline references such as cheque numbers.
inline std::string record_payment_form(const record_back_request& r)
{
    std::string body;
    append_form_field(body, "transaction[amount]", std::to_string(r.amount));
    append_form_field(body, "transaction[payment_method]", "other");
    append_form_field(body, "transaction[status]", record_status(r.outcome));
    append_form_field(body, "transaction[date]", std::to_string(r.occurred_at));
    if (r.connector_transaction_id)
        append_form_field(body, "transaction[id_at_gateway]", *r.connector_transaction_id);
    return body;
}

} // namespace recoup::connectors::chargebee
