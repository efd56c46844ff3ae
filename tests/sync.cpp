// Test that the header is self-contained: it comes first.
#include <recoup/sync.hpp>

#define BOOST_TEST_MODULE sync
#include <boost/test/unit_test.hpp>

#include "support/test_support.hpp"

#include <string>
#include <vector>

using recoup::error;

namespace {

recoup::sync_exchange answered(std::string method, std::string path, int status, std::string body)
{
    recoup::sync_exchange x;
    x.request.method = std::move(method);
    x.request.path = std::move(path);
    x.response.status = status;
    x.response.body = std::move(body);
    return x;
}

const std::vector<recoup::sync_exchange> exchanges{
    answered("GET", "/invoices/in_1", 200, "invoice"),
    answered("get", "/charges/ch_1", 201, "charge"),
    answered("POST", "/invoices/in_1", 200, "posted"),
    answered("GET", "/invoices/in_2?expand=lines", 200, "expanded"),
    answered("GET", "/invoices/in_3", 404, "not found"),
    answered("GET", "/invoices/in_3", 200, "second answer"),
};

} // namespace

BOOST_AUTO_TEST_CASE(method_matches_in_any_case)
{
    const auto* x = recoup::find_exchange(exchanges, "GET", "/charges/ch_1");
    BOOST_TEST_REQUIRE(x != nullptr);
    BOOST_TEST(x->response.body == "charge");
    BOOST_TEST(recoup::find_exchange(exchanges, "post", "/invoices/in_1")->response.body == "posted");
    BOOST_TEST(recoup::find_exchange(exchanges, "GET", "/invoices/in_1")->response.body == "invoice");
}

BOOST_AUTO_TEST_CASE(path_matches_exactly)
{
    BOOST_TEST(recoup::find_exchange(exchanges, "GET", "/INVOICES/in_1") == nullptr);
    BOOST_TEST(recoup::find_exchange(exchanges, "GET", "/invoices/in_1/") == nullptr);
    BOOST_TEST(recoup::find_exchange(exchanges, "GET", "/invoices/in_2") == nullptr);
    BOOST_TEST(recoup::find_exchange(exchanges, "GET", "/invoices/in_2?expand=lines") != nullptr);
    BOOST_TEST(recoup::find_exchange({}, "GET", "/invoices/in_1") == nullptr);
}

BOOST_AUTO_TEST_CASE(a_2xx_response_is_returned)
{
    const auto r = recoup::sync_response(exchanges, "GET", "/charges/ch_1");
    EXPECT_OK(r);
    BOOST_TEST((*r)->status == 201);
    BOOST_TEST((*r)->body == "charge");
}

BOOST_AUTO_TEST_CASE(a_missing_response_names_the_request)
{
    const auto r = recoup::sync_response(exchanges, "DELETE", "/invoices/in_1");
    EXPECT_FAILURE(r, error::sync_response_missing, "/invoices/in_1");
    BOOST_TEST(r.error().detail == "no response for DELETE /invoices/in_1");
}

BOOST_AUTO_TEST_CASE(a_non_2xx_response_fails_and_the_first_exchange_counts)
{
    const auto r = recoup::sync_response(exchanges, "GET", "/invoices/in_3");
    EXPECT_FAILURE(r, error::sync_response_failed, "/invoices/in_3");
    BOOST_TEST(r.error().detail == "GET /invoices/in_3 answered HTTP 404");
}
