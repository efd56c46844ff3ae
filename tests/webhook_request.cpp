// Test that the header is self-contained: it comes first.
#include <recoup/webhook_request.hpp>

#define BOOST_TEST_MODULE webhook_request
#include <boost/test/unit_test.hpp>

#include <array>
#include <string>
#include <string_view>

namespace {

std::string_view value_or_none(const std::optional<std::string_view>& v)
{
    return v ? *v : std::string_view("<none>");
}

const std::array<recoup::header_view, 5> sample_headers{{
    {"Content-Type", "application/json"},
    {"Stripe-Signature", "t=1,v1=aa"},
    {"X-Forwarded-For", "10.0.0.1"},
    {"stripe-signature", "t=2,v1=bb"},
    {"x-forwarded-for", "10.0.0.2"},
}};

recoup::webhook_request sample()
{
    recoup::webhook_request r;
    r.path = "/v2/webhooks/revenue_recovery/pro_1/mca_1";
    r.headers = sample_headers;
    r.body = R"({"id":"ev_1"})";
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(iequals)

BOOST_AUTO_TEST_CASE(ascii_letters_fold)
{
    BOOST_TEST(recoup::iequals("Content-Type", "content-type"));
    BOOST_TEST(recoup::iequals("CONTENT-TYPE", "content-type"));
    BOOST_TEST(recoup::iequals("", ""));
    BOOST_TEST(recoup::iequals("AbC123-_", "aBc123-_"));
}

BOOST_AUTO_TEST_CASE(only_ascii_letters_fold)
{
    BOOST_TEST(!recoup::iequals("a", "b"));
    BOOST_TEST(!recoup::iequals("abc", "abcd"));
    BOOST_TEST(!recoup::iequals("abcd", "abc"));
    // Neighbours of the letter ranges differ by 32 too, but are not letters.
    BOOST_TEST(!recoup::iequals("@", "`"));
    BOOST_TEST(!recoup::iequals("[", "{"));
    BOOST_TEST(!recoup::iequals("]", "}"));
    BOOST_TEST(!recoup::iequals("^", "~"));
    BOOST_TEST(!recoup::iequals("\xC4", "\xE4")); // Latin-1 A/a umlaut bytes: not folded
    BOOST_TEST(!recoup::iequals("1", "Q"));
}

BOOST_AUTO_TEST_CASE(embedded_nul_counts)
{
    using namespace std::string_view_literals;
    BOOST_TEST(recoup::iequals("a\0B"sv, "A\0b"sv));
    BOOST_TEST(!recoup::iequals("a\0b"sv, "a"sv));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(header_lookup)

BOOST_AUTO_TEST_CASE(any_case_finds_the_header)
{
    const auto r = sample();
    for (std::string_view name : {"content-type", "Content-Type", "CONTENT-TYPE", "cOnTeNt-TyPe"}) {
        BOOST_TEST_CONTEXT(name) { BOOST_TEST(value_or_none(r.header(name)) == "application/json"); }
    }
}

BOOST_AUTO_TEST_CASE(duplicates_return_the_first)
{
    const auto r = sample();
    BOOST_TEST(value_or_none(r.header("STRIPE-SIGNATURE")) == "t=1,v1=aa");
    BOOST_TEST(value_or_none(r.header("x-forwarded-for")) == "10.0.0.1");
}

BOOST_AUTO_TEST_CASE(absent_header)
{
    const auto r = sample();
    BOOST_TEST(!r.header("Authorization").has_value());
    BOOST_TEST(!r.header("Content-Typ").has_value());
    BOOST_TEST(!r.header("Content-Type ").has_value());
    BOOST_TEST(!r.header("").has_value());
}

BOOST_AUTO_TEST_CASE(header_count_counts_every_case)
{
    const auto r = sample();
    BOOST_TEST(r.header_count("stripe-signature") == 2u);
    BOOST_TEST(r.header_count("Stripe-Signature") == 2u);
    BOOST_TEST(r.header_count("X-FORWARDED-FOR") == 2u);
    BOOST_TEST(r.header_count("content-type") == 1u);
    BOOST_TEST(r.header_count("authorization") == 0u);
}

BOOST_AUTO_TEST_CASE(empty_value_is_present)
{
    const std::array<recoup::header_view, 1> headers{{{"X-Empty", ""}}};
    recoup::webhook_request r;
    r.headers = headers;
    BOOST_TEST_REQUIRE(r.header("x-empty").has_value());
    BOOST_TEST(r.header("x-empty")->empty());
    BOOST_TEST(r.header_count("X-EMPTY") == 1u);
}

BOOST_AUTO_TEST_CASE(no_headers)
{
    const recoup::webhook_request r;
    BOOST_TEST(r.method == "POST");
    BOOST_TEST(!r.header("content-type").has_value());
    BOOST_TEST(r.header_count("content-type") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(owned)

BOOST_AUTO_TEST_CASE(view_points_into_the_owner)
{
    recoup::owned_request o;
    o.path = "/hook";
    o.query = "a=1";
    o.headers = {{"Recurly-Signature", "1,ab"}, {"recurly-signature", "2,cd"}, {"Accept", "*/*"}};
    o.body = std::string("{\"k\":\"v\"}\0tail", 14); // bytes kept exactly, NUL included
    const auto v = o.view();
    BOOST_TEST(v.method == "POST");
    BOOST_TEST(v.path == "/hook");
    BOOST_TEST(v.query == "a=1");
    BOOST_TEST(v.body.size() == 14u);
    BOOST_TEST(v.body.data() == o.body.data());
    BOOST_TEST(v.headers.size() == 3u);
    BOOST_TEST(value_or_none(v.header("RECURLY-SIGNATURE")) == "1,ab");
    BOOST_TEST(v.header_count("Recurly-Signature") == 2u);
    BOOST_TEST(value_or_none(v.header("accept")) == "*/*");
}

BOOST_AUTO_TEST_CASE(view_again_after_modification)
{
    recoup::owned_request o;
    o.method = "PUT";
    o.headers = {{"A", "1"}};
    (void)o.view();
    o.headers.push_back({"B", "2"});
    const auto v = o.view();
    BOOST_TEST(v.method == "PUT");
    BOOST_TEST(v.headers.size() == 2u);
    BOOST_TEST(value_or_none(v.header("b")) == "2");
}

BOOST_AUTO_TEST_SUITE_END()
