// Smart retries end to end (issue 13): a Chargebee payment_failed fixture (its token set at test
// time) through `recoupd serve`, then `recoupd scheduler --once --now T` with the simulator
// processor (real dlopen), checked by SQL: every attempt records its credential, network, payment
// method and decline class; a profile's network rule table stops charges past its limit and
// re-arms the task at the window's edge without charging; a never-retry decline is never retried;
// the smart algorithm chooses its own time. Run with "sqlite" or "postgresql" after "--".
#define BOOST_TEST_MODULE scheduler_smart
#define BOOST_TEST_NO_MAIN
#include "fake_platform.hpp"
#include "http_harness.hpp"

#include <recoup/credential.hpp>

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
    // Not the ladder's 3 hours: insufficient funds waits for a payday slot, days away.
    BOOST_TEST(next > now + 10800);
    BOOST_TEST(next <= now + 60LL * 86400);
}

BOOST_AUTO_TEST_SUITE_END() // public_payloads

HTTP_TEST_MAIN()
