#include <recoup/smart_retry.hpp>

#define BOOST_TEST_MODULE smart_retry
#include <boost/test/unit_test.hpp>

#include <recoup/retry.hpp>

#include <set>
#include <string>
#include <vector>

using recoup::card_network;
using recoup::decide_smart;
using recoup::decline_class;
using recoup::next_smart_attempt;
using recoup::past_attempt;
using recoup::smart_input;

namespace {

constexpr std::int64_t hour = 3600;
constexpr std::int64_t day = 86400;
// Midnight UTC of some days (checked against the calendar): Thursday 2026-01-01, Monday
// 2026-01-05, Saturday 2026-01-10, Friday 2026-01-30, Sunday 2027-02-28, Monday 2028-02-28.
constexpr std::int64_t thu_2026_01_01 = 1767225600;
constexpr std::int64_t mon_2026_01_05 = 1767571200;
constexpr std::int64_t sat_2026_01_10 = 1768003200;
constexpr std::int64_t fri_2026_01_30 = 1769731200;
constexpr std::int64_t sun_2027_02_28 = 1803772800;
constexpr std::int64_t mon_2028_02_28 = 1835308800;

// A failure `now`, the invoice's first, no jitter: times are exact.
smart_input failed(decline_class cls, std::int64_t now, std::int32_t attempts = 1)
{
    smart_input in;
    in.now = now;
    in.decline = cls;
    in.attempts_so_far = attempts;
    in.first_failure_at = now;
    in.jitter_seed = "pay_1";
    in.options.max_jitter_seconds = 0;
    return in;
}

std::int64_t at(const smart_input& in)
{
    const auto d = decide_smart(in);
    BOOST_TEST_REQUIRE(d.at.has_value(), "stopped: " << d.reason);
    BOOST_TEST(*d.at > in.now);
    return *d.at;
}

past_attempt decline_at(std::int64_t t, decline_class cls)
{
    past_attempt p;
    p.at = t;
    p.declined = true;
    p.decline_class = cls;
    return p;
}

} // namespace

BOOST_AUTO_TEST_SUITE(classes)

BOOST_AUTO_TEST_CASE(smart_is_a_retry_algorithm)
{
    BOOST_TEST(recoup::to_string(recoup::retry_algorithm::smart) == "smart");
    BOOST_TEST((recoup::enum_from_string<recoup::retry_algorithm>("smart") == recoup::retry_algorithm::smart));
    static_assert(recoup::names_are_dense<recoup::retry_algorithm>(3));
}

BOOST_AUTO_TEST_CASE(no_off_session_retry_can_fix_these)
{
    for (auto cls : {decline_class::hard, decline_class::fraud_suspected, decline_class::authentication_required}) {
        const auto d = decide_smart(failed(cls, mon_2026_01_05));
        BOOST_TEST(!d.at.has_value(), recoup::to_string(cls));
        BOOST_TEST(d.reason.find(recoup::to_string(cls)) == 0u, d.reason);
    }
}

BOOST_AUTO_TEST_CASE(try_later_and_processing_error_wait_hours)
{
    const auto now = mon_2026_01_05 + 12 * hour + 17;
    for (auto cls : {decline_class::try_later, decline_class::processing_error}) {
        BOOST_TEST(at(failed(cls, now, 1)) == now + 2 * hour);
        BOOST_TEST(at(failed(cls, now, 2)) == now + 6 * hour);
        BOOST_TEST(at(failed(cls, now, 3)) == now + 24 * hour);
        BOOST_TEST(at(failed(cls, now, 4)) == now + 48 * hour);
        BOOST_TEST(at(failed(cls, now, 7)) == now + 72 * hour);
    }
}

BOOST_AUTO_TEST_CASE(do_not_honor_waits_days_then_the_morning)
{
    const auto now = mon_2026_01_05 + 12 * hour; // Monday noon UTC
    BOOST_TEST(at(failed(decline_class::do_not_honor, now, 1)) == mon_2026_01_05 + 2 * day + 9 * hour); // Wednesday 09:00
    BOOST_TEST(at(failed(decline_class::do_not_honor, now, 2)) == mon_2026_01_05 + 4 * day + 9 * hour); // +3 d, next morning
    // An unknown class is read as do_not_honor.
    auto unknown = failed(decline_class::do_not_honor, now, 1);
    unknown.decline.reset();
    BOOST_TEST(at(unknown) == mon_2026_01_05 + 2 * day + 9 * hour);
}

BOOST_AUTO_TEST_CASE(an_expired_card_waits_for_an_updater_then_stops)
{
    const auto now = mon_2026_01_05 + 12 * hour;
    auto in = failed(decline_class::card_expired_or_replaced, now);
    std::vector<past_attempt> history{decline_at(now, decline_class::card_expired_or_replaced)};
    in.credential_history = history;
    BOOST_TEST(at(in) == mon_2026_01_05 + 4 * day + 9 * hour); // 3 days, then the morning
    history.insert(history.begin(), decline_at(now - 4 * day, decline_class::card_expired_or_replaced));
    in.first_failure_at = now - 4 * day;
    in.credential_history = history;
    in.attempts_so_far = 2;
    BOOST_TEST(at(in) == mon_2026_01_05 + 8 * day + 9 * hour); // 7 days
    history.insert(history.begin(), decline_at(now - 5 * day, decline_class::card_expired_or_replaced));
    in.first_failure_at = now - 5 * day;
    in.credential_history = history;
    in.attempts_so_far = 3;
    const auto d = decide_smart(in);
    BOOST_TEST(!d.at.has_value());
    BOOST_TEST(d.reason.find("card_expired_or_replaced") == 0u, d.reason);
    // Declines of an earlier invoice do not count against this one.
    in.first_failure_at = now;
    in.attempts_so_far = 1;
    BOOST_TEST(decide_smart(in).at.has_value());
}

BOOST_AUTO_TEST_CASE(switching_methods)
{
    using recoup::should_switch_method;
    for (auto c : {decline_class::hard, decline_class::card_expired_or_replaced, decline_class::authentication_required})
        BOOST_TEST(should_switch_method(c), recoup::to_string(c));
    for (auto c : {decline_class::insufficient_funds, decline_class::try_later, decline_class::do_not_honor,
                   decline_class::processing_error, decline_class::fraud_suspected})
        BOOST_TEST(!should_switch_method(c), recoup::to_string(c));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(calendar)

BOOST_AUTO_TEST_CASE(insufficient_funds_waits_for_the_morning_after_a_payday)
{
    // Monday noon: Saturday the 10th at 09:00 UTC (no time zone known), the day after Friday's payday.
    BOOST_TEST(at(failed(decline_class::insufficient_funds, mon_2026_01_05 + 12 * hour)) == sat_2026_01_10 + 9 * hour);
    // New Year's night, Thursday the 1st 00:00: not the payday's own morning, the 2nd's.
    BOOST_TEST(at(failed(decline_class::insufficient_funds, thu_2026_01_01)) == thu_2026_01_01 + day + 9 * hour);
    // Failed on Friday the 2nd at 10:00: that morning is spent; Saturday the 3rd.
    BOOST_TEST(at(failed(decline_class::insufficient_funds, thu_2026_01_01 + day + 10 * hour)) ==
               thu_2026_01_01 + 2 * day + 9 * hour);
    // Wednesday the 14th at noon: Friday the 16th (the day after the 15th) comes before Saturday.
    BOOST_TEST(at(failed(decline_class::insufficient_funds, thu_2026_01_01 + 13 * day + 12 * hour)) ==
               thu_2026_01_01 + 15 * day + 9 * hour);
    // At least 8 hours away: failed Saturday 01:00, Saturday 09:00 is exactly 8 hours later and taken;
    // failed at 01:00:01, the next slot is Friday the 16th.
    BOOST_TEST(at(failed(decline_class::insufficient_funds, sat_2026_01_10 + hour)) == sat_2026_01_10 + 9 * hour);
    BOOST_TEST(at(failed(decline_class::insufficient_funds, sat_2026_01_10 + hour + 1)) ==
               thu_2026_01_01 + 15 * day + 9 * hour);
}

BOOST_AUTO_TEST_CASE(month_ends_and_leap_days)
{
    // Three weeks after the first failure only the 2nd and the 16th are left (the 1st and 15th's next mornings).
    const auto late = [](std::int64_t now) {
        auto in = failed(decline_class::insufficient_funds, now);
        in.first_failure_at = now - 21 * day;
        return in;
    };
    // Friday 30 January in the evening: Monday 2 February.
    BOOST_TEST(at(late(fri_2026_01_30 + 12 * hour)) == fri_2026_01_30 + 3 * day + 9 * hour);
    // 2028 is a leap year: Monday 28 February -> Tuesday 29 -> Wednesday 1 March -> Thursday 2 March.
    BOOST_TEST(at(late(mon_2028_02_28 + 12 * hour)) == mon_2028_02_28 + 3 * day + 9 * hour);
    // 2027 is not: Sunday 28 February -> Tuesday 2 March.
    BOOST_TEST(at(late(sun_2027_02_28 + 12 * hour)) == sun_2027_02_28 + 2 * day + 9 * hour);
}

BOOST_AUTO_TEST_CASE(after_three_weeks_only_the_monthly_slots)
{
    const auto now = mon_2026_01_05 + 12 * hour;
    auto in = failed(decline_class::insufficient_funds, now);
    in.first_failure_at = now - 21 * day + 1; // within three weeks: Saturday
    BOOST_TEST(at(in) == sat_2026_01_10 + 9 * hour);
    in.first_failure_at = now - 21 * day; // three weeks: Saturdays are done, Friday the 16th
    BOOST_TEST(at(in) == thu_2026_01_01 + 15 * day + 9 * hour);
    in.attempts_so_far = 11; // the attempt count does not matter, up to max_attempts
    BOOST_TEST(at(in) == thu_2026_01_01 + 15 * day + 9 * hour);
}

BOOST_AUTO_TEST_CASE(the_customers_local_morning)
{
    const auto now = mon_2026_01_05 + 12 * hour;
    auto in = failed(decline_class::insufficient_funds, now);
    in.utc_offset_minutes = -300; // New York: 09:00 local is 14:00 UTC
    BOOST_TEST(at(in) == sat_2026_01_10 + 14 * hour);
    in.utc_offset_minutes.reset();
    in.country = "US"; // Central time
    BOOST_TEST(at(in) == sat_2026_01_10 + 15 * hour);
    in.country = "jp"; // +09:00: Saturday 09:00 in Tokyo is Saturday 00:00 UTC
    BOOST_TEST(at(in) == sat_2026_01_10);
    in.country = "IN"; // +05:30
    BOOST_TEST(at(in) == sat_2026_01_10 + 9 * hour - 330 * 60);
    in.utc_offset_minutes = 0; // an offset wins over the country
    BOOST_TEST(at(in) == sat_2026_01_10 + 9 * hour);
    in.utc_offset_minutes.reset();
    in.country = "XX"; // unknown: UTC
    BOOST_TEST(at(in) == sat_2026_01_10 + 9 * hour);
    // Honolulu (-10:00): Monday noon UTC is Monday 02:00 there; the local Saturday's morning is 19:00 UTC.
    in.country.reset();
    in.utc_offset_minutes = -600;
    BOOST_TEST(at(in) == sat_2026_01_10 + 19 * hour);
    BOOST_TEST(recoup::utc_offset_of_country("GB").value_or(-1) == 0);
    BOOST_TEST(!recoup::utc_offset_of_country("").has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(jitter)

BOOST_AUTO_TEST_CASE(bounded_deterministic_and_spread)
{
    using recoup::smart_jitter;
    std::set<std::int64_t> seen;
    for (int i = 0; i < 1000; ++i) {
        const auto seed = "pay_" + std::to_string(i);
        const auto j = smart_jitter(seed, 1, 1800);
        BOOST_TEST((j >= 0 && j <= 1800), seed);
        BOOST_TEST(smart_jitter(seed, 1, 1800) == j);
        seen.insert(j);
    }
    BOOST_TEST(seen.size() > 400u); // 1000 invoices over 1801 seconds: far from one second
    BOOST_TEST(smart_jitter("pay_1", 1, 0) == 0);
    BOOST_TEST(smart_jitter("pay_1", 1, -5) == 0);
    // The attempt number changes it too: one invoice does not always land on the same minute.
    std::set<std::int64_t> per_attempt;
    for (int a = 1; a <= 8; ++a) per_attempt.insert(smart_jitter("pay_1", a, 1800));
    BOOST_TEST(per_attempt.size() > 1u);
}

BOOST_AUTO_TEST_CASE(added_to_the_chosen_time)
{
    auto in = failed(decline_class::try_later, mon_2026_01_05);
    in.options.max_jitter_seconds = 1800;
    const auto jitter = recoup::smart_jitter("pay_1", 1, 1800);
    BOOST_TEST(at(in) == mon_2026_01_05 + 2 * hour + jitter);
    BOOST_TEST(at(in) == at(in)); // the same input, the same answer
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(limits)

BOOST_AUTO_TEST_CASE(at_most_max_attempts)
{
    const auto now = mon_2026_01_05;
    BOOST_TEST(decide_smart(failed(decline_class::try_later, now, 11)).at.has_value());
    const auto d = decide_smart(failed(decline_class::try_later, now, 12));
    BOOST_TEST(!d.at.has_value());
    BOOST_TEST(d.reason.find("max_attempts") == 0u, d.reason);
    // Fewer than cascading's 15.
    BOOST_TEST(recoup::smart_options{}.max_attempts < recoup::default_max_retry_count);
}

BOOST_AUTO_TEST_CASE(never_past_the_horizon)
{
    auto in = failed(decline_class::do_not_honor, mon_2026_01_05, 5); // waits 10 days
    in.first_failure_at = mon_2026_01_05 - 55 * day;
    const auto d = decide_smart(in);
    BOOST_TEST(!d.at.has_value());
    BOOST_TEST(d.reason.find("horizon") != std::string::npos, d.reason);
    in.first_failure_at = mon_2026_01_05 - 40 * day;
    BOOST_TEST(decide_smart(in).at.has_value());
}

BOOST_AUTO_TEST_CASE(a_mastercard_advice_code_sets_a_minimum_wait)
{
    auto in = failed(decline_class::try_later, mon_2026_01_05);
    in.advice_code = "30"; // retry after 10 days
    BOOST_TEST(at(in) == mon_2026_01_05 + 10 * day);
    in.advice_code = "24"; // 1 hour: the 2 h of try_later is later already
    BOOST_TEST(at(in) == mon_2026_01_05 + 2 * hour);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(budget)

BOOST_AUTO_TEST_CASE(the_time_moves_to_when_the_network_allows_it)
{
    // Ten Mastercard declines in the last hours (the platform's and ours): 24 hours after the first.
    const auto now = mon_2026_01_05 + 12 * hour;
    std::vector<past_attempt> history;
    for (int i = 0; i < 10; ++i) history.push_back(decline_at(now - 10 * hour + i * hour, decline_class::try_later));
    auto in = failed(decline_class::try_later, now);
    in.network = card_network::mastercard;
    in.credential_history = history;
    const auto d = decide_smart(in);
    BOOST_TEST_REQUIRE(d.at.has_value(), d.reason);
    BOOST_TEST(*d.at == now - 10 * hour + day);
    BOOST_TEST(d.reason.find("budget: mastercard_declines_24h") != std::string::npos, d.reason);
    // With jitter the time is after the window edge, never before it.
    in.options.max_jitter_seconds = 1800;
    const auto jittered = next_smart_attempt(in);
    BOOST_TEST_REQUIRE(jittered.has_value());
    BOOST_TEST(*jittered >= now - 10 * hour + day);
    BOOST_TEST(*jittered <= now - 10 * hour + day + 1800);
    // The same history on a Visa card: no Mastercard rule applies.
    in.network = card_network::visa;
    in.options.max_jitter_seconds = 0;
    BOOST_TEST(at(in) == now + 2 * hour);
}

BOOST_AUTO_TEST_CASE(a_never_retry_decline_stops)
{
    auto in = failed(decline_class::insufficient_funds, mon_2026_01_05);
    in.network = card_network::visa;
    auto p = decline_at(mon_2026_01_05 - 3 * day, decline_class::do_not_honor);
    p.network_code = "46"; // category 1: closed account (the platform's own attempt)
    const std::vector<past_attempt> history{p};
    in.credential_history = history;
    const auto d = decide_smart(in);
    BOOST_TEST(!d.at.has_value());
    BOOST_TEST(d.reason == "never: visa_category_1");
}

BOOST_AUTO_TEST_CASE(a_budget_beyond_the_horizon_stops)
{
    // A custom rule of 1 decline in 90 days: the next allowed time is past the 60-day horizon.
    auto in = failed(decline_class::try_later, mon_2026_01_05);
    in.rules.limits = {{"one_per_quarter", std::nullopt, 90 * day, 1, recoup::budget_counts::declines,
                        recoup::attempt_initiator::any}};
    const std::vector<past_attempt> history{decline_at(mon_2026_01_05, decline_class::try_later)};
    in.credential_history = history;
    const auto d = decide_smart(in);
    BOOST_TEST(!d.at.has_value());
    BOOST_TEST(d.reason.find("one_per_quarter") != std::string::npos, d.reason);
}

BOOST_AUTO_TEST_SUITE_END()
