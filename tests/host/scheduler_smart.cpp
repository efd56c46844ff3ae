// Smart retries end to end (issue 13): a Chargebee payment_failed fixture (its token set at test
// time) through `recoupd serve`, then `recoupd scheduler --once --now T` with the simulator
// processor (real dlopen), checked by SQL: every attempt records its credential, network, payment
// method and decline class; a profile's network rule table stops charges past its limit and
// re-arms the task at the window's edge without charging; a never-retry decline is never retried;
// the smart algorithm chooses its own time. And with the project's Stripe Billing fixture (the
// charge fetched from a loopback platform) the method switch: a hard decline of the default moves
// to the alternate the platform reported; under smart the first retry charges the alternate.
// Run with "sqlite" or "postgresql" after "--".
#define BOOST_TEST_MODULE scheduler_smart
#define BOOST_TEST_NO_MAIN
#include "fake_platform.hpp"
#include "http_harness.hpp"

#include <recoup/credential.hpp>
#include <recoup/method_choice.hpp>

#include <fstream>

using namespace http_test;

namespace {

const std::string fixture_token = "tok_3Nl7oGgQqGG6Jl41";
const std::string fixture_gateway = "gw_3Nl7oGgQqGFlba2";
const std::string cb_user = "cb_smart";
const std::string cb_password = "cb_smart_pw";

struct smart_world {
    fake_platform platform;
    world w;

    smart_world() : w(backend_from_args(), mcas(platform), {"--no-scheduler"}) {}

    static std::vector<mca_spec> mcas(const fake_platform& platform)
    {
        return {{"mca_cb", "chargebee", {cb_user + ":" + cb_password}, "cbkey_test", platform.base_url(),
                 {"billing_account_reference={\"" + fixture_gateway + "\":\"mca_sim\"}"}},
                {"mca_sim", "simulator", {}, "", "", {}}};
    }

    // `recoupd profile update --id pro_1 ARGS...` (a rule table is written to a file first).
    void profile_update(std::vector<std::string> args, const std::optional<std::string>& rules = std::nullopt)
    {
        std::vector<std::string> cmd{"profile", "update", "--id", "pro_1"};
        cmd.insert(cmd.end(), args.begin(), args.end());
        if (rules) {
            const auto path = w.db.url().find("sqlite:") == 0 ? w.db.url().substr(7) + ".rules.json"
                                                               : std::string("/tmp/recoup_rules_") +
                                                                     std::to_string(::getpid()) + ".json";
            std::ofstream(path) << *rules;
            cmd.insert(cmd.end(), {"--network-rules", path});
        }
        recoupd_cli(w.db, cmd);
    }

    reply fail_with(const std::string& token)
    {
        const auto body = replace_all(fixture("chargebee/payment_failed.json"), fixture_token, token);
        return w.host->post(webhook_path("pro_1", "mca_cb"), chargebee_headers(cb_user, cb_password), body);
    }
    std::string scheduler_once(long long now)
    {
        return recoupd_cli(w.db, {"scheduler", "--once", "--now", std::to_string(now), "--plugin-dir", plugin_dir()});
    }
    std::string task(const std::string& column)
    {
        return w.db.text("SELECT " + column + " FROM process_tracker WHERE name = 'EXECUTE_WORKFLOW'");
    }
    long long task_number(const std::string& column)
    {
        return w.db.count("SELECT " + column + " FROM process_tracker WHERE name = 'EXECUTE_WORKFLOW'");
    }
    long long internal_attempts()
    {
        return w.db.count("SELECT COUNT(*) FROM payment_attempt WHERE triggered_by = 'internal'");
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(public_payloads, *recoup_test::needs_shared_fixtures())

BOOST_AUTO_TEST_CASE(every_attempt_records_its_credential_network_method_and_decline)
{
    smart_world s;
    BOOST_REQUIRE(s.fail_with("tok_insufficient_funds").status == 200);
    s.scheduler_once(s.task_number("schedule_time"));
    BOOST_TEST(s.internal_attempts() == 1);
    const auto credential = recoup::credential_id("pro_1", "tok_insufficient_funds");
    // The platform's attempt and ours count against one credential.
    BOOST_TEST(s.w.db.count("SELECT COUNT(*) FROM payment_attempt WHERE credential_id = '" + credential +
                            "' AND payment_method_id = 'tok_insufficient_funds'") == 2);
    BOOST_TEST(s.w.db.count("SELECT COUNT(DISTINCT network) FROM payment_attempt") == 1);
    BOOST_TEST(s.w.db.text("SELECT network FROM payment_attempt WHERE triggered_by = 'internal'") ==
               s.w.db.text("SELECT network FROM payment_attempt WHERE triggered_by = 'external'"));
    BOOST_TEST(s.task("status") == "new");
}

BOOST_AUTO_TEST_CASE(the_budget_stops_charges_past_the_limit_and_rearms_at_the_window_edge)
{
    // Any network: at most 2 declines in 30 days (a profile's own table; the defaults allow more).
    const std::string two_in_30d = R"({"limits":[{"name":"two_in_30d","window_seconds":2592000,"max_attempts":2,)"
                                   R"("counts":"declines"}],"never_retry":[]})";
    {
        // Decided after the charge: the ladder's 3 hours would break the rule, so the window's edge.
        smart_world s;
        s.profile_update({}, two_in_30d);
        BOOST_REQUIRE(s.fail_with("tok_insufficient_funds").status == 200); // decline 1, the platform's
        const long long first = s.w.db.count("SELECT MIN(created_at) FROM payment_attempt");
        s.scheduler_once(s.task_number("schedule_time")); // decline 2, ours
        BOOST_TEST(s.internal_attempts() == 1);
        BOOST_TEST(s.task("status") == "new");
        BOOST_TEST(s.task_number("schedule_time") == first + 2592000); // the platform's decline leaves the window
    }
    {
        // Checked before the charge: the rule tightened while the task waited; no charge, re-armed.
        smart_world s;
        BOOST_REQUIRE(s.fail_with("tok_insufficient_funds").status == 200);
        const long long first = s.w.db.count("SELECT MIN(created_at) FROM payment_attempt");
        s.scheduler_once(s.task_number("schedule_time"));
        BOOST_TEST(s.internal_attempts() == 1);
        const long long due = s.task_number("schedule_time");
        BOOST_TEST(due < first + 86400); // the ladder's 3 hours under the default rules
        s.profile_update({}, two_in_30d);
        s.scheduler_once(due);
        BOOST_TEST(s.internal_attempts() == 1);
        BOOST_TEST(s.task("status") == "new");
        BOOST_TEST(s.task_number("retry_count") == 1);
        BOOST_TEST(s.task_number("schedule_time") == first + 2592000);
        s.scheduler_once(first + 2592000);
        BOOST_TEST(s.internal_attempts() == 2);
    }
}

BOOST_AUTO_TEST_CASE(a_never_retry_decline_is_never_retried)
{
    smart_world s;
    s.profile_update({"--retry-algorithm", "smart"});
    BOOST_REQUIRE(s.fail_with("tok_stolen_card").status == 200);
    s.scheduler_once(s.task_number("schedule_time"));
    BOOST_TEST(s.internal_attempts() == 1);
    BOOST_TEST(s.task("status") == "finish");
    BOOST_TEST(s.task("business_status") == "HARD_DECLINE");
    BOOST_TEST(s.w.db.text("SELECT decline_class FROM payment_attempt WHERE triggered_by = 'internal'") == "hard");
}

BOOST_AUTO_TEST_CASE(the_smart_algorithm_chooses_its_own_time)
{
    smart_world s;
    s.profile_update({"--retry-algorithm", "smart"});
    BOOST_REQUIRE(s.fail_with("tok_insufficient_funds").status == 200);
    const long long now = s.task_number("schedule_time");
    s.scheduler_once(now);
    BOOST_TEST(s.internal_attempts() == 1);
    BOOST_TEST(s.task("status") == "new");
    const long long next = s.task_number("schedule_time");
    // Not the ladder's 3 hours: insufficient funds waits for the morning after a payday, hours or days away.
    BOOST_TEST(next > now + 10800);
    BOOST_TEST(next <= now + 60LL * 86400);
}

BOOST_AUTO_TEST_SUITE_END() // public_payloads

namespace {

// A Stripe Billing invoice.payment_failed whose charge (fetched from the loopback platform,
// "charge_sync") used tok_stolen_card while the invoice's default_payment_method is tok_success:
// the connector reports tok_stolen_card as the attempt's method and tok_success as the alternate.
struct switch_world {
    fake_platform platform;
    world w;

    switch_world()
        : w(backend_from_args(),
            {{"mca_sb", "stripe_billing", {world::stripe_secret}, "sk_test_switch", platform.base_url(),
              {"charge_sync=true", "billing_account_reference={\"acct_switch\":\"mca_sim\"}"}},
             {"mca_sim", "simulator", {}, "", "", {}}},
            {"--no-scheduler"})
    {
        platform.reply_with(200, own_fixture("stripe_billing/charge.method_switch.json"));
    }

    void fail()
    {
        const auto body = own_fixture("stripe_billing/invoice.payment_failed.method_switch.json");
        const auto r = w.host->post(webhook_path("pro_1", "mca_sb"), stripe_headers(body, world::stripe_secret), body);
        BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    }
    long long task_number(const std::string& column)
    {
        return w.db.count("SELECT " + column + " FROM process_tracker WHERE name = 'EXECUTE_WORKFLOW'");
    }
    std::string task(const std::string& column)
    {
        return w.db.text("SELECT " + column + " FROM process_tracker WHERE name = 'EXECUTE_WORKFLOW'");
    }
    void scheduler_once(long long now)
    {
        recoupd_cli(w.db, {"scheduler", "--once", "--now", std::to_string(now), "--plugin-dir", plugin_dir()});
    }
    // Column `column` of the internal attempt with retry number `n` (0: the first).
    std::string internal(int n, const std::string& column)
    {
        return w.db.text("SELECT " + column + " FROM payment_attempt WHERE triggered_by = 'internal' ORDER BY " +
                         "created_at, id LIMIT 1 OFFSET " + std::to_string(n));
    }
};

const std::string default_credential = recoup::credential_id("pro_1", "tok_stolen_card");
const std::string alternate_credential = recoup::credential_id("pro_1", "tok_success");

} // namespace

BOOST_AUTO_TEST_SUITE(method_switch)

BOOST_AUTO_TEST_CASE(a_hard_decline_of_the_default_moves_to_the_alternate_the_platform_reported)
{
    switch_world s;
    s.fail();
    // The platform's attempt is on the charge's method, the default.
    BOOST_TEST(s.w.db.text("SELECT payment_method_id FROM payment_attempt WHERE triggered_by = 'external'") ==
               "tok_stolen_card");
    BOOST_TEST(s.w.db.text("SELECT credential_id FROM payment_attempt WHERE triggered_by = 'external'") ==
               default_credential);
    // cascading: the first retry charges the default, which the simulator declines as stolen (hard).
    const long long first = s.task_number("schedule_time");
    s.scheduler_once(first);
    BOOST_TEST(s.w.db.count("SELECT COUNT(*) FROM payment_attempt WHERE triggered_by = 'internal'") == 1);
    BOOST_TEST(s.internal(0, "payment_method_id") == "tok_stolen_card");
    BOOST_TEST(s.internal(0, "credential_id") == default_credential);
    BOOST_TEST(s.internal(0, "status") == "failure");
    BOOST_TEST(s.internal(0, "decline_class") == "hard");
    BOOST_TEST(s.task("status") == "new");
    BOOST_TEST(s.task("business_status") == "Pending");
    const long long next = s.task_number("schedule_time");
    BOOST_TEST(next == first + recoup::method_switch_delay);
    // The next run charges the alternate, which the simulator approves.
    s.scheduler_once(next);
    BOOST_TEST(s.w.db.count("SELECT COUNT(*) FROM payment_attempt WHERE triggered_by = 'internal'") == 2);
    BOOST_TEST(s.internal(1, "payment_method_id") == "tok_success");
    BOOST_TEST(s.internal(1, "credential_id") == alternate_credential);
    BOOST_TEST(s.internal(1, "status") == "charged");
    BOOST_TEST(s.task("status") == "finish");
    BOOST_TEST(s.task("business_status") == "EXECUTE_WORKFLOW_COMPLETE");
    BOOST_TEST(s.w.db.text("SELECT status FROM payment_intent") == "succeeded");
}

BOOST_AUTO_TEST_CASE(under_smart_the_first_retry_charges_the_alternate)
{
    // The platform's decline of the default (card_declined: do_not_honor, soft) already counts:
    // smart charges the method the invoice has not seen declined.
    switch_world s;
    recoupd_cli(s.w.db, {"profile", "update", "--id", "pro_1", "--retry-algorithm", "smart"});
    s.fail();
    s.scheduler_once(s.task_number("schedule_time"));
    BOOST_TEST(s.w.db.count("SELECT COUNT(*) FROM payment_attempt WHERE triggered_by = 'internal'") == 1);
    BOOST_TEST(s.internal(0, "payment_method_id") == "tok_success");
    BOOST_TEST(s.internal(0, "credential_id") == alternate_credential);
    BOOST_TEST(s.internal(0, "status") == "charged");
    BOOST_TEST(s.task("business_status") == "EXECUTE_WORKFLOW_COMPLETE");
}

BOOST_AUTO_TEST_SUITE_END() // method_switch

HTTP_TEST_MAIN()
