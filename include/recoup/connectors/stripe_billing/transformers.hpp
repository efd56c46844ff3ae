// recoup Stripe Billing connector: wire structs named like Stripe's JSON (the Event envelope, the
// Invoice in both the 2020-08-27 and the 2025 "basil" shapes, the Charge of the optional sync) and
// the small conversions to the unified invoice and attempt. Unknown fields are ignored.
#pragma once

#include <recoup/connectors/stripe_common/amounts.hpp>
#include <recoup/connectors/stripe_common/api.hpp>

#include <recoup/connector.hpp>
#include <recoup/domain.hpp>
#include <recoup/error.hpp>
#include <recoup/form.hpp>
#include <recoup/money.hpp>
#include <recoup/result.hpp>
#include <recoup/wire.hpp>
#include <recoup/wire_fields.hpp>

#include <boost/json.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace recoup::connectors::stripe_billing {

namespace json = boost::json;
using stripe_common::bearer;
using stripe_common::id_of;
using stripe_common::stripe_id;

// ---------------------------------------------------------------------------------------------
// Event types

enum class stripe_event_type {
    invoice_payment_failed,
    invoice_paid,
    invoice_payment_succeeded,
    invoice_voided,
    invoice_marked_uncollectible,
    unsupported, // any other `type`: acknowledged, never an error
};

inline stripe_event_type parse_event_type(std::string_view type) noexcept
{
    static constexpr std::array<std::pair<std::string_view, stripe_event_type>, 5> known{{
        {"invoice.payment_failed", stripe_event_type::invoice_payment_failed},
        {"invoice.paid", stripe_event_type::invoice_paid},
        {"invoice.payment_succeeded", stripe_event_type::invoice_payment_succeeded},
        {"invoice.voided", stripe_event_type::invoice_voided},
        {"invoice.marked_uncollectible", stripe_event_type::invoice_marked_uncollectible},
    }};
    for (const auto& [name, value] : known)
        if (name == type) return value;
    return stripe_event_type::unsupported;
}

inline incoming_webhook_event to_incoming_event(stripe_event_type t) noexcept
{
    switch (t) {
    case stripe_event_type::invoice_payment_failed: return incoming_webhook_event::recovery_payment_failure;
    // The same payment yields both; the second finds the attempt the first recorded.
    case stripe_event_type::invoice_paid:
    case stripe_event_type::invoice_payment_succeeded: return incoming_webhook_event::recovery_payment_success;
    case stripe_event_type::invoice_voided:
    case stripe_event_type::invoice_marked_uncollectible: return incoming_webhook_event::recovery_invoice_cancel;
    case stripe_event_type::unsupported: return incoming_webhook_event::event_not_supported;
    }
    return incoming_webhook_event::event_not_supported; // not an enumerator: nothing to consume
}

// Status of the attempt a transaction event reports; none for cancel and unsupported events.
inline std::optional<attempt_status> to_attempt_status(stripe_event_type t) noexcept
{
    switch (t) {
    case stripe_event_type::invoice_payment_failed: return attempt_status::failure;
    case stripe_event_type::invoice_paid:
    case stripe_event_type::invoice_payment_succeeded: return attempt_status::charged;
    case stripe_event_type::invoice_voided:
    case stripe_event_type::invoice_marked_uncollectible:
    case stripe_event_type::unsupported: return std::nullopt;
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Wire structs

// Stripe's list object: {"object":"list","data":[...],"has_more":...}.
template <class T>
struct stripe_list {
    std::vector<T> data;
};

template <class T>
stripe_list<T> tag_invoke(const json::value_to_tag<stripe_list<T>>&, const json::value& v)
{
    return {wire::required<std::vector<T>>(wire::as_object(v), "data")};
}

// customer_address: no names and no third line; the postal code is the zip.
inline constexpr wire::address_keys stripe_address_keys{.first_name = {}, .last_name = {}, .line3 = {},
                                                        .zip = "postal_code"};

struct stripe_period {
    std::optional<std::int64_t> end;
};

inline stripe_period tag_invoke(const json::value_to_tag<stripe_period>&, const json::value& v)
{
    return {wire::optional<std::int64_t>(wire::as_object(v), "end")};
}

struct stripe_line_item {
    std::optional<stripe_period> period;
};

inline stripe_line_item tag_invoke(const json::value_to_tag<stripe_line_item>&, const json::value& v)
{
    return {wire::optional<stripe_period>(wire::as_object(v), "period")};
}

// InvoicePayment.payment (basil): what paid, or tried to pay, the invoice.
struct stripe_payment {
    std::optional<stripe_id> payment_intent;
    std::optional<stripe_id> charge;
};

inline stripe_payment tag_invoke(const json::value_to_tag<stripe_payment>&, const json::value& v)
{
    const auto& o = wire::as_object(v);
    return {wire::optional<stripe_id>(o, "payment_intent"), wire::optional<stripe_id>(o, "charge")};
}

struct stripe_invoice_payment {
    std::optional<stripe_payment> payment;
};

inline stripe_invoice_payment tag_invoke(const json::value_to_tag<stripe_invoice_payment>&, const json::value& v)
{
    return {wire::optional<stripe_payment>(wire::as_object(v), "payment")};
}

struct stripe_finalization_error {
    std::optional<std::string> code, message;
    std::optional<stripe_id> charge; // for card errors, the failed charge
};

inline stripe_finalization_error tag_invoke(const json::value_to_tag<stripe_finalization_error>&,
                                            const json::value& v)
{
    const auto& o = wire::as_object(v);
    return {wire::optional<std::string>(o, "code"), wire::optional<std::string>(o, "message"),
            wire::optional<stripe_id>(o, "charge")};
}

// The Invoice object: every field either shape may omit is optional.
struct stripe_invoice {
    recoup::merchant_reference_id id;
    std::optional<std::int64_t> amount_due;
    std::optional<std::int64_t> amount_remaining;
    recoup::currency currency;
    std::optional<stripe_id> customer;
    std::optional<address> customer_address;
    std::optional<std::int32_t> attempt_count;
    std::optional<stripe_list<stripe_line_item>> lines;
    std::optional<stripe_id> payment_intent;  // 2020-08-27 shape
    std::optional<stripe_id> charge;          // 2020-08-27 shape
    std::optional<stripe_list<stripe_invoice_payment>> payments; // basil shape, when included
    std::optional<stripe_id> default_payment_method;
    std::optional<stripe_finalization_error> last_finalization_error;
};

inline stripe_invoice tag_invoke(const json::value_to_tag<stripe_invoice>&, const json::value& v)
{
    const auto& o = wire::as_object(v);
    stripe_invoice i;
    i.id = wire::read_reference_id(o, "id");
    i.amount_due = wire::optional_minor_units(o, "amount_due");
    i.amount_remaining = wire::optional_minor_units(o, "amount_remaining");
    // Neither amount: the one every Stripe version sends is the one to name.
    if (!i.amount_due && !i.amount_remaining) wire::raise(error::missing_field, "amount_due");
    i.currency = wire::read_currency(o, "currency");
    // Stripe's units differ from ISO minor units for a few currencies (ISK, UGX, MGA).
    if (i.amount_due) i.amount_due = wire::unwrap(stripe_common::from_stripe_amount(*i.amount_due, i.currency, "amount_due"));
    if (i.amount_remaining)
        i.amount_remaining =
            wire::unwrap(stripe_common::from_stripe_amount(*i.amount_remaining, i.currency, "amount_remaining"));
    i.customer = wire::optional<stripe_id>(o, "customer");
    i.customer_address = wire::optional_address(o, "customer_address", stripe_address_keys);
    i.attempt_count = wire::optional<std::int32_t>(o, "attempt_count");
    i.lines = wire::optional<stripe_list<stripe_line_item>>(o, "lines");
    i.payment_intent = wire::optional<stripe_id>(o, "payment_intent");
    i.charge = wire::optional<stripe_id>(o, "charge");
    i.payments = wire::optional<stripe_list<stripe_invoice_payment>>(o, "payments");
    i.default_payment_method = wire::optional<stripe_id>(o, "default_payment_method");
    i.last_finalization_error = wire::optional<stripe_finalization_error>(o, "last_finalization_error");
    return i;
}

struct stripe_event_data {
    stripe_invoice object;
};

inline stripe_event_data tag_invoke(const json::value_to_tag<stripe_event_data>&, const json::value& v)
{
    return {wire::required<stripe_invoice>(wire::as_object(v), "object")};
}

// The Event envelope. `data` is read only for the invoice events we consume, so any other event
// parses as long as it is an object with a `type`.
struct stripe_event {
    std::optional<std::string> id;
    std::string type;
    stripe_event_type kind = stripe_event_type::unsupported;
    std::optional<stripe_event_data> data;
    std::optional<std::int64_t> created; // unix seconds, read only for the events we consume
};

inline stripe_event tag_invoke(const json::value_to_tag<stripe_event>&, const json::value& v)
{
    const auto& o = wire::as_object(v);
    stripe_event e;
    e.id = wire::optional<std::string>(o, "id");
    e.type = wire::required<std::string>(o, "type");
    e.kind = parse_event_type(e.type);
    if (e.kind != stripe_event_type::unsupported) {
        e.data = wire::required<stripe_event_data>(o, "data");
        e.created = wire::optional<std::int64_t>(o, "created");
    }
    return e;
}

// ---------------------------------------------------------------------------------------------
// Charge (GET /v1/charges/{id}): decline code and payment method, absent from the invoice.

struct stripe_charge_outcome {
    std::optional<std::string> reason;
};

inline stripe_charge_outcome tag_invoke(const json::value_to_tag<stripe_charge_outcome>&, const json::value& v)
{
    return {wire::optional<std::string>(wire::as_object(v), "reason")};
}

struct stripe_card {
    std::optional<std::string> funding, brand;
};

inline stripe_card tag_invoke(const json::value_to_tag<stripe_card>&, const json::value& v)
{
    const auto& o = wire::as_object(v);
    return {wire::optional<std::string>(o, "funding"), wire::optional<std::string>(o, "brand")};
}

struct stripe_payment_method_details {
    std::optional<std::string> type;
    std::optional<stripe_card> card;
};

inline stripe_payment_method_details tag_invoke(const json::value_to_tag<stripe_payment_method_details>&,
                                                const json::value& v)
{
    const auto& o = wire::as_object(v);
    return {wire::optional<std::string>(o, "type"), wire::optional<stripe_card>(o, "card")};
}

struct stripe_charge {
    std::string id;
    std::optional<std::int64_t> created;
    std::optional<std::string> failure_code, failure_message;
    std::optional<stripe_charge_outcome> outcome;
    std::optional<stripe_id> payment_method;
    std::optional<stripe_payment_method_details> payment_method_details;
};

inline stripe_charge tag_invoke(const json::value_to_tag<stripe_charge>&, const json::value& v)
{
    const auto& o = wire::as_object(v);
    return {wire::required<std::string>(o, "id"),
            wire::optional<std::int64_t>(o, "created"),
            wire::optional<std::string>(o, "failure_code"),
            wire::optional<std::string>(o, "failure_message"),
            wire::optional<stripe_charge_outcome>(o, "outcome"),
            wire::optional<stripe_id>(o, "payment_method"),
            wire::optional<stripe_payment_method_details>(o, "payment_method_details")};
}

// One delivery as the connector keeps it: the event, plus the charge once the host synced it.
struct stripe_webhook {
    stripe_event event;
    std::optional<stripe_charge> charge;
};

// ---------------------------------------------------------------------------------------------
// Conversions to the domain

// basil: the first InvoicePayment's payment, when the payments list was included.
inline const stripe_payment* first_payment(const stripe_invoice& i) noexcept
{
    if (!i.payments || i.payments->data.empty() || !i.payments->data.front().payment) return nullptr;
    return &*i.payments->data.front().payment;
}

inline std::optional<std::string> charge_id(const stripe_invoice& i)
{
    if (i.charge) return i.charge->value;
    if (const auto* p = first_payment(i); p && p->charge) return p->charge->value;
    if (i.last_finalization_error) return id_of(i.last_finalization_error->charge);
    return std::nullopt;
}

inline std::string connector_transaction_id(const stripe_invoice& i)
{
    if (i.payment_intent) return i.payment_intent->value;
    if (const auto* p = first_payment(i); p && p->payment_intent) return p->payment_intent->value;
    if (auto charge = charge_id(i)) return *charge;
    // No id in the payload (basil without `payments`): one per attempt, so redeliveries dedup.
    return i.id.str() + ":" + std::to_string(i.attempt_count.value_or(0));
}

inline std::optional<std::int64_t> next_billing_at(const stripe_invoice& i)
{
    if (!i.lines || i.lines->data.empty() || !i.lines->data.front().period) return std::nullopt;
    return i.lines->data.front().period->end;
}

inline recovery_invoice to_recovery_invoice(const stripe_invoice& i)
{
    recovery_invoice out;
    out.merchant_reference_id = i.id;
    // What is still to collect; parsing guarantees one of the two.
    out.amount = i.amount_remaining ? *i.amount_remaining : i.amount_due.value_or(0);
    out.currency = i.currency;
    out.billing_address = i.customer_address;
    out.retry_count = i.attempt_count.value_or(0);
    out.next_billing_at = next_billing_at(i);
    return out;
}

inline recovery_attempt to_recovery_attempt(const stripe_invoice& i, attempt_status status)
{
    recovery_attempt out;
    out.amount = i.amount_due ? *i.amount_due : i.amount_remaining.value_or(0); // what was attempted
    out.currency = i.currency;
    out.merchant_reference_id = i.id;
    out.connector_transaction_id = connector_transaction_id(i);
    if (i.last_finalization_error) {
        out.error_code = i.last_finalization_error->code;
        out.error_message = i.last_finalization_error->message;
    }
    out.processor_payment_method_token = id_of(i.default_payment_method);
    out.connector_customer_id = id_of(i.customer);
    out.status = status;
    out.retry_count = i.attempt_count;
    out.charge_id = charge_id(i);
    return out;
}

// The charge knows the decline and the method actually used: it wins over the invoice.
inline void apply_charge(recovery_attempt& a, const stripe_charge& c)
{
    if (c.failure_code) a.error_code = c.failure_code;
    else if (c.outcome && c.outcome->reason) a.error_code = c.outcome->reason;
    if (c.failure_message) a.error_message = c.failure_message;
    if (c.payment_method) {
        // The invoice's default method, when the charge used another one, is the customer's alternate.
        if (a.processor_payment_method_token && *a.processor_payment_method_token != c.payment_method->value)
            a.alternate_payment_methods.push_back({*a.processor_payment_method_token, std::nullopt, std::nullopt});
        a.processor_payment_method_token = c.payment_method->value;
    }
    if (c.created) a.transaction_created_at = c.created;
    if (!c.payment_method_details) return;
    a.payment_method_type = c.payment_method_details->type;
    if (const auto& card = c.payment_method_details->card) {
        a.payment_method_subtype = card->funding ? card->funding : card->brand;
        a.card_network = card->brand;
    }
}

// ---------------------------------------------------------------------------------------------
// Requests

inline std::string charge_path(std::string_view charge_id)
{
    // Stripe ids are [A-Za-z0-9_]; anything else is escaped so it cannot change the path.
    return "/v1/charges/" + percent_encode(charge_id);
}

inline outbound_request charge_request(std::string_view charge_id, std::string_view api_key)
{
    return {"GET", charge_path(charge_id), {bearer(api_key)}, {}};
}

// No Idempotency-Key: a repeated pay or void of one invoice is refused by Stripe, never applied twice.
inline outbound_request invoice_outcome_request(const merchant_reference_id& invoice, recovery_outcome outcome,
                                                std::string_view api_key)
{
    std::string_view action;
    std::string body;
    switch (outcome) {
    case recovery_outcome::succeeded: // we collected it ourselves: the invoice is paid outside Stripe
        action = "pay";
        body = "paid_out_of_band=true";
        break;
    case recovery_outcome::failed: // our retries are exhausted: nothing is left to collect
        action = "void";
        break;
    }
    return {"POST",
            "/v1/invoices/" + invoice.str() + "/" + std::string(action),
            {bearer(api_key), form_content_type_header()},
            std::move(body)};
}

} // namespace recoup::connectors::stripe_billing
