// recoup simulator processor, its second mode: the answer comes from a loopback "issuer" (the
// one `recoupd simulate` runs) instead of the token. With the MCA setting "issuer_api": true,
// build_charge returns POST /v1/charges {token, amount, currency, idempotency_key} for the host
// to send to the MCA's base_url, and parse_charge reads the issuer's answer
// {status, decline_code, network, network_code, advice_code}. Pure: no I/O here.
#pragma once

#include <recoup/connector.hpp>
#include <recoup/decline.hpp>
#include <recoup/error.hpp>
#include <recoup/processor.hpp>
#include <recoup/result.hpp>

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace recoup::processors::simulator::issuer_api {

inline constexpr std::string_view setting = "issuer_api"; // true: answers come from the issuer
inline constexpr std::string_view charges_path = "/v1/charges";

inline bool enabled(const mca_config& mca)
{
    const auto* v = mca.setting(setting);
    return v != nullptr && v->is_bool() && v->get_bool();
}

inline outbound_request charge_request_of(const charge_request& c)
{
    boost::json::object body;
    body["token"] = c.payment_method_token;
    body["amount"] = c.amount;
    body["currency"] = c.currency.str();
    body["idempotency_key"] = c.idempotency_key;
    return {"POST",
            std::string(charges_path),
            {{"Content-Type", "application/json"}, {"Idempotency-Key", c.idempotency_key}},
            boost::json::serialize(body)};
}

namespace detail {
inline std::optional<std::string> text(const boost::json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_string() || v->as_string().empty()) return std::nullopt;
    return std::string(v->as_string());
}
} // namespace detail

// The issuer's answer, or nullopt when `body` is not one (no "status" member). A decline is
// classified by Stripe's mapping (the simulator speaks Stripe's decline codes) with the network's
// codes beside it.
inline std::optional<result<charge_result>> parse_answer(const http_response& response)
{
    boost::system::error_code ec;
    const auto doc = boost::json::parse(response.body, ec);
    if (ec || !doc.is_object() || !doc.as_object().contains("status")) return std::nullopt;
    const auto& o = doc.as_object();
    if (response.status != 200)
        return result<charge_result>(fail(error::sync_response_failed, std::string(charges_path),
                                          "the issuer answered HTTP " + std::to_string(response.status)));
    const auto status = detail::text(o, "status").value_or("");
    charge_result r;
    if (status == "succeeded") {
        r.status = charge_status::succeeded;
        return result<charge_result>(std::move(r));
    }
    if (status != "declined")
        return result<charge_result>(
            fail(error::invalid_field, "status", "the issuer answered status \"" + status + "\""));
    // The decline code speaks Stripe's vocabulary, so Stripe's mapping classifies it (decline.hpp).
    const auto code = detail::text(o, "decline_code").value_or("generic_decline");
    const auto brand = detail::text(o, "network");
    const auto network_code = detail::text(o, "network_code");
    const auto advice_code = detail::text(o, "advice_code");
    const std::optional<card_network> network = brand ? std::optional(network_from_brand(*brand)) : std::nullopt;
    const auto view = [](const std::optional<std::string>& s) {
        return s ? std::optional<std::string_view>(*s) : std::nullopt;
    };
    const auto cls = classify_stripe(code, view(network_code), view(advice_code), network);
    std::string message = "issuer declined: " + code + " (" + brand.value_or("card");
    if (network_code) message += " code " + *network_code;
    if (advice_code) message += ", advice " + *advice_code;
    r = declined_charge(cls, code, message + ")");
    r.network = network;
    r.network_decline_code = network_code;
    r.network_advice_code = advice_code;
    return result<charge_result>(std::move(r));
}

} // namespace recoup::processors::simulator::issuer_api
