#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

RECOUP_BEGIN_NAMESPACE

namespace detail {

// A table row from a literal, so the table reads like the ISO list.
consteval currency iso4217(const char (&code)[4], std::uint8_t exponent)
{
    return currency{{code[0], code[1], code[2]}, exponent};
}

// A code ISO 4217 no longer lists but billing platforms may still send.
consteval currency withdrawn(const char (&code)[4], std::uint8_t exponent)
{
    return iso4217(code, exponent);
}

// ISO 4217 list one as published 2026-01-01, sorted by code. Left out: codes whose minor unit is
// "N.A." (metals XAU XAG XPD XPT, XDR, XSU, XUA, bond units XBA-XBD, XTS, XXX), which nothing
// invoices in. Kept although withdrawn in 2024-2026 (ANG, BGN, SLL, ZWL): invoices issued before
// the switch can still be in dunning.
inline constexpr std::array currency_table{
    // clang-format off
    iso4217("AED", 2), iso4217("AFN", 2), iso4217("ALL", 2), iso4217("AMD", 2), withdrawn("ANG", 2),
    iso4217("AOA", 2), iso4217("ARS", 2), iso4217("AUD", 2), iso4217("AWG", 2), iso4217("AZN", 2),
    iso4217("BAM", 2), iso4217("BBD", 2), iso4217("BDT", 2), withdrawn("BGN", 2),
    iso4217("BHD", 3), iso4217("BIF", 0), iso4217("BMD", 2), iso4217("BND", 2), iso4217("BOB", 2),
    iso4217("BOV", 2), iso4217("BRL", 2), iso4217("BSD", 2), iso4217("BTN", 2), iso4217("BWP", 2),
    iso4217("BYN", 2), iso4217("BZD", 2),
    iso4217("CAD", 2), iso4217("CDF", 2), iso4217("CHE", 2), iso4217("CHF", 2), iso4217("CHW", 2),
    iso4217("CLF", 4), iso4217("CLP", 0), iso4217("CNY", 2), iso4217("COP", 2), iso4217("COU", 2),
    iso4217("CRC", 2), iso4217("CUP", 2), iso4217("CVE", 2), iso4217("CZK", 2),
    iso4217("DJF", 0), iso4217("DKK", 2), iso4217("DOP", 2), iso4217("DZD", 2),
    iso4217("EGP", 2), iso4217("ERN", 2), iso4217("ETB", 2), iso4217("EUR", 2),
    iso4217("FJD", 2), iso4217("FKP", 2),
    iso4217("GBP", 2), iso4217("GEL", 2), iso4217("GHS", 2), iso4217("GIP", 2), iso4217("GMD", 2),
    iso4217("GNF", 0), iso4217("GTQ", 2), iso4217("GYD", 2),
    iso4217("HKD", 2), iso4217("HNL", 2), iso4217("HTG", 2), iso4217("HUF", 2),
    iso4217("IDR", 2), iso4217("ILS", 2), iso4217("INR", 2), iso4217("IQD", 3), iso4217("IRR", 2),
    iso4217("ISK", 0),
    iso4217("JMD", 2), iso4217("JOD", 3), iso4217("JPY", 0),
    iso4217("KES", 2), iso4217("KGS", 2), iso4217("KHR", 2), iso4217("KMF", 0), iso4217("KPW", 2),
    iso4217("KRW", 0), iso4217("KWD", 3), iso4217("KYD", 2), iso4217("KZT", 2),
    iso4217("LAK", 2), iso4217("LBP", 2), iso4217("LKR", 2), iso4217("LRD", 2), iso4217("LSL", 2),
    iso4217("LYD", 3),
    iso4217("MAD", 2), iso4217("MDL", 2), iso4217("MGA", 2), iso4217("MKD", 2), iso4217("MMK", 2),
    iso4217("MNT", 2), iso4217("MOP", 2), iso4217("MRU", 2), iso4217("MUR", 2), iso4217("MVR", 2),
    iso4217("MWK", 2), iso4217("MXN", 2), iso4217("MXV", 2), iso4217("MYR", 2), iso4217("MZN", 2),
    iso4217("NAD", 2), iso4217("NGN", 2), iso4217("NIO", 2), iso4217("NOK", 2), iso4217("NPR", 2),
    iso4217("NZD", 2),
    iso4217("OMR", 3),
    iso4217("PAB", 2), iso4217("PEN", 2), iso4217("PGK", 2), iso4217("PHP", 2), iso4217("PKR", 2),
    iso4217("PLN", 2), iso4217("PYG", 0),
    iso4217("QAR", 2),
    iso4217("RON", 2), iso4217("RSD", 2), iso4217("RUB", 2), iso4217("RWF", 0),
    iso4217("SAR", 2), iso4217("SBD", 2), iso4217("SCR", 2), iso4217("SDG", 2), iso4217("SEK", 2),
    iso4217("SGD", 2), iso4217("SHP", 2), iso4217("SLE", 2), withdrawn("SLL", 2),
    iso4217("SOS", 2), iso4217("SRD", 2), iso4217("SSP", 2), iso4217("STN", 2), iso4217("SVC", 2),
    iso4217("SYP", 2), iso4217("SZL", 2),
    iso4217("THB", 2), iso4217("TJS", 2), iso4217("TMT", 2), iso4217("TND", 3), iso4217("TOP", 2),
    iso4217("TRY", 2), iso4217("TTD", 2), iso4217("TWD", 2), iso4217("TZS", 2),
    iso4217("UAH", 2), iso4217("UGX", 0), iso4217("USD", 2), iso4217("USN", 2), iso4217("UYI", 0),
    iso4217("UYU", 2), iso4217("UYW", 4), iso4217("UZS", 2),
    iso4217("VED", 2), iso4217("VES", 2), iso4217("VND", 0), iso4217("VUV", 0),
    iso4217("WST", 2),
    iso4217("XAD", 2), iso4217("XAF", 0), iso4217("XCD", 2), iso4217("XCG", 2), iso4217("XOF", 0),
    iso4217("XPF", 0),
    iso4217("YER", 2),
    iso4217("ZAR", 2), iso4217("ZMW", 2), iso4217("ZWG", 2), withdrawn("ZWL", 2),
    // clang-format on
};

// find_currency binary-searches, so a misplaced row would silently hide codes.
static_assert(std::is_sorted(currency_table.begin(), currency_table.end(),
                             [](const currency& a, const currency& b) { return a.code < b.code; }));
static_assert(std::adjacent_find(currency_table.begin(), currency_table.end(),
                                 [](const currency& a, const currency& b) {
                                     return a.code == b.code;
                                 }) == currency_table.end());

// Larger than any string's length, so saturating the exponent never changes the outcome.
inline constexpr std::int64_t exponent_cap = 1'000'000'000'000'000;

// Digits of INT64_MAX: more significant digits than this can never fit.
inline constexpr std::int64_t max_minor_digits = std::numeric_limits<std::int64_t>::digits10 + 1;

// A decimal number split into its parts, still as text.
struct decimal_text {
    bool negative = false;
    std::string_view integer;  // digits before the point, never empty
    std::string_view fraction; // digits after the point
    std::int64_t exponent = 0; // saturated at +-exponent_cap
};

// JSON number grammar with leading zeros allowed; false for anything else.
constexpr bool split_decimal(std::string_view s, decimal_text& out) noexcept
{
    std::size_t i = 0;
    auto digits = [&] { // ASCII only: std::isdigit would depend on the locale
        const std::size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        return s.substr(start, i - start);
    };
    if (i < s.size() && s[i] == '-') {
        out.negative = true;
        ++i;
    }
    out.integer = digits();
    if (out.integer.empty()) return false; // "", "-", ".5", "+1", " 1", "nan"
    if (i < s.size() && s[i] == '.') {
        ++i;
        out.fraction = digits();
        if (out.fraction.empty()) return false; // "1.", "1.e5", "1..2"
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        bool negative_exponent = false;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative_exponent = s[i++] == '-';
        const auto exponent_digits = digits();
        if (exponent_digits.empty()) return false; // "1e", "1e+"
        std::int64_t e = 0;
        for (char c : exponent_digits) e = std::min(e * 10 + (c - '0'), exponent_cap);
        out.exponent = negative_exponent ? -e : e;
    }
    return i == s.size(); // "1 ", "1,00", "0x10"
}

inline constexpr char too_large[] = "more than INT64_MAX minor units";

inline std::string decimals_detail(currency cur)
{
    return "more than " + std::to_string(cur.exponent) + " decimal places for " +
           std::string(cur.str());
}

} // namespace detail

constexpr std::span<const currency> all_currencies() noexcept
{
    return detail::currency_table;
}

constexpr std::optional<currency> find_currency(std::string_view code) noexcept
{
    if (code.size() != 3) return std::nullopt;
    const std::array<char, 3> key{code[0], code[1], code[2]};
    const auto& table = detail::currency_table;
    const auto it = std::lower_bound(
        table.begin(), table.end(), key,
        [](const currency& c, const std::array<char, 3>& k) { return c.code < k; });
    if (it == table.end() || it->code != key) return std::nullopt;
    return *it;
}

inline result<currency> parse_currency(std::string_view code, std::string_view field)
{
    if (code.size() != 3)
        return fail(error::invalid_field, std::string(field), "expected 3 letters");
    std::array<char, 3> upper{};
    for (std::size_t i = 0; i < 3; ++i) {
        char c = code[i];
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A'); // Stripe sends "usd"
        if (c < 'A' || c > 'Z')
            return fail(error::invalid_field, std::string(field), "expected 3 letters");
        upper[i] = c;
    }
    if (auto found = find_currency({upper.data(), upper.size()})) return *found;
    return fail(error::unsupported_currency, std::string(field),
                "\"" + std::string(code) + "\" is not an ISO 4217 code recoup knows");
}

inline result<std::int64_t> decimal_to_minor_units(std::string_view decimal, currency cur,
                                                   std::string_view field)
{
    detail::decimal_text text;
    if (!detail::split_decimal(decimal, text))
        return fail(error::invalid_field, std::string(field), "not a decimal number");

    // The value in minor units is the integer spelled by head then tail, times 10^scale.
    std::string_view head = text.integer;
    std::string_view tail = text.fraction;
    std::int64_t scale = text.exponent + cur.exponent - static_cast<std::int64_t>(tail.size());
    // Trailing zeros only move the scale, so "10.500" USD is as exact as "10.50".
    while (!tail.empty() && tail.back() == '0') {
        tail.remove_suffix(1);
        ++scale;
    }
    if (tail.empty()) {
        while (!head.empty() && head.back() == '0') {
            head.remove_suffix(1);
            ++scale;
        }
    }
    // Leading zeros carry no value ("007.5", "0.005").
    while (!head.empty() && head.front() == '0') head.remove_prefix(1);
    if (head.empty())
        while (!tail.empty() && tail.front() == '0') tail.remove_prefix(1);

    if (head.empty() && tail.empty()) return std::int64_t{0}; // zero, whatever its sign or exponent
    if (text.negative)
        return fail(error::amount_out_of_range, std::string(field), "negative amount");
    if (scale < 0)
        return fail(error::amount_out_of_range, std::string(field), detail::decimals_detail(cur));
    const auto digits = static_cast<std::int64_t>(head.size() + tail.size());
    if (digits + scale > detail::max_minor_digits)
        return fail(error::amount_out_of_range, std::string(field), detail::too_large);

    // At most 19 digits now, so the unsigned accumulator cannot overflow.
    std::uint64_t value = 0;
    for (char c : head) value = value * 10 + static_cast<std::uint64_t>(c - '0');
    for (char c : tail) value = value * 10 + static_cast<std::uint64_t>(c - '0');
    for (std::int64_t i = 0; i < scale; ++i) value *= 10;
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return fail(error::amount_out_of_range, std::string(field), detail::too_large);
    return static_cast<std::int64_t>(value);
}

inline result<std::int64_t> json_number_to_minor_units(double value, currency cur,
                                                       std::string_view field)
{
    if (!std::isfinite(value))
        return fail(error::invalid_field, std::string(field), "not a finite number");
    // Shortest round-trip text: the literal the platform wrote, for up to 15 significant digits.
    std::array<char, 64> buffer{};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    if (ec != std::errc{})
        return fail(error::invalid_field, std::string(field), "not a decimal number");
    const auto length = static_cast<std::size_t>(end - buffer.data());
    return decimal_to_minor_units(std::string_view(buffer.data(), length), cur, field);
}

inline result<std::int64_t> checked_minor_units(std::int64_t value, std::string_view field)
{
    if (value < 0) return fail(error::amount_out_of_range, std::string(field), "negative amount");
    return value;
}

inline result<std::int64_t> string_to_minor_units(std::string_view text, std::string_view field)
{
    const bool negative = text.starts_with('-');
    const auto digits = negative ? text.substr(1) : text;
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return fail(error::invalid_field, std::string(field), "expected integer minor units as a string");
    if (negative) return fail(error::amount_out_of_range, std::string(field), "negative amount");
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || end != digits.data() + digits.size())
        return fail(error::amount_out_of_range, std::string(field), "amount exceeds INT64_MAX minor units");
    return value;
}

inline std::string minor_units_to_decimal(std::int64_t minor, currency cur)
{
    // Unsigned magnitude, so INT64_MIN does not overflow when negated.
    const std::uint64_t magnitude = minor < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(minor)
                                              : static_cast<std::uint64_t>(minor);
    std::array<char, 24> buffer{};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), magnitude);
    std::string out(buffer.data(), end);
    const std::size_t decimals = cur.exponent;
    // Pad so there is at least one digit before the point: 5 BHD -> "0.005".
    if (out.size() <= decimals) out.insert(0, decimals + 1 - out.size(), '0');
    if (decimals > 0) out.insert(out.size() - decimals, 1, '.');
    if (minor < 0) out.insert(0, 1, '-');
    return out;
}

RECOUP_END_NAMESPACE
