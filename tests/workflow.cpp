#include <recoup/workflow.hpp>

#include <recoup/memory_store.hpp>

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
    BOOST_TEST(task_id(task_kind::psync, "pay_1") == "PASSIVE_RECOVERY_WORKFLOW_PSYNC_WORKFLOW_pay_1");
}

// ---- the state changes, on memory_store ----------------------------------------------------------

namespace {

const std::string pid = "pay_1";

struct world {
    memory_store store;
    task_record exec;
    const internal_charge used{"mca_p", "simulator", "tok_1"};

    world()
    {
        intent_record intent;
        intent.id = pid;
        intent.profile_id = "pro_1";
        intent.merchant_reference_id = "in_1";
        intent.billing_mca_id = "mca_b";
        intent.amount = 1000;
        intent.currency = *find_currency("USD");
        intent.status = intent_status::failed;
        intent.total_retry_count = 1;
        exec = claimed_task(task_kind::execute, execute_workflow_task);
        auto tx = store.begin();
        tx.lock_or_create_intent(intent);
        tx.upsert_task(exec);
        tx.commit();
    }

    // A task as the scheduler holds it after claiming it with a 300 s lease.
    static task_record claimed_task(task_kind kind, std::string_view name)
    {
        task_record t;
        t.id = task_id(kind, pid);
        t.name = name;
        t.runner = passive_recovery_runner;
        t.status = task_status_started;
        t.business_status = business_status::pending;
        t.schedule_time = now + 300;
        t.payment_id = pid;
        t.created_at = now - 60;
        return t;
    }

    template <class F>
    auto run(F&& f)
    {
        auto tx = store.begin();
        auto out = f(tx);
        tx.commit();
        return out;
    }

    // The scheduler claims `t` (stored as it is, or inserted) with the lease `t` names.
    void claim(const task_record& t)
    {
        run([&](auto& tx) {
            auto stored = tx.find_task(t.id).value_or(t);
            stored.status = task_status_started;
            stored.schedule_time = t.schedule_time;
            tx.upsert_task(stored);
            return 0;
        });
    }

    std::string attempt_id() const { return internal_attempt_id(pid, exec.retry_count); }

    // Records the internal attempt, then applies what `charge` decides.
    task_result charge_and_apply(const charge_result& charge, std::optional<std::string> business = std::nullopt)
    {
        BOOST_TEST(!run([&](auto& tx) { return start_internal_attempt(tx, exec, used, now); }));
        const charge_report report{exec, attempt_id(), charge,
                                   decide_after_charge(exec.retry_count, charge, retry_schedule{}, 15, now), 0,
                                   std::move(business)};
        return run([&](auto& tx) { return apply_decision(tx, report, now); });
    }

    memory_store::state state() const { return store.snapshot(); }
    task_record task(task_kind kind) const { return state().tasks.at(task_id(kind, pid)); }
    attempt_record attempt() const { return state().attempts.at(attempt_id()); }
    intent_record intent() const { return state().intents.at(pid); }
};

} // namespace

BOOST_AUTO_TEST_CASE(the_internal_attempt_is_recorded_once_before_the_charge)
{
    world w;
    for (int run = 0; run < 2; ++run) // a crashed run picked up again finds its attempt
        BOOST_TEST(!w.run([&](auto& tx) { return start_internal_attempt(tx, w.exec, w.used, now); }));
    const auto s = w.state();
    BOOST_TEST(s.attempts.size() == 1u);
    const auto a = w.attempt();
    BOOST_TEST((a.status == attempt_status::started));
    BOOST_TEST((a.triggered_by == triggered_by::internal));
    BOOST_TEST(a.connector_payment_id == w.attempt_id());
    BOOST_TEST(a.amount == 1000);
    BOOST_TEST(a.feature_metadata ==
               R"({"revenue_recovery":{"attempt_triggered_by":"internal","retry_count":0,"processor_mca_id":"mca_p"}})");
    BOOST_TEST(a.details == R"({"payment_method_token":"tok_1","processor":"simulator"})");
    BOOST_TEST((w.intent().status == intent_status::processing));
}

BOOST_AUTO_TEST_CASE(a_terminal_intent_finishes_the_task_without_an_attempt)
{
    world w;
    w.run([&](auto& tx) {
        auto i = *tx.find_intent(pid);
        i.status = intent_status::succeeded;
        tx.update_intent(i);
        return 0;
    });
    BOOST_TEST((w.run([&](auto& tx) { return start_internal_attempt(tx, w.exec, w.used, now); }) ==
                task_result::finished));
    BOOST_TEST(w.state().attempts.empty());
    BOOST_TEST(w.task(task_kind::execute).status == "finish");
    BOOST_TEST(w.task(task_kind::execute).business_status == "INTENT_ALREADY_TERMINAL");
}

BOOST_AUTO_TEST_CASE(a_soft_decline_rearms)
{
    world w;
    BOOST_TEST((w.charge_and_apply(soft()) == task_result::rearmed));
    const auto t = w.task(task_kind::execute);
    BOOST_TEST(t.status == "new");
    BOOST_TEST(t.business_status == "Pending");
    BOOST_TEST(t.retry_count == 1);
    BOOST_TEST(t.schedule_time == now + 10800);
    BOOST_TEST(t.updated_at == now);
    BOOST_TEST((w.attempt().status == attempt_status::failure));
    BOOST_TEST((w.attempt().error_code == std::optional<std::string>("insufficient_funds")));
    BOOST_TEST(w.attempt().connector_payment_id == "tx");
    BOOST_TEST((w.intent().status == intent_status::failed));
    BOOST_TEST(w.intent().total_retry_count == 2);
    BOOST_TEST(w.state().tasks.size() == 1u); // nothing to record back yet
}

BOOST_AUTO_TEST_CASE(success_finishes_and_arms_the_record_back)
{
    world w;
    BOOST_TEST((w.charge_and_apply(ok()) == task_result::succeeded));
    BOOST_TEST(w.task(task_kind::execute).status == "finish");
    BOOST_TEST(w.task(task_kind::execute).business_status == "EXECUTE_WORKFLOW_COMPLETE");
    BOOST_TEST(w.task(task_kind::execute).retry_count == 1);
    BOOST_TEST((w.attempt().status == attempt_status::charged));
    BOOST_TEST((w.intent().status == intent_status::succeeded));
    BOOST_TEST(w.intent().total_retry_count == 1);

    const auto rb = w.task(task_kind::record_back);
    BOOST_TEST(rb.id == "PASSIVE_RECOVERY_WORKFLOW_RECORD_BACK_WORKFLOW_pay_1");
    BOOST_TEST(rb.name == "RECORD_BACK_WORKFLOW");
    BOOST_TEST(rb.runner == "PASSIVE_RECOVERY_WORKFLOW");
    BOOST_TEST(rb.status == "new");
    BOOST_TEST(rb.business_status == "Pending");
    BOOST_TEST(rb.schedule_time == now);
    BOOST_TEST(rb.tracking_data ==
               R"({"payment_id":"pay_1","profile_id":"pro_1","billing_mca_id":"mca_b","outcome":"succeeded",)"
               R"("invoice_id":"in_1","amount":1000,"currency":"USD","attempt_id":")" +
                   w.attempt_id() + R"(","occurred_at":1700000000,"connector_transaction_id":"tx"})");
}

BOOST_AUTO_TEST_CASE(a_hard_decline_finishes_failed)
{
    world w;
    BOOST_TEST((w.charge_and_apply(hard()) == task_result::failed));
    BOOST_TEST(w.task(task_kind::execute).status == "finish");
    BOOST_TEST(w.task(task_kind::execute).business_status == "HARD_DECLINE");
    BOOST_TEST((w.intent().status == intent_status::failed));
    BOOST_TEST(w.intent().total_retry_count == 2);
    const auto data = tracking_of<record_back_tracking>(w.task(task_kind::record_back).tracking_data);
    BOOST_TEST((data.outcome == recovery_outcome::failed));
}

BOOST_AUTO_TEST_CASE(a_rejected_request_finishes_with_the_given_business_status)
{
    world w;
    const charge_result rejected{charge_status::failed, decline_kind::hard, "invalid_field", "bad", std::nullopt};
    BOOST_TEST((w.charge_and_apply(rejected, std::string(business_status::charge_rejected)) == task_result::failed));
    BOOST_TEST(w.task(task_kind::execute).business_status == "CHARGE_REQUEST_REJECTED");
    BOOST_TEST(w.attempt().connector_payment_id == w.attempt_id()); // no processor transaction
    const auto data = tracking_of<record_back_tracking>(w.task(task_kind::record_back).tracking_data);
    BOOST_TEST(!data.connector_transaction_id);
}

BOOST_AUTO_TEST_CASE(the_last_retry_exhausts_the_schedule)
{
    world w;
    w.exec.retry_count = 14;
    w.run([&](auto& tx) {
        tx.upsert_task(w.exec);
        return 0;
    });
    BOOST_TEST((w.charge_and_apply(soft()) == task_result::failed));
    BOOST_TEST(w.task(task_kind::execute).status == "finish");
    BOOST_TEST(w.task(task_kind::execute).business_status == "RETRIES_EXHAUSTED");
    BOOST_TEST(w.task(task_kind::execute).retry_count == 15);
    BOOST_TEST(w.state().tasks.count(task_id(task_kind::record_back, pid)) == 1u);
}

BOOST_AUTO_TEST_CASE(a_pending_charge_parks_the_task_and_arms_a_poll)
{
    world w;
    BOOST_TEST((w.charge_and_apply(pending()) == task_result::awaiting_psync));
    const auto exec = w.task(task_kind::execute);
    BOOST_TEST(exec.status == "new");
    BOOST_TEST(exec.business_status == "AWAITING_PSYNC");
    BOOST_TEST(exec.schedule_time == far_future);
    BOOST_TEST(exec.retry_count == 0);
    const auto p = w.task(task_kind::psync);
    BOOST_TEST(p.name == "PSYNC_WORKFLOW");
    BOOST_TEST(p.status == "new");
    BOOST_TEST(p.business_status == "Pending");
    BOOST_TEST(p.schedule_time == now + 60);
    BOOST_TEST(p.created_at == now);
    BOOST_TEST(p.tracking_data == R"({"payment_id":"pay_1","attempt_id":")" + w.attempt_id() +
                                      R"(","processor_transaction_id":"tx","poll_count":0})");
    BOOST_TEST((w.attempt().status == attempt_status::pending));
    BOOST_TEST((w.intent().status == intent_status::processing));
}

BOOST_AUTO_TEST_CASE(a_settled_poll_completes_both_tasks)
{
    world w;
    w.charge_and_apply(pending());
    const auto psync = world::claimed_task(task_kind::psync, psync_workflow_task);
    w.claim(psync);
    const auto data = tracking_of<psync_tracking>(w.task(task_kind::psync).tracking_data);
    const auto retry_count = w.run([&](auto& tx) { return start_poll(tx, psync, now); });
    BOOST_TEST_REQUIRE(retry_count.has_value());
    BOOST_TEST(*retry_count == 0);
    const charge_report report{psync, data.attempt_id, ok(),
                               decide_after_poll(*retry_count, data.poll_count, ok(), retry_schedule{}, 15, now),
                               data.poll_count + 1, std::nullopt};
    BOOST_TEST((w.run([&](auto& tx) { return apply_decision(tx, report, now); }) == task_result::succeeded));
    BOOST_TEST(w.task(task_kind::psync).status == "finish");
    BOOST_TEST(w.task(task_kind::psync).business_status == "PSYNC_WORKFLOW_COMPLETE");
    BOOST_TEST(w.task(task_kind::execute).status == "finish");
    BOOST_TEST(w.task(task_kind::execute).business_status == "EXECUTE_WORKFLOW_COMPLETE");
    BOOST_TEST((w.attempt().status == attempt_status::charged));
    BOOST_TEST(w.state().tasks.count(task_id(task_kind::record_back, pid)) == 1u);
}

BOOST_AUTO_TEST_CASE(a_poll_after_the_task_finished_elsewhere_finishes_alike)
{
    world w;
    w.charge_and_apply(pending());
    const auto psync = world::claimed_task(task_kind::psync, psync_workflow_task);
    w.run([&](auto& tx) {
        tx.finish_tasks(pid, std::string(business_status::external_payment), now);
        return 0;
    });
    w.claim(psync);
    BOOST_TEST(!w.run([&](auto& tx) { return start_poll(tx, psync, now); }));
    BOOST_TEST(w.task(task_kind::psync).status == "finish");
    BOOST_TEST(w.task(task_kind::psync).business_status == "COMPLETED_BY_EXTERNAL_PAYMENT");
}

BOOST_AUTO_TEST_CASE(a_lost_claim_updates_only_the_attempt)
{
    world w;
    BOOST_TEST(!w.run([&](auto& tx) { return start_internal_attempt(tx, w.exec, w.used, now); }));
    // An external payment arrives while the charge is in flight.
    w.run([&](auto& tx) {
        tx.finish_tasks(pid, std::string(business_status::external_payment), now);
        return 0;
    });
    const auto before = w.intent();
    const charge_report report{w.exec, w.attempt_id(), ok(), decide_after_charge(0, ok(), retry_schedule{}, 15, now),
                               0, std::nullopt};
    BOOST_TEST((w.run([&](auto& tx) { return apply_decision(tx, report, now); }) == task_result::claim_lost));
    BOOST_TEST((w.attempt().status == attempt_status::charged));
    BOOST_TEST(w.task(task_kind::execute).business_status == "COMPLETED_BY_EXTERNAL_PAYMENT");
    BOOST_TEST(w.task(task_kind::execute).retry_count == 0);
    BOOST_TEST((w.intent().status == before.status));
    BOOST_TEST(w.state().tasks.size() == 1u);
    // Nor does a lost claim start another attempt.
    BOOST_TEST((w.run([&](auto& tx) { return start_internal_attempt(tx, w.exec, w.used, now); }) ==
                task_result::claim_lost));
}

BOOST_AUTO_TEST_CASE(finish_and_rearm_touch_only_a_task_still_claimed)
{
    world w;
    BOOST_TEST(w.run([&](auto& tx) { return rearm_claimed(tx, w.exec, now + 60, now); }));
    BOOST_TEST(w.task(task_kind::execute).status == "new");
    BOOST_TEST(w.task(task_kind::execute).schedule_time == now + 60);
    // Re-armed, it is no longer the task we claimed.
    BOOST_TEST(!w.run([&](auto& tx) { return finish_claimed(tx, w.exec, business_status::unknown_task, now); }));
    BOOST_TEST(w.task(task_kind::execute).status == "new");
}

BOOST_AUTO_TEST_CASE(record_back_retries_back_off_then_give_up)
{
    world w;
    auto rb = world::claimed_task(task_kind::record_back, record_back_workflow_task);
    const std::int64_t expected[] = {60, 120, 240, 480, 960, 1920, 3840};
    for (std::int32_t tries = 1; tries < record_back_attempts; ++tries) {
        w.claim(rb);
        BOOST_TEST((w.run([&](auto& tx) { return retry_record_back(tx, rb, record_back_attempts, now); }) ==
                    task_result::retry));
        const auto t = w.task(task_kind::record_back);
        BOOST_TEST(t.status == "new");
        BOOST_TEST(t.retry_count == tries);
        BOOST_TEST(t.schedule_time == now + expected[tries - 1], "try " << tries);
    }
    w.claim(rb);
    BOOST_TEST((w.run([&](auto& tx) { return retry_record_back(tx, rb, record_back_attempts, now); }) ==
                task_result::retry));
    BOOST_TEST(w.task(task_kind::record_back).status == "finish");
    BOOST_TEST(w.task(task_kind::record_back).business_status == "RECORD_BACK_FAILED");
    BOOST_TEST(w.task(task_kind::record_back).retry_count == 8);
    // Not ours any more: nothing changes.
    BOOST_TEST((w.run([&](auto& tx) { return retry_record_back(tx, rb, record_back_attempts, now); }) ==
                task_result::claim_lost));
}

BOOST_AUTO_TEST_CASE(transient_faults_back_off_then_give_up)
{
    world w;
    std::int32_t faults = 0;
    for (std::int32_t tries = 1; tries < processor_fault_tries; ++tries) {
        w.claim(w.exec);
        const auto d = decide_after_fault(faults, http_fault::transient, processor_fault_tries, now);
        BOOST_TEST(!d.finish);
        BOOST_TEST((w.run([&](auto& tx) { return apply_fault(tx, w.exec, d, now); }) == task_result::transport_error));
        const auto t = w.task(task_kind::execute);
        BOOST_TEST(t.status == "new");
        BOOST_TEST(t.retry_count == 0);
        BOOST_TEST(t.schedule_time == now + processor_fault_delay(tries).count());
        faults = processor_faults(t);
        BOOST_TEST(faults == tries);
        w.exec.tracking_data = t.tracking_data;
    }
    w.claim(w.exec);
    const auto d = decide_after_fault(faults, http_fault::transient, processor_fault_tries, now);
    BOOST_TEST(d.finish);
    BOOST_TEST((w.run([&](auto& tx) { return apply_fault(tx, w.exec, d, now); }) == task_result::failed));
    BOOST_TEST(w.task(task_kind::execute).status == "finish");
    BOOST_TEST(w.task(task_kind::execute).business_status == "PROCESSOR_RETRIES_EXHAUSTED");
    BOOST_TEST((w.run([&](auto& tx) { return apply_fault(tx, w.exec, d, now); }) == task_result::claim_lost));
}

BOOST_AUTO_TEST_CASE(final_faults_finish_at_once)
{
    BOOST_TEST(decide_after_fault(0, http_fault::auth, 6, now).business_status == "PROCESSOR_AUTH_FAILED");
    BOOST_TEST(decide_after_fault(0, http_fault::conflict, 6, now).business_status == "PROCESSOR_CONFLICT");
    BOOST_TEST(decide_after_fault(0, http_fault::rejected, 6, now).business_status == "CHARGE_REQUEST_REJECTED");
    BOOST_TEST(decide_after_fault(0, http_fault::auth, 6, now).finish);
    // A poll's fault finishes the EXECUTE task that waits on it too.
    world w;
    auto poll = world::claimed_task(task_kind::psync, psync_workflow_task);
    w.claim(poll);
    const auto d = decide_after_fault(5, http_fault::transient, 6, now);
    BOOST_TEST((w.run([&](auto& tx) { return apply_fault(tx, poll, d, now); }) == task_result::failed));
    BOOST_TEST(w.task(task_kind::psync).business_status == "PROCESSOR_RETRIES_EXHAUSTED");
    BOOST_TEST(w.task(task_kind::execute).status == "finish");
    BOOST_TEST(w.task(task_kind::execute).business_status == "PROCESSOR_RETRIES_EXHAUSTED");
}
