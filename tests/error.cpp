// Test that the header is self-contained: it comes first.
#include <recoup/error.hpp>

#define BOOST_TEST_MODULE error
#include <boost/test/unit_test.hpp>

#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <system_error>

namespace {

using recoup::error;

struct expected_code {
    error code;
    int value;
    std::string_view name;
};

// Written out independently of error_entries: the values cross the plugin ABI and the names
// travel on every wire, so both are part of the contract.
constexpr expected_code all_codes[] = {
    {error::missing_signature, 100, "missing_signature"},
    {error::duplicate_signature_header, 101, "duplicate_signature_header"},
    {error::malformed_signature, 102, "malformed_signature"},
    {error::signature_mismatch, 103, "signature_mismatch"},
    {error::timestamp_out_of_tolerance, 104, "timestamp_out_of_tolerance"},
    {error::no_secret_configured, 105, "no_secret_configured"},
    {error::body_not_json, 200, "body_not_json"},
    {error::missing_field, 201, "missing_field"},
    {error::invalid_field, 202, "invalid_field"},
    {error::unsupported_currency, 203, "unsupported_currency"},
    {error::amount_out_of_range, 204, "amount_out_of_range"},
    {error::sync_response_missing, 205, "sync_response_missing"},
    {error::sync_response_failed, 206, "sync_response_failed"},
    {error::not_supported, 300, "not_supported"},
    {error::invalid_state_transition, 301, "invalid_state_transition"},
    {error::storage_unavailable, 400, "storage_unavailable"},
    {error::storage_conflict, 401, "storage_conflict"},
    {error::not_found, 402, "not_found"},
    {error::plugin_load_failed, 500, "plugin_load_failed"},
    {error::plugin_missing_entry, 501, "plugin_missing_entry"},
    {error::plugin_abi_mismatch, 502, "plugin_abi_mismatch"},
    {error::plugin_wrong_kind, 503, "plugin_wrong_kind"},
    {error::plugin_exception, 504, "plugin_exception"},
    {error::plugin_invalid_output, 505, "plugin_invalid_output"},
    {error::plugin_output_too_large, 506, "plugin_output_too_large"},
    {error::internal_fault, 600, "internal_fault"},
};

} // namespace

BOOST_AUTO_TEST_SUITE(codes)

BOOST_AUTO_TEST_CASE(values_are_stable)
{
    for (const auto& c : all_codes) {
        BOOST_TEST_CONTEXT(c.name) { BOOST_TEST(static_cast<int>(c.code) == c.value); }
    }
}

BOOST_AUTO_TEST_CASE(to_string_and_from_string_round_trip)
{
    for (const auto& c : all_codes) {
        BOOST_TEST_CONTEXT(c.name)
        {
            BOOST_TEST(recoup::to_string(c.code) == c.name);
            error back{};
            BOOST_TEST_REQUIRE(recoup::from_string(c.name, back));
            BOOST_TEST(static_cast<int>(back) == c.value);
        }
    }
}

// Every value that has a name is in the list above: a code added without a test fails here.
BOOST_AUTO_TEST_CASE(no_code_is_unlisted)
{
    std::size_t named = 0;
    for (int v = -10; v < 1000; ++v)
        if (recoup::to_string(static_cast<error>(v)) != "unknown") ++named;
    BOOST_TEST(named == std::size(all_codes));
}

BOOST_AUTO_TEST_CASE(names_are_unique)
{
    std::set<std::string_view> names;
    for (const auto& c : all_codes) names.insert(recoup::to_string(c.code));
    BOOST_TEST(names.size() == std::size(all_codes));
}

BOOST_AUTO_TEST_CASE(from_string_rejects_unknown_names)
{
    for (std::string_view s : {"", "unknown", "Missing_Field", "missing_field ", "missing", "100"}) {
        BOOST_TEST_CONTEXT("\"" << s << "\"")
        {
            error out = error::not_found;
            BOOST_TEST(!recoup::from_string(s, out));
            BOOST_TEST(static_cast<int>(out) == static_cast<int>(error::not_found)); // untouched
        }
    }
}

BOOST_AUTO_TEST_CASE(unknown_values)
{
    for (int v : {0, 1, 99, 106, 199, 207, 302, 403, 507, 999}) {
        BOOST_TEST_CONTEXT(v)
        {
            BOOST_TEST(recoup::to_string(static_cast<error>(v)) == "unknown");
            BOOST_TEST(recoup::to_message(static_cast<error>(v)) == "unknown error");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(messages)

// Short, lowercase, no final period.
BOOST_AUTO_TEST_CASE(every_message_is_short_lowercase_without_period)
{
    std::set<std::string_view> seen;
    for (const auto& c : all_codes) {
        const auto m = recoup::to_message(c.code);
        BOOST_TEST_CONTEXT(c.name << ": \"" << m << "\"")
        {
            BOOST_TEST_REQUIRE(!m.empty());
            BOOST_TEST(m != "unknown error");
            BOOST_TEST(m.size() <= 60u);
            BOOST_TEST(m.back() != '.');
            BOOST_TEST(!std::isspace(static_cast<unsigned char>(m.front())));
            BOOST_TEST(!std::isspace(static_cast<unsigned char>(m.back())));
            for (char ch : m) BOOST_TEST(!std::isupper(static_cast<unsigned char>(ch)));
            BOOST_TEST(seen.insert(m).second, "message shared with another code");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(category)

BOOST_AUTO_TEST_CASE(name_is_recoup)
{
    BOOST_TEST(std::string_view(recoup::recoup_category().name()) == "recoup");
    BOOST_TEST(&recoup::recoup_category() == &recoup::recoup_category());
}

BOOST_AUTO_TEST_CASE(error_code_conversion)
{
    for (const auto& c : all_codes) {
        BOOST_TEST_CONTEXT(c.name)
        {
            const std::error_code ec = c.code; // implicit: is_error_code_enum
            BOOST_TEST(static_cast<bool>(ec));
            BOOST_TEST(ec.value() == c.value);
            BOOST_TEST((ec.category() == recoup::recoup_category()));
            BOOST_TEST(std::string_view(ec.category().name()) == "recoup");
            BOOST_TEST(ec.message() == recoup::to_message(c.code));
            BOOST_TEST((ec == c.code));
            BOOST_TEST((make_error_code(c.code) == ec)); // found by ADL
        }
    }
}

BOOST_AUTO_TEST_CASE(different_codes_compare_unequal)
{
    const std::error_code a = error::missing_field;
    const std::error_code b = error::invalid_field;
    BOOST_TEST((a != b));
    BOOST_TEST((a != std::make_error_code(std::errc::invalid_argument)));
    BOOST_TEST(recoup::recoup_category().message(12345) == "unknown error");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(failure)

BOOST_AUTO_TEST_CASE(what_with_field_and_detail)
{
    const auto f = recoup::fail(error::invalid_field, "content.transaction.amount", "expected integer");
    BOOST_TEST(f.what() == "field \"content.transaction.amount\": invalid field: expected integer");
}

BOOST_AUTO_TEST_CASE(what_with_field_only)
{
    BOOST_TEST(recoup::fail(error::missing_field, "content.transaction.amount").what() ==
               "field \"content.transaction.amount\": missing field");
}

BOOST_AUTO_TEST_CASE(what_with_detail_only)
{
    BOOST_TEST(recoup::fail(error::body_not_json, "", "syntax error").what() ==
               "body is not json: syntax error");
}

BOOST_AUTO_TEST_CASE(what_with_code_only)
{
    BOOST_TEST(recoup::fail(error::signature_mismatch).what() == "signature does not match");
}

BOOST_AUTO_TEST_CASE(fail_keeps_its_parts)
{
    const auto f = recoup::fail(error::missing_signature, "Stripe-Signature", "absent");
    BOOST_TEST(static_cast<int>(f.code) == 100);
    BOOST_TEST(f.field == "Stripe-Signature");
    BOOST_TEST(f.detail == "absent");
    const recoup::failure empty{};
    BOOST_TEST(static_cast<int>(empty.code) == 0);
    BOOST_TEST(empty.field.empty());
}

BOOST_AUTO_TEST_SUITE_END()
