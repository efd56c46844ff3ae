#include <recoup/retry.hpp>

#define BOOST_TEST_MODULE retry
#include <boost/test/unit_test.hpp>

using recoup::retry_delay;
using recoup::retry_schedule;

BOOST_AUTO_TEST_CASE(default_schedule_matches_the_reference)
{
    const retry_schedule s;
    // retry_count -> seconds, docs/behaviour.md §4: 0 waits 60 s, 1-2 3 h, 3-5 6 h, 6-8 9 h, 9-11 12 h, 12-14 18 h.
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

BOOST_AUTO_TEST_CASE(the_default_limit_is_the_default_schedule)
{
    BOOST_TEST(recoup::default_max_retry_count == 15);
    BOOST_TEST(retry_schedule{}.max_retries() == recoup::default_max_retry_count);
    BOOST_TEST(recoup::record_back_attempts == 8);
}

BOOST_AUTO_TEST_CASE(record_back_delay_doubles_up_to_its_cap)
{
    using recoup::record_back_delay;
    BOOST_TEST(record_back_delay(1).count() == 60);
    BOOST_TEST(record_back_delay(2).count() == 120);
    BOOST_TEST(record_back_delay(3).count() == 240);
    BOOST_TEST(record_back_delay(10).count() == 60 << 9);
    BOOST_TEST(record_back_delay(11).count() == 61440); // 60 s << 10: the cap
    BOOST_TEST(record_back_delay(12).count() == 61440);
    BOOST_TEST(record_back_delay(1000).count() == 61440);
    BOOST_TEST(record_back_delay(0).count() == 60); // never below the first wait
    BOOST_TEST(record_back_delay(-5).count() == 60);
}

BOOST_AUTO_TEST_CASE(parse_retry_schedule_reads_the_reference_shape)
{
    using recoup::parse_retry_schedule;
    const auto full = parse_retry_schedule(R"({"start_after":30,"frequencies":[[100,1],[200,2]]})");
    BOOST_TEST_REQUIRE(full.has_value());
    BOOST_TEST(full->start_after == 30);
    BOOST_TEST(full->max_retries() == 4);
    BOOST_TEST(retry_delay(*full, 2)->count() == 200);

    const auto defaults = parse_retry_schedule(R"({"start_after":5})");
    BOOST_TEST_REQUIRE(defaults.has_value());
    BOOST_TEST(defaults->start_after == 5);
    BOOST_TEST((defaults->frequencies == retry_schedule{}.frequencies));

    const auto none = parse_retry_schedule(R"({"start_after":0,"frequencies":[]})");
    BOOST_TEST_REQUIRE(none.has_value());
    BOOST_TEST(none->max_retries() == 1);
}

BOOST_AUTO_TEST_CASE(parse_retry_schedule_refuses_other_shapes)
{
    using recoup::parse_retry_schedule;
    for (const char* text : {"", "[]", "not json", R"({})", R"({"start_after":-1})", R"({"start_after":"60"})",
                             R"({"start_after":60,"frequencies":{}})", R"({"start_after":60,"frequencies":[[1]]})",
                             R"({"start_after":60,"frequencies":[[1,2,3]]})",
                             R"({"start_after":60,"frequencies":[["1",2]]})",
                             R"({"start_after":60,"frequencies":[[-1,2]]})",
                             R"({"start_after":60,"frequencies":[[1,-2]]})",
                             R"({"start_after":60,"frequencies":[[1,10001]]})"})
        BOOST_TEST(!parse_retry_schedule(text).has_value(), text);
}

BOOST_AUTO_TEST_CASE(unusable_http_answers_are_classified)
{
    using recoup::classify_http_fault;
    using recoup::http_fault;
    BOOST_TEST((classify_http_fault(std::nullopt) == http_fault::transient));
    for (int status : {408, 429, 500, 502, 503, 504, 200})
        BOOST_TEST((classify_http_fault(status) == http_fault::transient), status);
    BOOST_TEST((classify_http_fault(401) == http_fault::auth));
    BOOST_TEST((classify_http_fault(403) == http_fault::auth));
    BOOST_TEST((classify_http_fault(409) == http_fault::conflict));
    for (int status : {400, 404, 422})
        BOOST_TEST((classify_http_fault(status) == http_fault::rejected), status);
}

BOOST_AUTO_TEST_CASE(processor_fault_delay_doubles_up_to_its_cap)
{
    const long long expected[] = {60, 120, 240, 480, 960, 1920, 1920};
    for (int faults = 1; faults <= 7; ++faults)
        BOOST_TEST(recoup::processor_fault_delay(faults).count() == expected[faults - 1], faults);
    BOOST_TEST(recoup::processor_fault_tries == 6);
}
