// recoup: ISO 4217 currencies and exact conversion between decimal amounts and integer minor
// units. No floating-point arithmetic ever touches an amount: decimal text is read digit by digit,
// and a JSON number that arrives as a double is first turned back into its shortest decimal text.
#pragma once

#include <recoup/detail/config.hpp>
#include <recoup/error.hpp>
#include <recoup/result.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

RECOUP_BEGIN_NAMESPACE

// An ISO 4217 currency: three upper-case letters and the number of decimals of its minor unit
// (0 for JPY, 2 for USD, 3 for BHD, 4 for CLF).
struct currency {
    std::array<char, 3> code{};
    std::uint8_t exponent = 0;

    // A view into this object, not into a static table: keep the currency alive while it is used.
    constexpr std::string_view str() const noexcept { return {code.data(), code.size()}; }

    friend constexpr bool operator==(const currency&, const currency&) = default;
};

// Every currency recoup knows, sorted by code without duplicates.
constexpr std::span<const currency> all_currencies() noexcept;

// Exact lookup: three upper-case letters ("USD"); anything else is not found.
constexpr std::optional<currency> find_currency(std::string_view code) noexcept;

// Lookup for wire values: any letter case ("usd" from Stripe). Not 3 ASCII letters ->
// invalid_field; unknown -> unsupported_currency. `field` names the JSON path in the failure.
result<currency> parse_currency(std::string_view code, std::string_view field = "currency");

// Exact decimal text in major units to minor units ("10.1" USD -> 1010, "0.005" BHD -> 5).
// Grammar: JSON number, except that leading zeros are allowed ("007.5"):
//   ["-"] digits ["." digits] [("e" | "E") ["+" | "-"] digits]
// so "", ".", ".5", "1.", "+1", " 1", "1,00", "0x10", "nan" -> invalid_field. Negative, more
// decimals than the currency has (unless they are zeros: "10.500" USD is fine), or more than
// INT64_MAX minor units -> amount_out_of_range. "-0" is zero, not negative.
result<std::int64_t> decimal_to_minor_units(std::string_view decimal, currency cur,
                                            std::string_view field = "amount");

// A JSON number the parser already turned into a double (Recurly's 10.1): its shortest round-trip
// text reproduces the literal for any amount of up to 15 significant digits, and that text is
// converted exactly. A double that is not such an amount (0.1 + 0.2) fails instead of rounding.
// Non-finite -> invalid_field.
result<std::int64_t> json_number_to_minor_units(double value, currency cur,
                                                std::string_view field = "amount");

// Integer minor units straight from JSON (Chargebee, Stripe): negative -> amount_out_of_range.
result<std::int64_t> checked_minor_units(std::int64_t value, std::string_view field = "amount");

// Integer minor units sent as a string (Paddle's "33000"): ASCII digits only. "-5" ->
// amount_out_of_range; "", " 1", "1.0", "+1", "1e3" -> invalid_field; beyond INT64_MAX ->
// amount_out_of_range.
result<std::int64_t> string_to_minor_units(std::string_view text, std::string_view field = "amount");

// Minor units back to decimal text for request bodies: 1010 USD -> "10.10", 10 JPY -> "10",
// 5 BHD -> "0.005", -1010 USD -> "-10.10". decimal_to_minor_units reads it back unchanged.
std::string minor_units_to_decimal(std::int64_t minor, currency cur);

RECOUP_END_NAMESPACE

#include <recoup/impl/money.hpp>
