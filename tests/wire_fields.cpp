// Test that the header is self-contained: it comes first.
#include <recoup/wire_fields.hpp>

#define BOOST_TEST_MODULE wire_fields
#include <boost/test/unit_test.hpp>

#include "support/test_support.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace json = boost::json;
namespace wire = recoup::wire;
using recoup::error;

namespace {

// A platform's invoice, read with every field reader, one level below the root.
struct invoice {
    recoup::merchant_reference_id id;
    recoup::currency currency;
    std::optional<std::int64_t> amount_due;
    std::optional<recoup::address> billing_address;
};

struct envelope {
    invoice inv;
};

constexpr wire::address_keys postal_keys{.first_name = {}, .last_name = {}, .line3 = {}, .zip = "postal_code"};

invoice tag_invoke(const json::value_to_tag<invoice>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    return {wire::read_reference_id(o, "id"), wire::read_currency(o, "currency"),
            wire::optional_minor_units(o, "amount_due"), wire::optional_address(o, "address", postal_keys)};
}

envelope tag_invoke(const json::value_to_tag<envelope>&, const json::value& jv)
{
    return {wire::required<invoice>(wire::as_object(jv), "invoice")};
}

recoup::result<envelope> read(std::string_view invoice_json)
{
    return wire::parse_as<envelope>(R"({"invoice":)" + std::string(invoice_json) + "}");
}

} // namespace

BOOST_AUTO_TEST_CASE(a_complete_invoice_reads)
{
    const auto r = read(R"({"id":"in_1","currency":"usd","amount_due":1234,
        "address":{"line1":"1 Main St","city":"Springfield","postal_code":"12345","country":"US",
                   "first_name":"ignored","zip":"ignored"}})");
    EXPECT_OK(r);
    BOOST_TEST(r->inv.id.str() == "in_1");
    BOOST_TEST(r->inv.currency.str() == "USD");
    BOOST_TEST(r->inv.amount_due.value() == 1234);
    recoup::address expected;
    expected.line1 = "1 Main St";
    expected.city = "Springfield";
    expected.zip = "12345";
    expected.country = "US";
    BOOST_TEST((r->inv.billing_address.value() == expected));
}

BOOST_AUTO_TEST_CASE(optional_fields_may_be_absent_or_null)
{
    const auto r = read(R"({"id":"in_1","currency":"EUR","amount_due":null,"address":null})");
    EXPECT_OK(r);
    BOOST_TEST(!r->inv.amount_due.has_value());
    BOOST_TEST(!r->inv.billing_address.has_value());
    EXPECT_OK(read(R"({"id":"in_1","currency":"EUR"})"));
}

BOOST_AUTO_TEST_CASE(currency_failures_name_the_path)
{
    EXPECT_FAILURE(read(R"({"id":"in_1"})"), error::missing_field, "invoice.currency");
    EXPECT_FAILURE(read(R"({"id":"in_1","currency":"XXZ"})"), error::unsupported_currency, "invoice.currency");
    EXPECT_FAILURE(read(R"({"id":"in_1","currency":"dollars"})"), error::invalid_field, "invoice.currency");
    EXPECT_FAILURE(read(R"({"id":"in_1","currency":840})"), error::invalid_field, "invoice.currency");
}

BOOST_AUTO_TEST_CASE(minor_units_must_be_non_negative_integers)
{
    EXPECT_FAILURE(read(R"({"id":"in_1","currency":"USD","amount_due":-1})"), error::amount_out_of_range,
                   "invoice.amount_due");
    EXPECT_FAILURE(read(R"({"id":"in_1","currency":"USD","amount_due":12.5})"), error::invalid_field,
                   "invoice.amount_due");
    EXPECT_OK(read(R"({"id":"in_1","currency":"USD","amount_due":0})"));
}

BOOST_AUTO_TEST_CASE(reference_ids_are_checked)
{
    EXPECT_FAILURE(read(R"({"currency":"USD"})"), error::missing_field, "invoice.id");
    EXPECT_FAILURE(read(R"({"id":"../in_1","currency":"USD"})"), error::invalid_field, "invoice.id");
    EXPECT_FAILURE(read(R"({"id":"","currency":"USD"})"), error::invalid_field, "invoice.id");
}

BOOST_AUTO_TEST_CASE(address_failures_name_the_part)
{
    EXPECT_FAILURE(read(R"({"id":"in_1","currency":"USD","address":{"postal_code":12345}})"),
                   error::invalid_field, "invoice.address.postal_code");
    EXPECT_FAILURE(read(R"({"id":"in_1","currency":"USD","address":"1 Main St"})"), error::invalid_field,
                   "invoice.address");
}

BOOST_AUTO_TEST_CASE(default_keys_are_the_domain_names)
{
    const auto v = json::parse(R"({"first_name":"Ada","last_name":"L","line1":"a","line2":"b","line3":"c",
        "city":"d","state":"e","zip":"f","country":"GB"})");
    const auto a = wire::read_address(v);
    const recoup::address expected{"Ada", "L", "a", "b", "c", "d", "e", "f", "GB"};
    BOOST_TEST((a == expected));
}

BOOST_AUTO_TEST_SUITE(string_amounts_and_times)

BOOST_AUTO_TEST_CASE(minor_units_in_a_string)
{
    BOOST_TEST(recoup::string_to_minor_units("33000").value() == 33000);
    BOOST_TEST(recoup::string_to_minor_units("0").value() == 0);
    BOOST_TEST(recoup::string_to_minor_units("9223372036854775807").value() == INT64_MAX);
    EXPECT_FAILURE(recoup::string_to_minor_units("9223372036854775808", "grand_total"), error::amount_out_of_range,
                   "grand_total");
    EXPECT_FAILURE(recoup::string_to_minor_units("-5"), error::amount_out_of_range, "amount");
    for (const char* bad : {"", "-", " 1", "1 ", "1.0", "+1", "1e3", "0x10"})
        EXPECT_FAILURE(recoup::string_to_minor_units(bad), error::invalid_field);
}

BOOST_AUTO_TEST_CASE(wire_readers)
{
    const auto o = json::parse(R"({"total":"1050","bad":"10.50","num":1050,"at":"2025-01-31T10:21:43.918Z",
                                   "when":"yesterday","none":null})").as_object();
    BOOST_TEST(wire::optional_string_minor_units(o, "total").value() == 1050);
    BOOST_TEST(!wire::optional_string_minor_units(o, "none").has_value());
    BOOST_TEST(!wire::optional_string_minor_units(o, "absent").has_value());
    BOOST_TEST(wire::optional_iso8601(o, "at").value() == 1738318903);
    BOOST_TEST(!wire::optional_iso8601(o, "none").has_value());
    BOOST_CHECK_THROW(wire::optional_string_minor_units(o, "bad"), std::exception);
    BOOST_CHECK_THROW(wire::optional_string_minor_units(o, "num"), std::exception);
    BOOST_CHECK_THROW(wire::optional_iso8601(o, "when"), std::exception);
}

BOOST_AUTO_TEST_SUITE_END()
