// Test that the header is self-contained: it comes first.
#include <recoup/money.hpp>

#define BOOST_TEST_MODULE money
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

using recoup::error;

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();

// Compile-time lookups: the table and find_currency are constexpr.
static_assert(recoup::find_currency("JPY")->exponent == 0);
static_assert(recoup::find_currency("BHD")->exponent == 3);
static_assert(!recoup::find_currency("usd").has_value());

recoup::currency cur(std::string_view code)
{
    const auto found = recoup::find_currency(code);
    BOOST_TEST_REQUIRE(found.has_value(), "currency " << code << " missing from the table");
    return *found;
}

// Deterministic pseudo-random numbers (a 64-bit LCG): reproducible failures.
struct lcg {
    std::uint64_t state = 0x9E3779B97F4A7C15u;
    std::uint64_t next()
    {
        state = state * 6364136223846793005u + 1442695040888963407u;
        return state >> 11;
    }
};

void expect_minor(std::string_view decimal, std::string_view code, std::int64_t expected)
{
    BOOST_TEST_CONTEXT("\"" << decimal << "\" " << code)
    {
        const auto r = recoup::decimal_to_minor_units(decimal, cur(code));
        if (!r) {
            BOOST_ERROR("unexpected failure: " << r.error().what());
            return;
        }
        BOOST_TEST(*r == expected);
    }
}

void expect_failure(std::string_view decimal, std::string_view code, error expected)
{
    BOOST_TEST_CONTEXT("\"" << decimal << "\" " << code)
    {
        const auto r = recoup::decimal_to_minor_units(decimal, cur(code), "content.invoice.total");
        BOOST_TEST_REQUIRE(r.has_error(), "accepted as " << (r ? *r : 0));
        BOOST_TEST((r.error().code == expected), "got " << recoup::to_string(r.error().code));
        BOOST_TEST(r.error().field == "content.invoice.total");
    }
}

// What Boost.JSON does with a number literal: the nearest double.
double parse_double(std::string_view text)
{
    double d = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec != std::errc{} || end != text.data() + text.size())
        BOOST_FAIL("from_chars cannot parse " << text);
    return d;
}

void expect_json(double value, std::string_view code, std::int64_t expected)
{
    BOOST_TEST_CONTEXT(value << " " << code)
    {
        const auto r = recoup::json_number_to_minor_units(value, cur(code));
        if (!r) {
            BOOST_ERROR("unexpected failure: " << r.error().what());
            return;
        }
        BOOST_TEST(*r == expected);
    }
}

void expect_json_failure(double value, std::string_view code, error expected)
{
    BOOST_TEST_CONTEXT(value << " " << code)
    {
        const auto r = recoup::json_number_to_minor_units(value, cur(code), "amount_paid");
        BOOST_TEST_REQUIRE(r.has_error(), "accepted as " << (r ? *r : 0));
        BOOST_TEST((r.error().code == expected), "got " << recoup::to_string(r.error().code));
        BOOST_TEST(r.error().field == "amount_paid");
    }
}

std::set<std::string> codes_with_exponent(unsigned exponent)
{
    std::set<std::string> out;
    for (const auto& c : recoup::all_currencies())
        if (c.exponent == exponent) out.emplace(c.str());
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(currency_table)

BOOST_AUTO_TEST_CASE(table_is_sorted_unique_and_complete)
{
    const auto table = recoup::all_currencies();
    BOOST_TEST(table.size() >= 150u);
    const auto by_code = [](const recoup::currency& a, const recoup::currency& b) {
        return a.code < b.code;
    };
    BOOST_TEST(std::is_sorted(table.begin(), table.end(), by_code));
    BOOST_TEST((std::adjacent_find(table.begin(), table.end()) == table.end()));
    for (const auto& c : table) {
        BOOST_TEST_CONTEXT(c.str())
        {
            BOOST_TEST(std::all_of(c.code.begin(), c.code.end(),
                                   [](char ch) { return ch >= 'A' && ch <= 'Z'; }));
            BOOST_TEST((c.exponent == 0 || c.exponent == 2 || c.exponent == 3 || c.exponent == 4));
            // Every row is reachable through the binary search.
            const auto found = recoup::find_currency(c.str());
            BOOST_TEST_REQUIRE(found.has_value());
            BOOST_TEST((*found == c));
        }
    }
}

BOOST_AUTO_TEST_CASE(exponents_other_than_two_are_exactly_these)
{
    const std::set<std::string> zero{"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
                                     "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"};
    const std::set<std::string> three{"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
    const std::set<std::string> four{"CLF", "UYW"};
    BOOST_TEST(codes_with_exponent(0) == zero, boost::test_tools::per_element());
    BOOST_TEST(codes_with_exponent(3) == three, boost::test_tools::per_element());
    BOOST_TEST(codes_with_exponent(4) == four, boost::test_tools::per_element());
    for (std::string_view code : {"USD", "EUR", "GBP", "CAD", "AUD", "INR", "MGA", "HUF", "XCD"})
        BOOST_TEST(cur(code).exponent == 2, code);
}

BOOST_AUTO_TEST_CASE(funds_and_recent_codes_are_known_and_unpriced_units_are_not)
{
    for (std::string_view code : {"USN", "CHE", "CHW", "BOV", "COU", "MXV", "XCG", "ZWG", "SLE",
                                  "VED", "VES", "STN", "MRU", "XAD", "ANG", "BGN", "SLL", "ZWL"})
        BOOST_TEST(recoup::find_currency(code).has_value(), code);
    // Minor unit "N.A." in ISO 4217: nothing is invoiced in them.
    for (std::string_view code : {"XAU", "XAG", "XPD", "XPT", "XDR", "XSU", "XUA", "XBA", "XBB",
                                  "XBC", "XBD", "XTS", "XXX", "HRK", "LTL", "VEF"})
        BOOST_TEST(!recoup::find_currency(code).has_value(), code);
}

BOOST_AUTO_TEST_CASE(find_currency_is_exact)
{
    const auto usd = recoup::find_currency("USD");
    BOOST_TEST_REQUIRE(usd.has_value());
    BOOST_TEST(usd->str() == "USD");
    BOOST_TEST(usd->exponent == 2);
    for (std::string_view code : {"usd", "Usd", "US", "USDD", "", "XXY", "AAA", "ZZZ", "US "})
        BOOST_TEST(!recoup::find_currency(code).has_value(), '"' << code << '"');
    BOOST_TEST(recoup::find_currency("AED").has_value()); // first row
    BOOST_TEST(recoup::find_currency("ZWL").has_value()); // last row
}

BOOST_AUTO_TEST_CASE(parse_currency_accepts_any_case)
{
    for (std::string_view code : {"usd", "USD", "Usd", "uSD"}) {
        const auto r = recoup::parse_currency(code);
        BOOST_TEST_REQUIRE(r.has_value(), code);
        BOOST_TEST((*r == cur("USD")));
        BOOST_TEST(r->str() == "USD");
    }
    const auto jpy = recoup::parse_currency("jpy");
    BOOST_TEST_REQUIRE(jpy.has_value());
    BOOST_TEST(jpy->exponent == 0);
}

BOOST_AUTO_TEST_CASE(parse_currency_unknown_code)
{
    const auto r = recoup::parse_currency("XXY", "content.invoice.currency_code");
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().code == error::unsupported_currency));
    BOOST_TEST(r.error().field == "content.invoice.currency_code");
    BOOST_TEST(r.error().detail.find("XXY") != std::string::npos);

    const auto lower = recoup::parse_currency("xxy");
    BOOST_TEST_REQUIRE(lower.has_error());
    BOOST_TEST((lower.error().code == error::unsupported_currency));
    BOOST_TEST(lower.error().field == "currency"); // the default
}

BOOST_AUTO_TEST_CASE(parse_currency_not_three_letters)
{
    for (std::string_view code : {"", "U", "US", "USDD", "US D", "U1D", "US$", " US", "12 ", "U\0D",
                                  "\xC3\x9CSD"}) {
        BOOST_TEST_CONTEXT('"' << code << '"')
        {
            const auto r = recoup::parse_currency(code, "data.object.currency");
            BOOST_TEST_REQUIRE(r.has_error());
            BOOST_TEST((r.error().code == error::invalid_field));
            BOOST_TEST(r.error().field == "data.object.currency");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(decimal_to_minor_units)

BOOST_AUTO_TEST_CASE(two_decimals)
{
    expect_minor("10.1", "USD", 1010);
    expect_minor("10.10", "USD", 1010);
    expect_minor("10.50", "USD", 1050);
    expect_minor("10.500", "USD", 1050);
    expect_minor("10.5000000000000000000000000", "USD", 1050);
    expect_minor("10", "USD", 1000);
    expect_minor("0", "USD", 0);
    expect_minor("0.00", "USD", 0);
    expect_minor("0.01", "USD", 1);
    expect_minor("0.07", "EUR", 7);
    expect_minor("19.99", "USD", 1999);
    expect_minor("1234567.89", "USD", 123456789);
    expect_minor("007.5", "USD", 750);
    expect_minor("000", "USD", 0);
    expect_minor("100", "GBP", 10000);
    expect_minor("1000000", "USD", 100000000);
}

BOOST_AUTO_TEST_CASE(zero_decimals)
{
    expect_minor("10", "JPY", 10);
    expect_minor("10.0", "JPY", 10);
    expect_minor("10.000", "KRW", 10);
    expect_minor("1500", "CLP", 1500);
    expect_minor("0", "VND", 0);
    expect_minor("250000", "UGX", 250000);
    expect_failure("10.5", "JPY", error::amount_out_of_range);
    expect_failure("0.1", "XOF", error::amount_out_of_range);
}

BOOST_AUTO_TEST_CASE(three_decimals)
{
    expect_minor("0.005", "BHD", 5);
    expect_minor("1.234", "KWD", 1234);
    expect_minor("1.2340", "OMR", 1234);
    expect_minor("10", "JOD", 10000);
    expect_minor("10.1", "TND", 10100);
    expect_failure("1.2345", "BHD", error::amount_out_of_range);
    expect_failure("0.0005", "IQD", error::amount_out_of_range);
}

BOOST_AUTO_TEST_CASE(four_decimals)
{
    expect_minor("12.3456", "CLF", 123456);
    expect_minor("0.0001", "CLF", 1);
    expect_minor("1", "UYW", 10000);
    expect_minor("1.00010", "UYW", 10001);
    expect_failure("0.00001", "CLF", error::amount_out_of_range);
}

BOOST_AUTO_TEST_CASE(too_many_decimals)
{
    expect_failure("10.505", "USD", error::amount_out_of_range);
    expect_failure("10.001", "USD", error::amount_out_of_range);
    expect_failure("0.001", "EUR", error::amount_out_of_range);
    expect_failure("10.5050", "USD", error::amount_out_of_range);
    const auto r = recoup::decimal_to_minor_units("10.505", cur("USD"));
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST(r.error().field == "amount"); // the default
    BOOST_TEST(r.error().detail == "more than 2 decimal places for USD");
}

BOOST_AUTO_TEST_CASE(exponent_notation)
{
    expect_minor("1e3", "USD", 100000);
    expect_minor("1E3", "USD", 100000);
    expect_minor("1.5E+2", "USD", 15000);
    expect_minor("1e-2", "USD", 1);
    expect_minor("1e+0", "USD", 100);
    expect_minor("1e-0", "USD", 100);
    expect_minor("12.5e-1", "USD", 125);
    expect_minor("0.0101e2", "USD", 101);
    expect_minor("100e-4", "USD", 1);
    expect_minor("1.0e-2", "USD", 1);
    expect_minor("1e07", "JPY", 10000000);
    expect_minor("5e-3", "BHD", 5);
    expect_minor("1.2e-3", "CLF", 12);
    expect_minor("0e400", "USD", 0);
    expect_minor("0.000e-400", "USD", 0);
    expect_minor("0e99999999999999999999999999", "USD", 0);
    expect_failure("1e-3", "USD", error::amount_out_of_range);
    expect_failure("1e400", "USD", error::amount_out_of_range);
    expect_failure("1e-400", "USD", error::amount_out_of_range);
    expect_failure("1e99999999999999999999999999", "USD", error::amount_out_of_range);
    expect_failure("1e-99999999999999999999999999", "USD", error::amount_out_of_range);
    expect_failure("1e17", "USD", error::amount_out_of_range);
}

BOOST_AUTO_TEST_CASE(negative_amounts)
{
    expect_failure("-1", "USD", error::amount_out_of_range);
    expect_failure("-0.01", "USD", error::amount_out_of_range);
    expect_failure("-1e3", "JPY", error::amount_out_of_range);
    expect_failure("-10.505", "USD", error::amount_out_of_range);
    expect_failure("-99999999999999999999999", "USD", error::amount_out_of_range);
    const auto r = recoup::decimal_to_minor_units("-1", cur("USD"));
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST(r.error().detail == "negative amount");
    // Negative zero is zero (JSON allows "-0"; a double -0.0 prints as "-0").
    expect_minor("-0", "USD", 0);
    expect_minor("-0.00", "USD", 0);
    expect_minor("-0e5", "USD", 0);
}

BOOST_AUTO_TEST_CASE(int64_boundary)
{
    // INT64_MAX = 9223372036854775807 minor units, exactly representable.
    expect_minor("92233720368547758.07", "USD", int64_max);
    expect_failure("92233720368547758.08", "USD", error::amount_out_of_range);
    expect_minor("9223372036854775807", "JPY", int64_max);
    expect_failure("9223372036854775808", "JPY", error::amount_out_of_range);
    expect_minor("9223372036854775.807", "BHD", int64_max);
    expect_failure("9223372036854775.808", "BHD", error::amount_out_of_range);
    expect_minor("922337203685477.5807", "CLF", int64_max);
    expect_failure("922337203685477.5808", "CLF", error::amount_out_of_range);
    expect_minor("9.223372036854775807e18", "JPY", int64_max);
    expect_minor("9223372036854775807000e-3", "JPY", int64_max);
    expect_minor("9223372036854775807.000", "JPY", int64_max);
    expect_minor("00000000000000000000000009223372036854775807", "JPY", int64_max);
    expect_minor("9000000000000000000", "JPY", 9'000'000'000'000'000'000);
    expect_minor("9e18", "JPY", 9'000'000'000'000'000'000);
    expect_failure("1e19", "JPY", error::amount_out_of_range);
    expect_failure("10000000000000000000", "JPY", error::amount_out_of_range);
    expect_failure("18446744073709551616", "JPY", error::amount_out_of_range); // 2^64
    expect_failure("99999999999999999999", "JPY", error::amount_out_of_range);
    expect_failure("100000000000000000", "USD", error::amount_out_of_range);
    expect_failure("123456789012345678901234567890", "USD", error::amount_out_of_range);
    const auto r = recoup::decimal_to_minor_units("1e400", cur("USD"));
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST(r.error().detail == "more than INT64_MAX minor units");
}

BOOST_AUTO_TEST_CASE(garbage_is_invalid_field)
{
    const std::vector<std::string_view> garbage{
        "",      ".",      "1.",       ".5",      "-.5",   "1,00",  "abc",    " 1",   "1 ",
        "0x10",  "1..2",   "nan",      "NaN",     "inf",   "-inf",  "Infinity", "+1", "+0",
        "-",     "--1",    "1-",       "1e",      "1e+",   "1e-",   "1E",     "e5",   "1.e5",
        "1e5.0", "1e1e1",  "1.2.3",    "10.5 ",   "\t10",  "10\n",  "1_000",  "1'000", "$10",
        "10USD", "１０",   "1/2",      "0b1",     "1f",    "1d",    "1e+-1",  "1.-1", "--",
        std::string_view("1\0", 2)};
    for (auto text : garbage) expect_failure(text, "USD", error::invalid_field);
    const auto r = recoup::decimal_to_minor_units("1,00", cur("USD"));
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST(r.error().detail == "not a decimal number");
    BOOST_TEST(r.error().what() == "field \"amount\": invalid field: not a decimal number");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(json_number_to_minor_units)

BOOST_AUTO_TEST_CASE(parsed_literals_are_exact)
{
    expect_json(10.1, "USD", 1010);
    expect_json(19.99, "USD", 1999);
    expect_json(1234567.89, "USD", 123456789);
    expect_json(0.07, "USD", 7);
    expect_json(0.3, "USD", 30);
    expect_json(0.29, "USD", 29); // 0.29 * 100 is 28.999999999999996 in floating point
    expect_json(1.15, "USD", 115);
    expect_json(4.35, "USD", 435);
    expect_json(0.01, "USD", 1);
    expect_json(100.0, "USD", 10000);
    expect_json(0.0, "USD", 0);
    expect_json(-0.0, "USD", 0);
    expect_json(1500.0, "JPY", 1500);
    expect_json(1.234, "BHD", 1234);
    expect_json(0.005, "KWD", 5);
    expect_json(12.3456, "CLF", 123456);
    expect_json(9999999999999.99, "USD", 999999999999999); // 15 significant digits
    expect_json(1e7, "USD", 1000000000);
    expect_json(1e15, "JPY", 1000000000000000);
    expect_json(9e18, "JPY", 9'000'000'000'000'000'000); // printed as "9e+18"
    expect_json(parse_double("10.1"), "USD", 1010);
    expect_json(parse_double("1.5E+2"), "USD", 15000);
    expect_json(parse_double("1e-2"), "USD", 1);
}

BOOST_AUTO_TEST_CASE(arithmetic_results_fail_instead_of_rounding)
{
    // 0.1 + 0.2 is 0.30000000000000004: no platform sent that, so it must not become 30.
    expect_json_failure(0.1 + 0.2, "USD", error::amount_out_of_range);
    expect_json_failure(10.001, "USD", error::amount_out_of_range);
    expect_json_failure(10.5, "JPY", error::amount_out_of_range);
    expect_json_failure(1e-7, "USD", error::amount_out_of_range);
    expect_json_failure(-10.1, "USD", error::amount_out_of_range);
    expect_json_failure(1e300, "USD", error::amount_out_of_range);
    expect_json_failure(1e17, "USD", error::amount_out_of_range);
    expect_json_failure(std::numeric_limits<double>::max(), "USD", error::amount_out_of_range);
    const double tiny = std::numeric_limits<double>::denorm_min();
    expect_json_failure(tiny, "USD", error::amount_out_of_range);
}

BOOST_AUTO_TEST_CASE(non_finite_is_invalid_field)
{
    expect_json_failure(std::numeric_limits<double>::quiet_NaN(), "USD", error::invalid_field);
    expect_json_failure(std::numeric_limits<double>::infinity(), "USD", error::invalid_field);
    expect_json_failure(-std::numeric_limits<double>::infinity(), "USD", error::invalid_field);
}

BOOST_AUTO_TEST_CASE(every_amount_a_json_parser_produces_comes_back_exact)
{
    // Text -> nearest double (what the JSON parser does) -> minor units must give the text back.
    const auto check = [](std::int64_t minor, recoup::currency c) {
        const auto text = recoup::minor_units_to_decimal(minor, c);
        const auto r = recoup::json_number_to_minor_units(parse_double(text), c);
        if (!r || *r != minor)
            BOOST_ERROR(text << " " << c.str() << " -> "
                             << (r ? std::to_string(*r) : r.error().what()));
    };
    const auto usd = cur("USD");
    for (std::int64_t minor = 0; minor <= 200'000; ++minor) check(minor, usd);
    const std::vector<recoup::currency> currencies{usd, cur("JPY"), cur("BHD"), cur("CLF")};
    lcg random;
    for (int i = 0; i < 100'000; ++i) {
        const auto fifteen_digits =
            static_cast<std::int64_t>(random.next() % 1'000'000'000'000'000);
        const auto few_digits = static_cast<std::int64_t>(random.next() % 100'000'000);
        for (const auto& c : currencies) {
            check(fifteen_digits, c);
            check(few_digits, c);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(checked_minor_units)
{
    for (std::int64_t v : {std::int64_t{0}, std::int64_t{1}, std::int64_t{1095}, int64_max}) {
        const auto r = recoup::checked_minor_units(v);
        BOOST_TEST_REQUIRE(r.has_value());
        BOOST_TEST(*r == v);
    }
    for (std::int64_t v : {std::int64_t{-1}, std::int64_t{-224}, int64_min}) {
        const auto r = recoup::checked_minor_units(v, "content.transaction.amount");
        BOOST_TEST_REQUIRE(r.has_error());
        BOOST_TEST((r.error().code == error::amount_out_of_range));
        BOOST_TEST(r.error().field == "content.transaction.amount");
    }
    const auto r = recoup::checked_minor_units(-1);
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST(r.error().field == "amount");
}

BOOST_AUTO_TEST_SUITE(minor_units_to_decimal)

BOOST_AUTO_TEST_CASE(formats_per_exponent)
{
    const auto check = [](std::int64_t minor, std::string_view code, std::string_view expected) {
        BOOST_TEST(recoup::minor_units_to_decimal(minor, cur(code)) == expected,
                   minor << " " << code);
    };
    check(1010, "USD", "10.10");
    check(1000, "USD", "10.00");
    check(1, "USD", "0.01");
    check(10, "USD", "0.10");
    check(0, "USD", "0.00");
    check(10, "JPY", "10");
    check(0, "JPY", "0");
    check(5, "BHD", "0.005");
    check(1234, "KWD", "1.234");
    check(1, "CLF", "0.0001");
    check(123456, "CLF", "12.3456");
    check(-1010, "USD", "-10.10");
    check(-1, "USD", "-0.01");
    check(-5, "BHD", "-0.005");
    check(-10, "JPY", "-10");
    check(int64_max, "USD", "92233720368547758.07");
    check(int64_min, "USD", "-92233720368547758.08");
    check(int64_min, "JPY", "-9223372036854775808");
}

BOOST_AUTO_TEST_CASE(round_trips_in_every_currency)
{
    std::vector<std::int64_t> values{0, 1, 5, 9, 10, 11, 99, 100, 101, 999, 1000, 1001, 1010,
                                     12345, 100000, 1234567, int64_max, int64_max - 1};
    // Every power of ten that fits, and its neighbours: where padding and the point move.
    for (std::int64_t p = 10;; p *= 10) {
        values.push_back(p);
        values.push_back(p - 1);
        values.push_back(p + 1);
        if (p > int64_max / 10) break;
    }
    lcg random;
    for (int i = 0; i < 200; ++i) values.push_back(static_cast<std::int64_t>(random.next()));
    for (const auto& c : recoup::all_currencies()) {
        for (const auto v : values) {
            const auto text = recoup::minor_units_to_decimal(v, c);
            const auto r = recoup::decimal_to_minor_units(text, c);
            if (!r || *r != v)
                BOOST_ERROR(v << " " << c.str() << " -> \"" << text << "\" -> "
                              << (r ? std::to_string(*r) : r.error().what()));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
