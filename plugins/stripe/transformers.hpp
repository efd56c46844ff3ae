// recoup Stripe processor: wire structs named like Stripe's JSON (the PaymentIntent, the error
// envelope), the decline mapping, the amount in Stripe's units, and the small conversions between
// them and the processor's charge request and result. Unknown fields are ignored.
#pragma once

#include <recoup/connectors/stripe_common/amounts.hpp>
#include <recoup/connectors/stripe_common/api.hpp>

#include <recoup/connector.hpp>
#include <recoup/decline.hpp>
#include <recoup/error.hpp>
#include <recoup/form.hpp>
#include <recoup/money.hpp>
#include <recoup/processor.hpp>
#include <recoup/result.hpp>
#include <recoup/wire.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace recoup::processors::stripe {

namespace json = boost::json;
using connectors::stripe_common::bearer;
using connectors::stripe_common::stripe_id;

// ---------------------------------------------------------------------------------------------
// PaymentIntent status

enum class intent_status {
    requires_payment_method,
    requires_confirmation,
    requires_action,
    processing,
    requires_capture,
    canceled,
    succeeded,
};

inline constexpr std::array<std::pair<std::string_view, intent_status>, 7> intent_statuses{{
    {"requires_payment_method", intent_status::requires_payment_method},
    {"requires_confirmation", intent_status::requires_confirmation},
    {"requires_action", intent_status::requires_action},
    {"processing", intent_status::processing},
    {"requires_capture", intent_status::requires_capture},
    {"canceled", intent_status::canceled},
    {"succeeded", intent_status::succeeded},
}};

inline intent_status tag_invoke(const json::value_to_tag<intent_status>&, const json::value& v)
{
    if (!v.is_string()) wire::raise(error::invalid_field, "", "expected string");
    for (const auto& [name, value] : intent_statuses)
        if (name == v.get_string()) return value;
    wire::raise(error::invalid_field, "", "unknown PaymentIntent status \"" + std::string(v.get_string()) + "\"");
}

// What the host does next. A failed intent (requires_payment_method, canceled) is read with its
// error; everything else is either done or still moving.
constexpr charge_status to_charge_status(intent_status s) noexcept
{
    switch (s) {
    case intent_status::succeeded: return charge_status::succeeded;
    case intent_status::processing:            // the network has not answered yet
    case intent_status::requires_action:       // the customer may still authenticate
    case intent_status::requires_confirmation: // not confirmed yet: confirm=true makes it rare
    case intent_status::requires_capture: return charge_status::pending; // authorized, not captured
    case intent_status::requires_payment_method: // the last confirmation failed
    case intent_status::canceled: return charge_status::failed;
    }
    return charge_status::failed; // not an enumerator: never collected
}

// ---------------------------------------------------------------------------------------------
// Declines

// The taxonomy is the library's (recoup/decline.hpp, docs/recovery.md): Stripe's decline_code
// (else the error's code), the issuer's network_decline_code and the network's
// network_advice_code, read for the card's brand when the error carries its payment method.

// ---------------------------------------------------------------------------------------------
// Wire structs

// The Error object: the body's `error`, and a PaymentIntent's `last_payment_error`.
struct stripe_error {
    std::string type; // card_error, invalid_request_error, idempotency_error, api_error ...
    std::optional<std::string> code, decline_code, message;
    std::optional<stripe_id> payment_intent;
    std::optional<std::string> network_decline_code, network_advice_code;
    std::optional<std::string> card_brand; // payment_method.card.brand, when the error carries the method
};

// payment_method.card.brand when the error has an expanded PaymentMethod with a card; nothing
// else of it is read (an id string, a method without a card: no brand).
inline std::optional<std::string> card_brand_of(const json::object& error)
{
    const auto* pm = error.if_contains("payment_method");
    if (!pm || !pm->is_object()) return std::nullopt;
    const auto* card = pm->as_object().if_contains("card");
    if (!card || !card->is_object()) return std::nullopt;
    return wire::optional<std::string>(card->as_object(), "brand");
}

inline stripe_error tag_invoke(const json::value_to_tag<stripe_error>&, const json::value& v)
{
    const auto& o = wire::as_object(v);
    return {wire::required<std::string>(o, "type"),
            wire::optional<std::string>(o, "code"),
            wire::optional<std::string>(o, "decline_code"),
            wire::optional<std::string>(o, "message"),
            wire::optional<stripe_id>(o, "payment_intent"),
            wire::optional<std::string>(o, "network_decline_code"),
            wire::optional<std::string>(o, "network_advice_code"),
            card_brand_of(o)};
}

// An error response: {"error": {...}}.
struct stripe_error_response {
    stripe_error error;
};

inline stripe_error_response tag_invoke(const json::value_to_tag<stripe_error_response>&, const json::value& v)
{
    return {wire::required<stripe_error>(wire::as_object(v), "error")};
}

struct stripe_payment_intent {
    std::string id;
    intent_status status = intent_status::requires_payment_method;
    std::optional<stripe_error> last_payment_error;
    std::optional<std::string> cancellation_reason;
};

inline stripe_payment_intent tag_invoke(const json::value_to_tag<stripe_payment_intent>&, const json::value& v)
{
    const auto& o = wire::as_object(v);
    return {wire::required<std::string>(o, "id"), wire::required<intent_status>(o, "status"),
            wire::optional<stripe_error>(o, "last_payment_error"),
            wire::optional<std::string>(o, "cancellation_reason")};
}

// ---------------------------------------------------------------------------------------------
// Conversions to the charge result

// The most specific code: the issuer's decline_code, else Stripe's code (expired_card), else the type.
inline std::string error_code_of(const stripe_error& e)
{
    return e.decline_code.value_or(e.code.value_or(e.type));
}

inline std::optional<std::string_view> view_of(const std::optional<std::string>& s)
{
    return s ? std::optional<std::string_view>(*s) : std::nullopt;
}

// A card decline: its class from every code Stripe gave, the decline kind that class implies,
// and the network's own codes kept as they are (check_storable bounds them).
inline charge_result declined(const stripe_error& e, std::optional<std::string> intent_id)
{
    auto code = error_code_of(e);
    const auto network = e.card_brand ? std::optional(network_from_brand(*e.card_brand)) : std::nullopt;
    const auto cls = classify_stripe(code, view_of(e.network_decline_code), view_of(e.network_advice_code), network);
    auto r = declined_charge(cls, std::move(code), e.message);
    r.processor_transaction_id = std::move(intent_id);
    r.network = network;
    r.network_decline_code = e.network_decline_code;
    r.network_advice_code = e.network_advice_code;
    return r;
}

// A rejected request (no such payment method, an amount below Stripe's minimum): asking again
// with the same token gets the same answer, so it is hard.
inline charge_result rejected(const stripe_error& e)
{
    return {charge_status::failed, decline_kind::hard, e.code.value_or(e.type), e.message, std::nullopt};
}

inline charge_result to_charge_result(const stripe_payment_intent& pi)
{
    charge_result r{to_charge_status(pi.status), std::nullopt, std::nullopt, std::nullopt, pi.id};
    if (pi.status == intent_status::requires_payment_method) {
        if (pi.last_payment_error) return declined(*pi.last_payment_error, pi.id);
        r.decline = decline_kind::soft;
        r.error_code = "requires_payment_method";
        r.error_message = "the PaymentIntent has no usable payment method";
    } else if (pi.status == intent_status::canceled) {
        r.error_code = pi.cancellation_reason.value_or("canceled");
        r.decline = decline_kind::soft; // "abandoned", "duplicate", "requested_by_customer", ...
        if (*r.error_code == "fraudulent") {
            r.decline_class = decline_class::fraud_suspected; // Radar canceled it
            r.decline = decline_kind_of(*r.decline_class);
        }
        r.error_message = "the PaymentIntent was canceled";
    }
    return r;
}

// ---------------------------------------------------------------------------------------------
// Amounts

// ISO minor units (recoup's amounts) to Stripe's `amount` (see <recoup/connectors/stripe_common/amounts.hpp>).
inline result<std::int64_t> stripe_amount(std::int64_t minor, const currency& cur)
{
    return connectors::stripe_common::to_stripe_amount(minor, cur);
}

// ---------------------------------------------------------------------------------------------
// Requests

inline std::string lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// Off-session and confirmed in one call: the customer is not there, and the answer is final
// unless Stripe reports the intent as still processing.
inline std::string payment_intent_form(const charge_request& c, std::int64_t amount)
{
    std::string body;
    append_form_field(body, "amount", std::to_string(amount));
    append_form_field(body, "currency", lower(c.currency.str()));
    append_form_field(body, "payment_method", c.payment_method_token);
    if (c.customer_id) append_form_field(body, "customer", *c.customer_id);
    append_form_field(body, "confirm", "true");
    append_form_field(body, "off_session", "true");
    if (c.description) append_form_field(body, "description", *c.description);
    append_form_field(body, "metadata[payment_id]", c.payment_id);
    append_form_field(body, "metadata[attempt_id]", c.attempt_id);
    return body;
}

inline constexpr std::string_view payment_intents_path = "/v1/payment_intents";

inline std::string payment_intent_path(std::string_view id)
{
    return std::string(payment_intents_path) + "/" + percent_encode(id);
}

} // namespace recoup::processors::stripe
