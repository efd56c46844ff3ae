// Test that the header is self-contained: it comes first.
#include <recoup/time.hpp>

#define BOOST_TEST_MODULE time
#include <boost/test/unit_test.hpp>

#include <string>

BOOST_AUTO_TEST_CASE(iso8601_to_unix_seconds)
{
    BOOST_TEST(recoup::parse_iso8601("1970-01-01T00:00:00Z").value() == 0);
    BOOST_TEST(recoup::parse_iso8601("2025-01-31T10:21:43.918Z").value() == 1738318903);
    BOOST_TEST(recoup::parse_iso8601("2025-01-31T10:21:43.918123Z").value() == 1738318903);
    BOOST_TEST(recoup::parse_iso8601("2025-01-31T12:21:43+02:00").value() == 1738318903);
    BOOST_TEST(recoup::parse_iso8601("2024-02-29T00:00:00Z").value() == 1709164800);
    BOOST_TEST(recoup::parse_iso8601("1969-12-31T23:59:59Z").value() == -1);
}

BOOST_AUTO_TEST_CASE(anything_else_is_refused)
{
    for (const std::string bad : {"", "2025-01-31", "2025-01-31T10:21:43", "2025-01-31 10:21:43Z",
                                  "2025-02-29T00:00:00Z", "2025-13-01T00:00:00Z", "2025-01-31T24:00:00Z",
                                  "2025-01-31T10:21:43.Z", "2025-01-31T10:21:43+0200", "2025-01-31T10:21:43Zx"})
        BOOST_TEST(!recoup::parse_iso8601(bad).has_value(), bad);
}

static_assert(recoup::parse_iso8601("2022-09-13T21:18:40Z") == 1663103920);
