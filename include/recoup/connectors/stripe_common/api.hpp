// Stripe API pieces shared by the stripe_billing connector and the stripe processor: ids that
// may arrive expanded, and the Bearer authorization every request carries.
#pragma once

#include <recoup/connector.hpp>
#include <recoup/error.hpp>
#include <recoup/wire.hpp>

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace recoup::connectors::stripe_common {

// An id Stripe sends as "pi_123", or as the whole object when expanded (the payment_intent of a
// card error, any field the caller asked to expand).
struct stripe_id {
    std::string value;
};

inline stripe_id tag_invoke(const boost::json::value_to_tag<stripe_id>&, const boost::json::value& v)
{
    if (v.is_string()) return {std::string(v.get_string())};
    if (!v.is_object()) wire::raise(error::invalid_field, "", "expected string id or expanded object");
    return {wire::required<std::string>(v.get_object(), "id")};
}

inline std::optional<std::string> id_of(const std::optional<stripe_id>& id)
{
    return id ? std::optional<std::string>(id->value) : std::nullopt;
}

inline http_header bearer(std::string_view api_key)
{
    return {"Authorization", "Bearer " + std::string(api_key)};
}

} // namespace recoup::connectors::stripe_common
