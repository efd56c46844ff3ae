// Test that the header is self-contained: it comes first.
#include <recoup/wire.hpp>

#define BOOST_TEST_MODULE wire
#include <boost/test/unit_test.hpp>

#include "support/test_support.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace json = boost::json;
namespace wire = recoup::wire;
using recoup::error;

namespace {

recoup::result<std::int64_t> positive(std::int64_t n, std::string_view field)
{
    if (n <= 0) return recoup::fail(error::amount_out_of_range, std::string(field), "not positive");
    return n;
}

recoup::result<void> not_empty(const std::string& s, std::string_view field)
{
    if (s.empty()) return recoup::fail(error::invalid_field, std::string(field), "empty");
    return {};
}

struct line {
    std::int64_t amount = 0;
    std::string sku;
};

struct order {
    std::vector<line> lines;
};

line tag_invoke(const json::value_to_tag<line>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    line l{wire::unwrap(positive(wire::required<std::int64_t>(o, "amount"), "amount")),
           wire::required<std::string>(o, "sku")};
    wire::unwrap(not_empty(l.sku, "sku"));
    return l;
}

order tag_invoke(const json::value_to_tag<order>&, const json::value& jv)
{
    return {wire::required<std::vector<line>>(wire::as_object(jv), "lines")};
}

} // namespace

BOOST_AUTO_TEST_CASE(unwrap_passes_the_value_through)
{
    const auto r = wire::parse_as<order>(R"({"lines":[{"amount":5,"sku":"a"},{"amount":7,"sku":"b"}]})");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->lines.at(1).amount == 7);
}

BOOST_AUTO_TEST_CASE(unwrap_raises_the_failure_with_the_whole_path)
{
    const auto r = wire::parse_as<order>(R"({"lines":[{"amount":5,"sku":"a"},{"amount":-1,"sku":"b"}]})");
    EXPECT_FAILURE(r, error::amount_out_of_range, "lines[1].amount");
    BOOST_TEST(r.error().detail == "not positive");
}

BOOST_AUTO_TEST_CASE(unwrap_of_void_raises_too)
{
    EXPECT_FAILURE(wire::parse_as<order>(R"({"lines":[{"amount":5,"sku":""}]})"), error::invalid_field,
                   "lines[0].sku");
    BOOST_CHECK_NO_THROW(wire::unwrap(not_empty("x", "sku")));
}

BOOST_AUTO_TEST_CASE(unwrap_outside_a_conversion_throws_recoup_exception)
{
    BOOST_CHECK_EXCEPTION(wire::unwrap(positive(0, "n")), recoup::exception,
                          [](const recoup::exception& e) { return e.get().field == "n"; });
}
