// recoup: the payment credential as the card networks count it. Their retry budgets are per card
// at a merchant, so recoup keys them on the profile (the merchant) and the payment method token:
// credential_id = hex SHA-256 of (profile id, NUL, token). payment_attempt.credential_id keeps it.
#pragma once

#include <recoup/crypto.hpp>
#include <recoup/decline.hpp>
#include <recoup/detail/config.hpp>

#include <optional>
#include <string>
#include <string_view>

RECOUP_BEGIN_NAMESPACE

inline std::string credential_id(std::string_view profile_id, std::string_view payment_method_token)
{
    std::string material;
    material.reserve(profile_id.size() + payment_method_token.size() + 1);
    material.append(profile_id).push_back('\0');
    material.append(payment_method_token);
    return hex_encode(sha256(material));
}

// The network of a method from what the platform reports: its card brand, else a subtype that
// names a brand (Stripe and Paddle put the brand there when there is no funding type). Nothing
// known: other, which the budget checks against the strictest rules (docs/recovery.md).
inline card_network network_of_method(const std::optional<std::string>& card_brand,
                                      const std::optional<std::string>& subtype = std::nullopt) noexcept
{
    if (card_brand) return network_from_brand(*card_brand);
    if (subtype) return network_from_brand(*subtype);
    return card_network::other;
}

// A platform's error code read as a Stripe decline code (the platforms that charge through Stripe
// pass its codes on): its class, or nothing when the code is not one of Stripe's.
inline std::optional<decline_class> class_of_platform_code(const std::optional<std::string>& error_code) noexcept
{
    if (!error_code) return std::nullopt;
    return detail::find_class(detail::stripe_codes, *error_code);
}

RECOUP_END_NAMESPACE
