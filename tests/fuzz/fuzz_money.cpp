// libFuzzer target: the decimal amount parser and its neighbours (money.hpp) for every currency's
// exponent. Input: one byte choosing the currency, then the text (also read as a double and as
// an int64 from its first 8 bytes). Invariants: an accepted amount is non-negative and formats
// back to itself; a failure is invalid_field or amount_out_of_range; integer text reads the same
// through string_to_minor_units and decimal_to_minor_units at exponent 0; a double's amount is
// the double; a currency code parses to its upper case.
#include <recoup/money.hpp>

#include "fuzz_support.hpp"

#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

using recoup_fuzz::check;

bool amount_failure(const recoup::failure& f)
{
    return f.code == recoup::error::invalid_field || f.code == recoup::error::amount_out_of_range;
}

bool all_digits(std::string_view s)
{
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

recoup::currency exponent_zero()
{
    for (const auto& c : recoup::all_currencies())
        if (c.exponent == 0) return c;
    recoup_fuzz::broken("no currency without decimals");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0) return 0;
    const auto currencies = recoup::all_currencies();
    const recoup::currency cur = currencies[data[0] % currencies.size()];
    const std::string_view text = recoup_fuzz::as_text(data + 1, size - 1);

    // Decimal text.
    const auto minor = recoup::decimal_to_minor_units(text, cur);
    if (minor) {
        check(*minor >= 0, "negative amount accepted", text);
        const auto formatted = recoup::minor_units_to_decimal(*minor, cur);
        const auto again = recoup::decimal_to_minor_units(formatted, cur);
        check(again && *again == *minor, "formatted amount does not read back", formatted);
        // An explicit zero exponent changes nothing.
        if (text.find_first_of("eE") == std::string_view::npos)
        {
            const auto e0 = recoup::decimal_to_minor_units(std::string(text) + "e0", cur);
            check(e0 && *e0 == *minor, "e0 changes the amount", text);
        }
    } else {
        check(amount_failure(minor.error()), "unexpected decimal failure code", minor.error().what());
    }

    // Integer text: both readers agree.
    const auto as_string = recoup::string_to_minor_units(text);
    if (as_string) check(*as_string >= 0, "negative string amount accepted", text);
    else check(amount_failure(as_string.error()), "unexpected string failure code", as_string.error().what());
    if (all_digits(text)) {
        const auto as_decimal = recoup::decimal_to_minor_units(text, exponent_zero());
        check(as_decimal.has_value() == as_string.has_value(), "string and decimal readers disagree", text);
        if (as_decimal) check(*as_decimal == *as_string, "string and decimal readers disagree", text);
    }

    // The same bytes as a double and as an int64.
    if (text.size() >= 8) {
        double d = 0;
        std::memcpy(&d, text.data(), sizeof d);
        const auto from_double = recoup::json_number_to_minor_units(d, cur);
        if (from_double) {
            check(*from_double >= 0, "negative double amount accepted");
            // The amount's exact decimal text is the double's shortest text, so it reads back as d.
            const auto back = std::strtod(recoup::minor_units_to_decimal(*from_double, cur).c_str(), nullptr);
            check(back == d || (d == 0 && back == 0), "double amount is not the double");
        } else {
            check(amount_failure(from_double.error()), "unexpected double failure code", from_double.error().what());
        }

        std::int64_t n = 0;
        std::memcpy(&n, text.data(), sizeof n);
        const auto formatted = recoup::minor_units_to_decimal(n, cur);
        const auto read = recoup::decimal_to_minor_units(formatted, cur);
        if (n >= 0) check(read && *read == n, "non-negative minor units do not round-trip", formatted);
        else check(!read && read.error().code == recoup::error::amount_out_of_range, "negative formatted amount read",
                   formatted);
        const auto checked = recoup::checked_minor_units(n);
        check(checked.has_value() == (n >= 0), "checked_minor_units sign");
    }

    // A currency code, any case.
    if (text.size() >= 3) {
        const auto code = text.substr(0, 3);
        if (const auto c = recoup::parse_currency(code)) {
            for (std::size_t i = 0; i < 3; ++i)
                check(c->code[i] == (code[i] >= 'a' && code[i] <= 'z' ? code[i] - 'a' + 'A' : code[i]),
                      "currency is not the code's upper case", code);
            check(recoup::find_currency(c->str()) == *c, "parsed currency not found");
        } else {
            check(c.error().code == recoup::error::invalid_field || c.error().code == recoup::error::unsupported_currency,
                  "unexpected currency failure code", c.error().what());
        }
    }
    return 0;
}
