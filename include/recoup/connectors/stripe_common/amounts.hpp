// Stripe's amount units, shared by the stripe_billing connector and the stripe processor. For a
// few currencies Stripe's integer `amount` is not in ISO 4217 minor units: ISK and UGX stay
// two-decimal at Stripe for backwards compatibility, MGA is zero-decimal. recoup's amounts are
// ISO minor units, so every amount crossing to or from Stripe goes through these, exactly.
#pragma once

#include <recoup/error.hpp>
#include <recoup/money.hpp>
#include <recoup/result.hpp>

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace recoup::connectors::stripe_common {

struct stripe_exponent {
    std::string_view code;
    int exponent;
};

inline constexpr std::array<stripe_exponent, 3> stripe_exponents{{{"ISK", 2}, {"MGA", 0}, {"UGX", 2}}};

inline int stripe_exponent_of(const currency& cur) noexcept
{
    for (const auto& [code, e] : stripe_exponents)
        if (code == cur.str()) return e;
    return cur.exponent;
}

namespace detail {

// Moves `amount` from `from` decimals to `to` decimals; exact or an error, never rounded.
inline result<std::int64_t> rescale(std::int64_t amount, int from, int to, const currency& cur,
                                    std::string_view field)
{
    std::int64_t out = amount;
    for (int i = from; i < to; ++i) {
        if (out > std::numeric_limits<std::int64_t>::max() / 10 || out < std::numeric_limits<std::int64_t>::min() / 10)
            return fail(error::amount_out_of_range, std::string(field), "too large for " + std::string(cur.str()));
        out *= 10;
    }
    for (int i = to; i < from; ++i) {
        if (out % 10 != 0)
            return fail(error::amount_out_of_range, std::string(field),
                        std::string(cur.str()) + " takes whole units at Stripe: " + std::to_string(amount) +
                            " is not a whole amount");
        out /= 10;
    }
    return out;
}

} // namespace detail

// ISO minor units (recoup's amounts) to Stripe's `amount`.
inline result<std::int64_t> to_stripe_amount(std::int64_t minor, const currency& cur,
                                             std::string_view field = "amount")
{
    return detail::rescale(minor, cur.exponent, stripe_exponent_of(cur), cur, field);
}

// Stripe's `amount` to ISO minor units.
inline result<std::int64_t> from_stripe_amount(std::int64_t amount, const currency& cur,
                                               std::string_view field = "amount")
{
    return detail::rescale(amount, stripe_exponent_of(cur), cur.exponent, cur, field);
}

} // namespace recoup::connectors::stripe_common
