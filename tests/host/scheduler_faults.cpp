// The scheduler against a processor that keeps failing (issue 9): a Chargebee payment_failed
// webhook through `recoupd serve`, then `recoupd scheduler --once --now T` charging through the
// Stripe processor plugin at a loopback fake that answers 401, 409, 429 or 500. Each run makes a
// bounded number of requests and ends in a finished task with a named business status, checked by
// SQL. Run with "sqlite" or "postgresql" after "--".
#define BOOST_TEST_MODULE scheduler_faults
#define BOOST_TEST_NO_MAIN
#include "fake_platform.hpp"
#include "http_harness.hpp"

#include <recoup/retry.hpp>

using namespace http_test;

namespace {

const std::string gateway = "gw_3Nl7oGgQqGFlba2"; // the fixture's gateway account
const std::string user = "cb_faults";
const std::string password = "cb_faults_pw";

struct stripe_world {
    fake_platform billing;
    fake_platform stripe;
    world w;
    std::string payment;
    long long at = 0;

    stripe_world()
        : w(backend_from_args(),
            {{"mca_cb", "chargebee", {user + ":" + password}, "cbkey_test", billing.base_url(),
              {"billing_account_reference={\"" + gateway + "\":\"mca_stripe_pay\"}"}},
             {"mca_stripe_pay", "stripe", {}, "sk_test_faults", stripe.base_url(), {}}},
            {"--no-scheduler"})
    {
        const auto body = replace_all(fixture("chargebee/payment_failed.json"), "tok_3Nl7oGgQqGG6Jl41", "pm_card_visa");
        BOOST_REQUIRE(w.host->post(webhook_path("pro_1", "mca_cb"), chargebee_headers(user, password), body).status == 200);
        payment = w.db.text("SELECT id FROM payment_intent");
        at = number("schedule_time");
    }

    std::string task_query(const std::string& column, const std::string& kind = "EXECUTE_WORKFLOW")
    {
        return "SELECT " + column + " FROM process_tracker WHERE id = 'PASSIVE_RECOVERY_WORKFLOW_" + kind + "_" +
               payment + "'";
    }
    std::string text(const std::string& column, const std::string& kind = "EXECUTE_WORKFLOW")
    {
        return w.db.text(task_query(column, kind));
    }
    long long number(const std::string& column) { return w.db.count(task_query(column)); }
    std::string run(long long now)
    {
        return recoupd_cli(w.db, {"scheduler", "--once", "--now", std::to_string(now), "--plugin-dir", plugin_dir()});
    }
};

bool stripe_built()
{
    if (fs::exists(fs::path(plugin_dir()) / "recoup_stripe.so")) return true;
    BOOST_TEST_MESSAGE("the stripe processor plugin is not built: skipped");
    return false;
}

// An answer that cannot get better by resending the same request: one request, then finished.
void finishes_at_once(int status, const std::string& body, const std::string& business_status)
{
    stripe_world s;
    s.stripe.reply_with(status, body);
    const auto out = s.run(s.at);
    BOOST_TEST(s.stripe.seen().size() == 1u);
    BOOST_TEST(s.text("status") == "finish");
    BOOST_TEST(s.text("business_status") == business_status);
    BOOST_TEST(out.find("\"business_status\":\"" + business_status + "\"") != std::string::npos, out);
    BOOST_TEST(out.find("\"level\":\"error\"") != std::string::npos, out);
    // Nothing is due any more, however late: no second request.
    BOOST_TEST(s.run(s.at + 365LL * 86400).find("ran 0 tasks") != std::string::npos);
    BOOST_TEST(s.stripe.seen().size() == 1u);
    BOOST_TEST(s.billing.seen().empty()); // the outcome is unknown: nothing is reported
}

// A transient answer: retried with a doubling delay, processor_fault_tries requests in all.
void retries_then_gives_up(int status, const std::string& body)
{
    stripe_world s;
    s.stripe.reply_with(status, body);
    long long now = s.at;
    for (int run = 0; run < 20 && s.text("status") != "finish"; ++run) {
        s.run(now);
        const auto tries = static_cast<std::int32_t>(s.stripe.seen().size());
        BOOST_TEST(tries == run + 1);
        if (s.text("status") == "finish") break;
        BOOST_TEST(s.text("status") == "new");
        BOOST_TEST(s.number("retry_count") == 0); // no decline is counted
        BOOST_TEST(s.number("schedule_time") == now + recoup::processor_fault_delay(tries).count());
        now = s.number("schedule_time");
    }
    BOOST_TEST(s.stripe.seen().size() == static_cast<std::size_t>(recoup::processor_fault_tries));
    BOOST_TEST(s.text("status") == "finish");
    BOOST_TEST(s.text("business_status") == "PROCESSOR_RETRIES_EXHAUSTED");
    for (const auto& r : s.stripe.seen()) // the same retry throughout: the same idempotency key
        BOOST_TEST(r.headers.at("Idempotency-Key") == s.stripe.seen().front().headers.at("Idempotency-Key"));
    BOOST_TEST(s.run(now + 365LL * 86400).find("ran 0 tasks") != std::string::npos);
    BOOST_TEST(s.stripe.seen().size() == static_cast<std::size_t>(recoup::processor_fault_tries));
}

} // namespace

// Every case below delivers payloads from ../shared/fixtures: without them the suite is skipped.
BOOST_AUTO_TEST_SUITE(public_payloads, *recoup_test::needs_shared_fixtures())

BOOST_AUTO_TEST_CASE(unauthorized_finishes_at_once)
{
    if (!stripe_built()) return;
    finishes_at_once(401, R"({"error":{"type":"invalid_request_error","message":"Invalid API Key provided"}})",
                     "PROCESSOR_AUTH_FAILED");
}

BOOST_AUTO_TEST_CASE(an_idempotency_conflict_finishes_at_once)
{
    if (!stripe_built()) return;
    finishes_at_once(409, R"({"error":{"type":"idempotency_error","message":"in use"}})", "PROCESSOR_CONFLICT");
}

BOOST_AUTO_TEST_CASE(rate_limits_are_retried_with_backoff_then_given_up)
{
    if (!stripe_built()) return;
    retries_then_gives_up(429, R"({"error":{"type":"rate_limit_error","message":"slow down"}})");
}

BOOST_AUTO_TEST_CASE(server_errors_are_retried_with_backoff_then_given_up)
{
    if (!stripe_built()) return;
    retries_then_gives_up(500, R"({"error":{"type":"api_error","message":"try again"}})");
}

// A faulted charge that later succeeds clears its fault count; a record-back the platform refuses
// (a 4xx but 408 and 429) is not sent again.
BOOST_AUTO_TEST_CASE(a_refused_record_back_finishes_at_once)
{
    if (!stripe_built()) return;
    stripe_world s;
    s.stripe.reply_with(500, R"({"error":{"type":"api_error"}})");
    s.run(s.at);
    BOOST_TEST(s.text("tracking_data").find("\"processor_faults\"") != std::string::npos, s.text("tracking_data"));
    s.stripe.reply_with(200, R"({"id":"pi_faults_1","object":"payment_intent","status":"succeeded"})");
    s.billing.reply_with(422, R"({"message":"invoice is not in payment_due state"})");
    s.run(s.number("schedule_time")); // the charge, then the record-back it arms
    BOOST_TEST(s.text("business_status") == "EXECUTE_WORKFLOW_COMPLETE");
    BOOST_TEST(s.text("tracking_data").find("processor_faults") == std::string::npos, s.text("tracking_data"));
    BOOST_TEST(s.billing.seen().size() == 1u);
    BOOST_TEST(s.text("status", "RECORD_BACK_WORKFLOW") == "finish");
    BOOST_TEST(s.text("business_status", "RECORD_BACK_WORKFLOW") == "RECORD_BACK_REJECTED");
    BOOST_TEST(s.run(s.at + 365LL * 86400).find("ran 0 tasks") != std::string::npos);
    BOOST_TEST(s.billing.seen().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END() // public_payloads

HTTP_TEST_MAIN()
