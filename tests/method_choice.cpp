// recoup::plan_charge and recoup::decide_after_decline on memory_store: the network budget refuses
// an attempt past a limit and re-arms to the window's edge, a never-retry decline is never retried,
// a hard decline moves to the customer's next payment method (recorded on the attempt), under
// smart a soft one moves to the backup method too and the methods take turns, and the platform's
// own failures count against the same budget.
#include <recoup/method_choice.hpp>

#include <recoup/flow.hpp>
#include <recoup/memory_store.hpp>

#define BOOST_TEST_MODULE method_choice
#include <boost/test/unit_test.hpp>

using namespace recoup;
using next = workflow_decision::next;
using step = charge_plan::step;

namespace {

const std::int64_t t0 = 1'767'225'600; // 2026-01-01T00:00:00Z
const std::int64_t day = 86400;
const std::string profile = "prof_1";

recovery_attempt source_with(std::vector<payment_method_ref> alternates = {})
{
    recovery_attempt a;
    a.amount = 1000;
    a.currency = *find_currency("USD");
    a.merchant_reference_id = *merchant_reference_id::make("inv_1");
    a.connector_transaction_id = "txn_platform";
    a.processor_payment_method_token = "pm_default";
    a.card_network = "Visa";
    a.alternate_payment_methods = std::move(alternates);
    return a;
}

// A profile rule table with only the pre-2025 Visa rule (15 reattempts in 30 days), to see its boundary.
network_rules visa_15()
{
    auto rules = default_network_rules();
    for (auto& l : rules.limits)
        if (l.network == card_network::visa) l.max_attempts = 15;
    return rules;
}

struct world {
    memory_store store;
    intent_record intent;

    world()
    {
        intent.id = "pay_1";
        intent.profile_id = profile;
        intent.merchant_reference_id = "inv_1";
        intent.billing_mca_id = "mca_b";
        intent.amount = 1000;
        intent.currency = *find_currency("USD");
        intent.status = intent_status::failed;
        intent.created_at = intent.modified_at = t0;
        auto tx = store.begin();
        tx.lock_or_create_intent(intent);
        tx.commit();
    }

    // A declined attempt on `method` at `at` (another invoice's when `payment_id` says so).
    void declined(const charge_method& method, std::int64_t at, std::string_view cls,
                  std::optional<std::string> code = std::nullopt, std::string payment_id = "pay_1",
                  triggered_by by = triggered_by::internal)
    {
        attempt_record a;
        a.id = "att_" + std::to_string(at) + "_" + method.token + "_" + payment_id;
        a.payment_id = payment_id;
        a.status = attempt_status::failure;
        a.currency = *find_currency("USD");
        a.connector_payment_id = a.id;
        a.triggered_by = by;
        a.created_at = a.modified_at = at;
        a.decline_class = std::string(cls);
        a.network = std::string(to_string(method.network));
        a.network_decline_code = std::move(code);
        a.payment_method_id = method.token;
        a.credential_id = method.credential_id;
        auto tx = store.begin();
        tx.insert_attempt(a);
        tx.commit();
    }

    charge_plan plan(const std::vector<charge_method>& methods, const network_rules& rules, std::int64_t now,
                     std::int32_t retry_count = 0, retry_algorithm algorithm = retry_algorithm::cascading)
    {
        auto tx = store.begin();
        return plan_charge(tx, intent, retry_count, methods, rules, t0 + 60 * day, now, algorithm);
    }

    decline_context context(const charge_method& method, const std::vector<charge_method>& methods,
                            const network_rules& rules, retry_algorithm algorithm, std::int64_t now)
    {
        auto tx = store.begin();
        decline_context ctx;
        ctx.algorithm = algorithm;
        ctx.rules = rules;
        ctx.method = method;
        ctx.invoice_attempts = tx.attempts_of(intent.id);
        ctx.credential_history = past_attempts_of(
            tx.credential_history(method.credential_id, std::string(to_string(method.network)), 0));
        for (const auto& m : methods)
            if (!(m == method)) {
                const auto h = past_attempts_of(
                    tx.credential_history(m.credential_id, std::string(to_string(m.network)), 0));
                if (method_barred(rules, m, h, ctx.invoice_attempts, now)) continue;
                ctx.alternate_left = true;
                ctx.fresher_alternate = ctx.fresher_alternate || declines_of(m, ctx.invoice_attempts) <
                                                                     declines_of(method, ctx.invoice_attempts);
            }
        return ctx;
    }
};

charge_result declined_with(decline_class cls, std::optional<std::string> code = std::nullopt)
{
    charge_result c;
    c.status = charge_status::failed;
    c.decline = decline_kind_of(cls);
    c.decline_class = cls;
    c.error_code = std::string(to_string(cls));
    c.network_decline_code = std::move(code);
    return c;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_credential_is_the_profile_and_token_hashed)
{
    const auto id = credential_id("prof_1", "pm_1");
    BOOST_TEST(id.size() == 64u);
    BOOST_TEST(id == credential_id("prof_1", "pm_1"));
    BOOST_TEST(id != credential_id("prof_2", "pm_1"));
    BOOST_TEST(id != credential_id("prof_1", "pm_2"));
    // NUL separated: ("ab", "c") is not ("a", "bc").
    BOOST_TEST(credential_id("ab", "c") != credential_id("a", "bc"));
    BOOST_TEST(id == hex_encode(sha256(std::string("prof_1") + '\0' + "pm_1")));
}

BOOST_AUTO_TEST_CASE(methods_are_the_default_then_each_alternate_once)
{
    const auto methods = methods_of(profile, source_with({{"pm_mc", "mastercard", "card"},
                                                          {"pm_default", "visa", "card"},
                                                          {"pm_unknown", std::nullopt, std::nullopt}}));
    BOOST_REQUIRE(methods.size() == 3u);
    BOOST_TEST(methods[0].token == "pm_default");
    BOOST_TEST((methods[0].network == card_network::visa));
    BOOST_TEST(methods[0].credential_id == credential_id(profile, "pm_default"));
    BOOST_TEST(methods[1].token == "pm_mc");
    BOOST_TEST((methods[1].network == card_network::mastercard));
    BOOST_TEST((methods[2].network == card_network::other));
    auto none = source_with();
    none.processor_payment_method_token.reset();
    BOOST_TEST(methods_of(profile, none).empty());
}

BOOST_AUTO_TEST_CASE(the_16th_visa_reattempt_in_30_days_waits_for_the_window_edge)
{
    world w;
    const auto methods = methods_of(profile, source_with());
    const auto& visa = methods[0];
    // The original decline, then 14 reattempts, one a day: 14 reattempts so far, all declined softly.
    for (int i = 0; i < 15; ++i) w.declined(visa, t0 + i * day, "insufficient_funds", "51");
    const auto before = w.plan(methods, visa_15(), t0 + 15 * day);
    BOOST_TEST((before.what == step::charge)); // the 15th reattempt is within the limit
    w.declined(visa, t0 + 15 * day, "insufficient_funds", "51");
    const auto after = w.plan(methods, visa_15(), t0 + 15 * day + 3600);
    BOOST_TEST((after.what == step::wait)); // the 16th is not
    // The first reattempt (day 1) leaves the window 30 days later.
    BOOST_TEST(after.at == t0 + day + 30 * day, "earliest " << after.at << " rule " << after.reason);
    BOOST_TEST(after.reason == "visa_merchant_reattempts_30d");
}

BOOST_AUTO_TEST_CASE(a_category_1_decline_is_never_retried)
{
    world w;
    const auto methods = methods_of(profile, source_with());
    w.declined(methods[0], t0, "hard", "14");
    const auto p = w.plan(methods, default_network_rules(), t0 + day);
    BOOST_TEST((p.what == step::finish));
    BOOST_TEST(p.business_status == "NEVER_RETRY");
    // Nor by another invoice of the same profile: the credential is barred, whoever declined it.
    world other;
    other.declined(methods[0], t0, "do_not_honor", "14", "pay_other");
    BOOST_TEST((other.plan(methods, default_network_rules(), t0 + day).what == step::finish));
}

BOOST_AUTO_TEST_CASE(mastercard_allows_10_declines_a_day)
{
    world w;
    const auto methods = methods_of(profile, source_with());
    const charge_method mc{"pm_mc", card_network::mastercard, credential_id(profile, "pm_mc")};
    const std::vector<charge_method> only_mc{mc};
    for (int i = 0; i < 9; ++i) w.declined(mc, t0 + i * 60, "try_later");
    BOOST_TEST((w.plan(only_mc, default_network_rules(), t0 + 9 * 60).what == step::charge)); // the 10th
    w.declined(mc, t0 + 9 * 60, "try_later");
    const auto p = w.plan(only_mc, default_network_rules(), t0 + 10 * 60);
    BOOST_TEST((p.what == step::wait)); // the 11th in 24 hours
    BOOST_TEST(p.at == t0 + day, "earliest " << p.at << " rule " << p.reason); // the first leaves the window
    BOOST_TEST(p.reason == "mastercard_declines_24h");
}

BOOST_AUTO_TEST_CASE(a_hard_decline_switches_to_the_alternate_and_records_it)
{
    world w;
    const auto methods = methods_of(profile, source_with({{"pm_backup", "mastercard", "card"}}));
    BOOST_REQUIRE(methods.size() == 2u);
    // Retry 0 charges the default and is declined: stolen card.
    auto first = w.plan(methods, default_network_rules(), t0 + 60);
    BOOST_REQUIRE((first.what == step::charge));
    BOOST_TEST(first.method->token == "pm_default");
    w.declined(methods[0], t0 + 60, "hard");
    const auto charge = declined_with(decline_class::hard);
    const auto ladder = decide_after_charge(0, charge, retry_schedule{}, 15, t0 + 60);
    BOOST_TEST((ladder.step == next::finish_failed)); // the ladder alone would stop here
    for (auto algorithm : {retry_algorithm::cascading, retry_algorithm::smart}) {
        const auto d = decide_after_decline(ladder, charge,
                                            w.context(methods[0], methods, default_network_rules(), algorithm, t0 + 60),
                                            "pay_1", t0 + 60);
        BOOST_TEST((d.step == next::rearm));
        BOOST_TEST(d.schedule_time == t0 + 60 + method_switch_delay);
        BOOST_TEST(!d.record_back);
    }
    // The next run charges the alternate, and the internal attempt records it.
    const auto second = w.plan(methods, default_network_rules(), t0 + 60 + method_switch_delay, 1);
    BOOST_REQUIRE((second.what == step::charge));
    BOOST_TEST(second.method->token == "pm_backup");
    task_record exec;
    exec.id = task_id(task_kind::execute, "pay_1");
    exec.name = execute_workflow_task;
    exec.runner = passive_recovery_runner;
    exec.status = task_status_started;
    exec.retry_count = 1;
    exec.payment_id = "pay_1";
    {
        auto tx = w.store.begin();
        tx.upsert_task(exec);
        const internal_charge used{"mca_p", "simulator", second.method->token,
                                   std::string(to_string(second.method->network)), second.method->credential_id};
        BOOST_TEST(!start_internal_attempt(tx, exec, used, t0 + 60 + method_switch_delay));
        tx.commit();
    }
    const auto a = w.store.snapshot().attempts.at(internal_attempt_id("pay_1", 1));
    BOOST_TEST(a.payment_method_id.value_or("") == "pm_backup");
    BOOST_TEST(a.network.value_or("") == "mastercard");
    BOOST_TEST(a.credential_id.value_or("") == credential_id(profile, "pm_backup"));
    // Declined hard too: nothing is left, the task finishes.
    w.declined(methods[1], t0 + 60 + method_switch_delay + 1, "hard");
    const auto last = decide_after_decline(
        decide_after_charge(1, charge, retry_schedule{}, 15, t0 + 7200),
        charge, w.context(methods[1], methods, default_network_rules(), retry_algorithm::cascading, t0 + 7200),
        "pay_1", t0 + 7200);
    BOOST_TEST((last.step == next::finish_failed));
    BOOST_TEST(last.business_status == "HARD_DECLINE");
    BOOST_TEST((w.plan(methods, default_network_rules(), t0 + 8000, 2).what == step::finish));
}

BOOST_AUTO_TEST_CASE(suspected_fraud_ends_the_invoice_without_another_method)
{
    world w;
    const auto methods = methods_of(profile, source_with({{"pm_backup", "mastercard", "card"}}));
    BOOST_REQUIRE(methods.size() == 2u);
    w.declined(methods[0], t0 + 60, "fraud_suspected");
    const auto charge = declined_with(decline_class::fraud_suspected);
    const auto ladder = decide_after_charge(0, charge, retry_schedule{}, 15, t0 + 60);
    for (auto algorithm : {retry_algorithm::cascading, retry_algorithm::smart}) {
        const auto ctx = w.context(methods[0], methods, default_network_rules(), algorithm, t0 + 60);
        BOOST_TEST(ctx.alternate_left); // the backup is there, and still not charged
        const auto d = decide_after_decline(ladder, charge, ctx, "pay_1", t0 + 60);
        BOOST_TEST((d.step == next::finish_failed));
        BOOST_TEST(d.business_status == "HARD_DECLINE");
        // Nor does a later run pick the backup (a fraud decline reported by the platform's webhook).
        const auto p = w.plan(methods, default_network_rules(), t0 + 7200, 1, algorithm);
        BOOST_TEST((p.what == step::finish));
        BOOST_TEST(p.business_status == "HARD_DECLINE");
    }
}

BOOST_AUTO_TEST_CASE(a_soft_decline_keeps_the_method_and_the_ladder_bows_to_the_budget)
{
    world w;
    const auto methods = methods_of(profile, source_with({{"pm_backup", "visa", "card"}}));
    for (int i = 0; i < 16; ++i) w.declined(methods[0], t0 + i * 3600, "insufficient_funds", "51");
    const auto charge = declined_with(decline_class::insufficient_funds, "51");
    const auto now = t0 + 15 * 3600;
    const auto ladder = decide_after_charge(3, charge, retry_schedule{}, 15, now);
    BOOST_REQUIRE((ladder.step == next::rearm));
    const auto d = decide_after_decline(
        ladder, charge, w.context(methods[0], methods, visa_15(), retry_algorithm::cascading, now), "pay_1", now);
    BOOST_TEST((d.step == next::rearm));
    BOOST_TEST(d.schedule_time > ladder.schedule_time); // moved to the window's edge
    BOOST_TEST(d.schedule_time == t0 + 3600 + 30 * day);
}

BOOST_AUTO_TEST_CASE(the_platforms_own_failures_count_against_the_budget)
{
    // The webhook path records the platform's attempt with the credential, network and class.
    auto reported = source_with();
    reported.status = attempt_status::failure;
    reported.error_code = "insufficient_funds";
    intent_record intent;
    intent.id = "pay_1";
    intent.profile_id = profile;
    const auto a = detail::external_attempt(reported, intent, t0);
    BOOST_TEST(a.credential_id.value_or("") == credential_id(profile, "pm_default"));
    BOOST_TEST(a.network.value_or("") == "visa");
    BOOST_TEST(a.payment_method_id.value_or("") == "pm_default");
    BOOST_TEST(a.decline_class.value_or("") == "insufficient_funds");
    reported.error_code = "E_UNKNOWN_GATEWAY";
    BOOST_TEST(!detail::external_attempt(reported, intent, t0).decline_class);

    // 16 platform failures of another invoice leave no Visa reattempt for ours (under 15).
    world w;
    const auto methods = methods_of(profile, source_with());
    for (int i = 0; i < 17; ++i)
        w.declined(methods[0], t0 + i * 3600, "insufficient_funds", "51", "pay_2", triggered_by::external);
    BOOST_TEST((w.plan(methods, visa_15(), t0 + day).what == step::wait));
}

BOOST_AUTO_TEST_CASE(under_smart_a_soft_decline_moves_to_the_backup_method_and_they_take_turns)
{
    world w;
    const auto methods = methods_of(profile, source_with({{"pm_backup", "visa", "card"}}));
    BOOST_REQUIRE(methods.size() == 2u);
    const auto rules = default_network_rules();
    // The platform's failure of the default: smart charges the backup first, cascading the default.
    w.declined(methods[0], t0, "insufficient_funds", "51", "pay_1", triggered_by::external);
    BOOST_TEST(w.plan(methods, rules, t0 + 60, 0, retry_algorithm::smart).method->token == "pm_backup");
    BOOST_TEST(w.plan(methods, rules, t0 + 60, 0, retry_algorithm::cascading).method->token == "pm_default");

    // Had the default been charged and declined soft, smart tries the backup an hour later;
    // cascading keeps the ladder's time on the same method.
    const auto charge = declined_with(decline_class::insufficient_funds, "51");
    const auto ladder = decide_after_charge(0, charge, retry_schedule{}, 15, t0 + 60);
    BOOST_REQUIRE((ladder.step == next::rearm));
    const auto smart = decide_after_decline(
        ladder, charge, w.context(methods[0], methods, rules, retry_algorithm::smart, t0 + 60), "pay_1", t0 + 60);
    BOOST_TEST((smart.step == next::rearm));
    BOOST_TEST(smart.schedule_time == t0 + 60 + method_switch_delay);
    const auto cascading = decide_after_decline(
        ladder, charge, w.context(methods[0], methods, rules, retry_algorithm::cascading, t0 + 60), "pay_1", t0 + 60);
    BOOST_TEST(cascading.schedule_time == ladder.schedule_time);

    // The backup is declined soft too: one decline each, no fresher method, smart's own time
    // (the morning after the next payday: Friday the 2nd), then the default (a tie goes to it).
    w.declined(methods[1], t0 + 60, "insufficient_funds", "51");
    const auto wait = decide_after_decline(
        ladder, charge, w.context(methods[1], methods, rules, retry_algorithm::smart, t0 + 60), "pay_1", t0 + 60);
    BOOST_TEST((wait.step == next::rearm));
    BOOST_TEST(wait.schedule_time >= t0 + day + 9 * 3600);
    BOOST_TEST(wait.schedule_time <= t0 + day + 9 * 3600 + smart_options{}.max_jitter_seconds);
    BOOST_TEST(w.plan(methods, rules, wait.schedule_time, 1, retry_algorithm::smart).method->token == "pm_default");
    // The default declines again (2 against 1): the backup an hour later.
    w.declined(methods[0], wait.schedule_time, "insufficient_funds", "51");
    const auto turn = decide_after_decline(
        ladder, charge, w.context(methods[0], methods, rules, retry_algorithm::smart, wait.schedule_time), "pay_1",
        wait.schedule_time);
    BOOST_TEST(turn.schedule_time == wait.schedule_time + method_switch_delay);
    BOOST_TEST(w.plan(methods, rules, turn.schedule_time, 2, retry_algorithm::smart).method->token == "pm_backup");
}

BOOST_AUTO_TEST_CASE(under_smart_a_soft_decline_without_another_method_keeps_smarts_time)
{
    world w;
    const auto methods = methods_of(profile, source_with());
    const auto charge = declined_with(decline_class::insufficient_funds, "51");
    w.declined(methods[0], t0 + 60, "insufficient_funds", "51");
    const auto ladder = decide_after_charge(0, charge, retry_schedule{}, 15, t0 + 60);
    const auto d = decide_after_decline(
        ladder, charge, w.context(methods[0], methods, default_network_rules(), retry_algorithm::smart, t0 + 60),
        "pay_1", t0 + 60);
    BOOST_TEST((d.step == next::rearm));
    BOOST_TEST(d.schedule_time >= t0 + day + 9 * 3600); // not an hour later: no other method
}

BOOST_AUTO_TEST_CASE(a_decline_settled_by_the_payment_sync_is_decided_as_an_immediate_one)
{
    world w;
    const auto methods = methods_of(profile, source_with({{"pm_backup", "visa", "card"}}));
    const auto rules = default_network_rules();
    const auto now = t0 + 600;
    // Retry 0 charged the default, which answered pending; the 3rd poll finds it declined soft.
    w.declined(methods[0], t0 + 60, "insufficient_funds", "51");
    const auto answer = declined_with(decline_class::insufficient_funds, "51");
    const auto polled = decide_after_poll(0, 2, answer, retry_schedule{}, 15, now);
    BOOST_REQUIRE((polled.step == next::rearm)); // the ladder's time
    const auto declined = polled_decline(polled, answer);
    BOOST_REQUIRE(declined.has_value());
    BOOST_TEST((declined->decline_class == decline_class::insufficient_funds));
    // Under smart: the backup an hour later, as after an immediate decline.
    const auto smart = decide_after_decline(
        polled, *declined, w.context(methods[0], methods, rules, retry_algorithm::smart, now), "pay_1", now);
    BOOST_TEST((smart.step == next::rearm));
    BOOST_TEST(smart.schedule_time == now + method_switch_delay);
    BOOST_TEST(smart.retry_count == polled.retry_count);

    // A hard decline found by the poll: the ladder would finish; the decision moves to the backup.
    const auto hard = declined_with(decline_class::hard);
    const auto polled_hard = decide_after_poll(0, 2, hard, retry_schedule{}, 15, now);
    BOOST_REQUIRE((polled_hard.step == next::finish_failed));
    const auto switched = decide_after_decline(polled_hard, *polled_decline(polled_hard, hard),
                                               w.context(methods[0], methods, rules, retry_algorithm::cascading, now),
                                               "pay_1", now);
    BOOST_TEST((switched.step == next::rearm));
    BOOST_TEST(switched.schedule_time == now + method_switch_delay);

    // A charge that stayed pending past the last poll: a soft decline without a class (smart reads
    // do_not_honor: the next local morning a day later), on a method with no alternate.
    const auto single = methods_of(profile, source_with());
    charge_result pending;
    pending.status = charge_status::pending;
    pending.processor_transaction_id = "ch_1";
    const auto timed_out = decide_after_poll(0, 11, pending, retry_schedule{}, 15, now);
    const auto stale = polled_decline(timed_out, pending);
    BOOST_REQUIRE(stale.has_value());
    BOOST_TEST(stale->error_code.value_or("") == "psync_timeout");
    BOOST_TEST((stale->decline == decline_kind::soft));
    const auto later = decide_after_decline(
        timed_out, *stale, w.context(single[0], single, rules, retry_algorithm::smart, now), "pay_1", now);
    BOOST_TEST((later.step == next::rearm));
    BOOST_TEST(later.schedule_time >= t0 + day + 9 * 3600);
    BOOST_TEST(later.schedule_time <= t0 + day + 9 * 3600 + smart_options{}.max_jitter_seconds);

    // Still pending before the last poll, or approved: no decline to decide.
    BOOST_TEST(!polled_decline(decide_after_poll(0, 2, pending, retry_schedule{}, 15, now), pending));
    charge_result ok;
    ok.status = charge_status::succeeded;
    BOOST_TEST(!polled_decline(decide_after_poll(0, 2, ok, retry_schedule{}, 15, now), ok));
}
