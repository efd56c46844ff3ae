#include <recoup/retry.hpp>

#define BOOST_TEST_MODULE retry
#include <boost/test/unit_test.hpp>

using recoup::retry_delay;
using recoup::retry_schedule;

BOOST_AUTO_TEST_CASE(default_schedule_matches_the_reference)
{
    const retry_schedule s;
    // retry_count -> seconds, SPEC.md §4: 0 waits 60 s, 1-2 3 h, 3-5 6 h, 6-8 9 h, 9-11 12 h, 12-14 18 h.
    const long long expected[15] = {60,    10800, 10800, 21600, 21600, 21600, 32400, 32400,
                                    32400, 43200, 43200, 43200, 64800, 64800, 64800};
    for (int r = 0; r < 15; ++r) {
        auto d = retry_delay(s, r);
        BOOST_TEST_REQUIRE(d.has_value(), "retry_count " << r);
        BOOST_TEST(d->count() == expected[r], "retry_count " << r);
    }
    BOOST_TEST(s.max_retries() == 15);
    BOOST_TEST(!retry_delay(s, 15).has_value());
    BOOST_TEST(!retry_delay(s, 100).has_value());
    BOOST_TEST(!retry_delay(s, -1).has_value());
}

BOOST_AUTO_TEST_CASE(a_lower_max_retry_count_exhausts_earlier)
{
    const retry_schedule s;
    BOOST_TEST(retry_delay(s, 2, 3).has_value());
    BOOST_TEST(!retry_delay(s, 3, 3).has_value());
    BOOST_TEST(!retry_delay(s, 0, 0).has_value());
    // A higher one never extends the schedule.
    BOOST_TEST(!retry_delay(s, 15, 40).has_value());
}

BOOST_AUTO_TEST_CASE(custom_schedule)
{
    retry_schedule s;
    s.start_after = 5;
    s.frequencies = {{100, 1}, {200, 2}};
    BOOST_TEST(s.max_retries() == 4);
    BOOST_TEST(retry_delay(s, 0)->count() == 5);
    BOOST_TEST(retry_delay(s, 1)->count() == 100);
    BOOST_TEST(retry_delay(s, 2)->count() == 200);
    BOOST_TEST(retry_delay(s, 3)->count() == 200);
    BOOST_TEST(!retry_delay(s, 4).has_value());
}
