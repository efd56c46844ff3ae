#include <recoup/workflow.hpp>

#define BOOST_TEST_MODULE workflow
#include <boost/test/unit_test.hpp>

using namespace recoup;
using next = workflow_decision::next;

namespace {
const std::int64_t now = 1'700'000'000;
charge_result soft() { return {charge_status::failed, decline_kind::soft, "insufficient_funds", "no funds", "tx"}; }
charge_result hard() { return {charge_status::failed, decline_kind::hard, "stolen_card", "stolen", "tx"}; }
charge_result ok() { return {charge_status::succeeded, std::nullopt, std::nullopt, std::nullopt, "tx"}; }
charge_result pending() { return {charge_status::pending, std::nullopt, std::nullopt, std::nullopt, "tx"}; }
} // namespace

BOOST_AUTO_TEST_CASE(success_finishes_and_records_back)
{
    const auto d = decide_after_charge(0, ok(), retry_schedule{}, 15, now);
    BOOST_TEST((d.step == next::finish_succeeded));
    BOOST_TEST((d.attempt == attempt_status::charged));
    BOOST_TEST((d.intent == intent_status::succeeded));
    BOOST_TEST(d.business_status == "EXECUTE_WORKFLOW_COMPLETE");
    BOOST_TEST((d.record_back == recovery_outcome::succeeded));
}

BOOST_AUTO_TEST_CASE(soft_declines_rearm_at_the_mapped_delays_until_exhausted)
{
    // After retry r fails softly, the task holds r+1 retries and waits delay(r+1).
    const long long expected[15] = {10800, 10800, 21600, 21600, 21600, 32400, 32400, 32400,
                                    43200, 43200, 43200, 64800, 64800, 64800, -1};
    for (int r = 0; r < 15; ++r) {
        const auto d = decide_after_charge(r, soft(), retry_schedule{}, 15, now);
        BOOST_TEST(d.retry_count == r + 1);
        BOOST_TEST((d.attempt == attempt_status::failure));
        if (expected[r] < 0) {
            BOOST_TEST((d.step == next::finish_failed), "retry " << r);
            BOOST_TEST(d.business_status == "RETRIES_EXHAUSTED");
            BOOST_TEST((d.record_back == recovery_outcome::failed));
        } else {
            BOOST_TEST((d.step == next::rearm), "retry " << r);
            BOOST_TEST(d.schedule_time == now + expected[r], "retry " << r);
            BOOST_TEST(!d.record_back.has_value());
        }
    }
}

BOOST_AUTO_TEST_CASE(a_lower_max_retry_count_exhausts_sooner)
{
    BOOST_TEST((decide_after_charge(1, soft(), retry_schedule{}, 3, now).step == next::rearm));
    BOOST_TEST((decide_after_charge(2, soft(), retry_schedule{}, 3, now).step == next::finish_failed));
}

BOOST_AUTO_TEST_CASE(hard_declines_finish_at_once)
{
    const auto d = decide_after_charge(0, hard(), retry_schedule{}, 15, now);
    BOOST_TEST((d.step == next::finish_failed));
    BOOST_TEST(d.business_status == "HARD_DECLINE");
    BOOST_TEST((d.intent == intent_status::failed));
    BOOST_TEST((d.record_back == recovery_outcome::failed));
}

BOOST_AUTO_TEST_CASE(pending_waits_for_psync_and_polls_resolve_it)
{
    const auto d = decide_after_charge(2, pending(), retry_schedule{}, 15, now);
    BOOST_TEST((d.step == next::await_psync));
    BOOST_TEST(d.retry_count == 2);
    BOOST_TEST(d.schedule_time == now + 60);
    BOOST_TEST((d.intent == intent_status::processing));

    const auto still = decide_after_poll(2, 0, pending(), retry_schedule{}, 15, now);
    BOOST_TEST((still.step == next::await_psync));
    BOOST_TEST(still.schedule_time == now + 300);

    const auto done = decide_after_poll(2, 3, ok(), retry_schedule{}, 15, now);
    BOOST_TEST((done.step == next::finish_succeeded));

    const auto failed = decide_after_poll(2, 3, soft(), retry_schedule{}, 15, now);
    BOOST_TEST((failed.step == next::rearm));
    BOOST_TEST(failed.retry_count == 3);
}

BOOST_AUTO_TEST_CASE(a_charge_that_never_settles_counts_as_a_soft_failure)
{
    const int polls = default_psync_schedule().max_retries();
    const auto d = decide_after_poll(0, polls - 1, pending(), retry_schedule{}, 15, now);
    BOOST_TEST((d.step == next::rearm));
    BOOST_TEST(d.retry_count == 1);
}

BOOST_AUTO_TEST_CASE(internal_attempt_ids_are_stable_per_retry)
{
    BOOST_TEST(internal_attempt_id("pay_1", 0) == internal_attempt_id("pay_1", 0));
    BOOST_TEST(internal_attempt_id("pay_1", 0) != internal_attempt_id("pay_1", 1));
    BOOST_TEST(internal_attempt_id("pay_1", 0) != internal_attempt_id("pay_2", 0));
    BOOST_TEST(internal_attempt_id("pay_1", 0).rfind("att_", 0) == 0u);
    BOOST_TEST(psync_task_id("pay_1") == "PASSIVE_RECOVERY_WORKFLOW_PSYNC_WORKFLOW_pay_1");
}
