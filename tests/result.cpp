// Test that the header is self-contained: it comes first.
#include <recoup/result.hpp>

#define BOOST_TEST_MODULE result
#include <boost/test/unit_test.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace {

using recoup::error;

recoup::result<int> half(int n)
{
    if (n % 2 != 0) return recoup::fail(error::invalid_field, "n", "odd: " + std::to_string(n));
    return n / 2;
}

recoup::result<void> check(bool ok)
{
    if (!ok) return recoup::fail(error::not_supported, "check");
    return {};
}

bool is_invalid_n(const recoup::exception& e)
{
    return e.get().code == error::invalid_field && e.get().field == "n" &&
           std::string(e.what()) == "field \"n\": invalid field: odd: 3";
}

} // namespace

BOOST_AUTO_TEST_CASE(value)
{
    const auto r = half(8);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(!r.has_error());
    BOOST_TEST(*r == 4);
    BOOST_TEST(r.value() == 4);
}

BOOST_AUTO_TEST_CASE(error_carries_the_failure)
{
    const auto r = half(3);
    BOOST_TEST_REQUIRE(!r);
    BOOST_TEST(r.has_error());
    BOOST_TEST((r.error().code == error::invalid_field));
    BOOST_TEST(r.error().field == "n");
    BOOST_TEST(r.error().detail == "odd: 3");
}

BOOST_AUTO_TEST_CASE(value_throws_recoup_exception)
{
    const auto r = half(3);
    BOOST_CHECK_EXCEPTION(r.value(), recoup::exception, is_invalid_n);
    // Also a std::runtime_error for callers that know nothing of recoup.
    BOOST_CHECK_THROW(r.value(), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(void_result)
{
    BOOST_TEST(check(true).has_value());
    const auto r = check(false);
    BOOST_TEST_REQUIRE(!r);
    BOOST_TEST((r.error().code == error::not_supported));
    BOOST_TEST(r.error().field == "check");
    BOOST_CHECK_THROW(r.value(), recoup::exception);
}

BOOST_AUTO_TEST_CASE(move_only_values)
{
    recoup::result<std::unique_ptr<int>> r = std::make_unique<int>(7);
    BOOST_TEST_REQUIRE(r.has_value());
    auto p = std::move(*r);
    BOOST_TEST(*p == 7);
}

BOOST_AUTO_TEST_CASE(exception_keeps_the_failure)
{
    const recoup::exception e(recoup::fail(error::missing_field, "a.b", "x"));
    BOOST_TEST((e.get().code == error::missing_field));
    BOOST_TEST(e.get().field == "a.b");
    BOOST_TEST(e.get().detail == "x");
    BOOST_TEST(std::string(e.what()) == "field \"a.b\": missing field: x");
}
