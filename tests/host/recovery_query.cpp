// The recovery API's query strings and cursor (host/http/recovery_query.hpp,
// host/store/recovery_queries.hpp): pure, no socket, no store.
#include "http/recovery_query.hpp"

#define BOOST_TEST_MODULE recovery_query
#include <boost/test/unit_test.hpp>

using namespace recoupd;
using namespace recoupd::http;

namespace {

invoice_filter filter_of(std::string_view query)
{
    auto parsed = parse_invoice_query(query);
    if (const auto* e = std::get_if<query_error>(&parsed)) BOOST_FAIL(std::string(query) + ": " + e->message);
    return std::get<invoice_filter>(parsed);
}

std::string bad_parameter(std::string_view query)
{
    auto parsed = parse_invoice_query(query);
    BOOST_REQUIRE_MESSAGE(std::holds_alternative<query_error>(parsed), std::string(query) + " was accepted");
    return std::get<query_error>(parsed).parameter;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_cursor_round_trips_and_nothing_else_decodes)
{
    const invoice_cursor c{1767312000, "pay_77be2d5863dbea9d1cbb7671"};
    const auto text = encode_cursor(c);
    const auto back = decode_cursor(text);
    BOOST_REQUIRE(back.has_value());
    BOOST_TEST(back->created_at == c.created_at);
    BOOST_TEST(back->payment_id == c.payment_id);
    BOOST_TEST(text.find_first_not_of("0123456789abcdef") == std::string::npos); // safe in a query as it is
    BOOST_TEST(!decode_cursor("").has_value());
    BOOST_TEST(!decode_cursor("zz").has_value());
    BOOST_TEST(!decode_cursor(text.substr(1)).has_value());                      // odd length
    BOOST_TEST(!decode_cursor("76323a313a70").has_value());                      // "v2:1:p": another version
    BOOST_TEST(!decode_cursor("76313a783a70").has_value());                      // "v1:x:p": no time
    BOOST_TEST(!decode_cursor("76313a313a").has_value());                        // "v1:1:": no id
    BOOST_TEST(!decode_cursor("76313a313a7024").has_value());                    // "v1:1:p$": not an id
    BOOST_TEST(!decode_cursor(std::string(600, 'a')).has_value());               // too long
}

BOOST_AUTO_TEST_CASE(every_parameter_is_read_and_decoded)
{
    const auto f = filter_of("profile_id=pro%5F1&status=failed&connector=stripe_billing&decline_class=soft+x&from=10&to=20"
                             "&limit=7&cursor=" + encode_cursor({5, "pay_1"}) + "&other=1");
    BOOST_TEST(f.profile_id.value_or("") == "pro_1");
    BOOST_TEST((f.status == recoup::intent_status::failed));
    BOOST_TEST(f.connector.value_or("") == "stripe_billing");
    BOOST_TEST(f.decline_class.value_or("") == "soft x");
    BOOST_TEST(f.from.value_or(0) == 10);
    BOOST_TEST(f.to.value_or(0) == 20);
    BOOST_TEST(f.limit == 7u);
    BOOST_REQUIRE(f.cursor.has_value());
    BOOST_TEST(f.cursor->payment_id == "pay_1");
    const auto none = filter_of("");
    BOOST_TEST(!none.profile_id.has_value());
    BOOST_TEST(none.limit == default_invoice_page);
    BOOST_TEST(!filter_of("status=&limit=").status.has_value()); // empty: absent
    BOOST_TEST(filter_of("limit=200").limit == max_invoice_page);
}

BOOST_AUTO_TEST_CASE(a_wrong_parameter_is_named)
{
    BOOST_TEST(bad_parameter("status=paid") == "status");
    BOOST_TEST(bad_parameter("from=1e3") == "from");
    BOOST_TEST(bad_parameter("to=%31x") == "to");
    BOOST_TEST(bad_parameter("from=5&to=5") == "to");
    BOOST_TEST(bad_parameter("limit=0") == "limit");
    BOOST_TEST(bad_parameter("limit=201") == "limit");
    BOOST_TEST(bad_parameter("limit=99999999999999999999") == "limit");
    BOOST_TEST(bad_parameter("cursor=abc") == "cursor");
    BOOST_TEST(bad_parameter("profile_id=a%2Fb") == "profile_id");
    auto summary = parse_summary_query("profile_id=pro_1&from=x");
    BOOST_REQUIRE(std::holds_alternative<query_error>(summary));
    BOOST_TEST(std::get<query_error>(summary).parameter == "from");
    BOOST_TEST(std::get<query_error>(summary).message.starts_with("query parameter from "));
}
