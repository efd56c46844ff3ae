// The retry scheduler end to end (issue 5): real fixture webhooks (Chargebee payment_failed, its
// payment-method token set at test time) through `recoupd serve`, then `recoupd scheduler --once
// --now T` with the simulator processor (real dlopen), checked by SQL; the record-back goes to a
// loopback fake of Chargebee's API that records the exact request. Run with "sqlite" or
// "postgresql" after "--".
#define BOOST_TEST_MODULE scheduler_flow
#define BOOST_TEST_NO_MAIN
#include "fake_platform.hpp"
#include "http_harness.hpp"

#include "http/server.hpp"

#include <boost/json.hpp>

#include <map>

using namespace http_test;

namespace {

// ---- the world ----------------------------------------------------------------------------------

const std::string fixture_token = "tok_3Nl7oGgQqGG6Jl41";
const std::string fixture_gateway = "gw_3Nl7oGgQqGFlba2";
const std::string fixture_txn = "cb_3Nl7oGgQqGG8Q24n";
const std::string fixture_event = "ev_3Nl7oGgQqGG8UK4s";
const std::string cb_user = "cb_sched";
const std::string cb_password = "cb_sched_pw";
const std::string cb_api_key = "cbkey_test";

std::string with_token(std::string body, const std::string& token, const std::string& event_id = fixture_event)
{
    body = replace_all(std::move(body), fixture_token, token);
    return replace_all(std::move(body), fixture_event, event_id);
}

struct sched_world {
    fake_platform platform;
    world w;

    explicit sched_world(std::vector<std::string> billing_settings = {}, std::vector<std::string> server_args = {"--no-scheduler"})
        : w(backend_from_args(), mcas(platform, billing_settings), server_args)
    {
    }

    static std::vector<mca_spec> mcas(const fake_platform& platform, std::vector<std::string> settings)
    {
        settings.push_back("billing_account_reference={\"" + fixture_gateway + "\":\"mca_sim\"}");
        return {{"mca_cb", "chargebee", {cb_user + ":" + cb_password}, cb_api_key, platform.base_url(), settings},
                {"mca_sim", "simulator", {}, "", "", {}}};
    }

    reply send(const std::string& body)
    {
        return w.host->post(webhook_path("pro_1", "mca_cb"), chargebee_headers(cb_user, cb_password), body);
    }
    reply fail_with(const std::string& token, const std::string& event_id = fixture_event)
    {
        return send(with_token(fixture("chargebee/payment_failed.json"), token, event_id));
    }

    std::string scheduler_once(long long now)
    {
        return recoupd_cli(w.db, {"scheduler", "--once", "--now", std::to_string(now), "--plugin-dir", plugin_dir()});
    }

    std::string payment_id() { return w.db.text("SELECT id FROM payment_intent"); }
    std::string task_id() { return "PASSIVE_RECOVERY_WORKFLOW_EXECUTE_WORKFLOW_" + payment_id(); }
    std::string task(const std::string& column)
    {
        return w.db.text("SELECT " + column + " FROM process_tracker WHERE id = '" + task_id() + "'");
    }
    long long task_number(const std::string& column)
    {
        return w.db.count("SELECT " + column + " FROM process_tracker WHERE id = '" + task_id() + "'");
    }
    long long internal_attempts()
    {
        const std::string expr = w.db.kind() == backend::postgresql
                                     ? "feature_metadata->'revenue_recovery'->>'attempt_triggered_by'"
                                     : "json_extract(feature_metadata, '$.revenue_recovery.attempt_triggered_by')";
        return w.db.count("SELECT COUNT(*) FROM payment_attempt WHERE " + expr + " = 'internal'");
    }
    std::string intent_status() { return w.db.text("SELECT status FROM payment_intent"); }
};

// Another Chargebee fixture, about the invoice of payment_failed.json ("6").
std::string about_invoice_6(const std::string& file)
{
    auto doc = boost::json::parse(fixture("chargebee/" + file));
    doc.at("content").at("invoice").as_object()["id"] = "6";
    return boost::json::serialize(doc);
}

const std::vector<long long> default_delays{60,    10800, 10800, 21600, 21600, 21600, 32400, 32400,
                                            32400, 43200, 43200, 43200, 64800, 64800, 64800};

} // namespace

// Every case below delivers payloads from ../shared/fixtures: without them the suite is skipped.
BOOST_AUTO_TEST_SUITE(public_payloads, *recoup_test::needs_shared_fixtures())

BOOST_AUTO_TEST_CASE(soft_declines_rearm_at_exactly_the_mapped_delays_until_exhausted)
{
    sched_world s;
    BOOST_REQUIRE(s.fail_with("tok_insufficient_funds").status == 200);
    BOOST_TEST(s.task("status") == "new");
    long long at = s.task_number("schedule_time");
    const long long armed = s.w.db.count("SELECT created_at FROM process_tracker");
    BOOST_TEST(at == armed + default_delays[0]);
    // Nothing is due a second early.
    BOOST_TEST(s.scheduler_once(at - 1).find("ran 0 tasks") != std::string::npos);
    for (int retry = 1; retry <= 15; ++retry) {
        s.scheduler_once(at);
        BOOST_TEST(s.internal_attempts() == retry);
        BOOST_TEST(s.task_number("retry_count") == retry);
        if (retry < 15) {
            BOOST_TEST(s.task("status") == "new");
            BOOST_TEST(s.task_number("schedule_time") == at + default_delays[static_cast<std::size_t>(retry)],
                       "retry " << retry);
            at = s.task_number("schedule_time");
        }
    }
    BOOST_TEST(s.task("status") == "finish");
    BOOST_TEST(s.task("business_status") == "RETRIES_EXHAUSTED");
    BOOST_TEST(s.intent_status() == "failed");
    BOOST_TEST(s.w.db.count("SELECT total_retry_count FROM payment_intent") == 16); // 1 external + 15 internal
    BOOST_TEST(s.w.db.count("SELECT COUNT(*) FROM payment_attempt WHERE status = 'failure'") == 16);
    BOOST_TEST(s.w.db.count("SELECT COUNT(DISTINCT connector_payment_id) FROM payment_attempt") == 16);
    // Exhausted: the platform hears the failure.
    const auto seen = s.platform.seen();
    BOOST_REQUIRE(seen.size() == 1);
    BOOST_TEST(seen[0].body.find("transaction[status]=failure") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_hard_decline_finishes_the_task)
{
    sched_world s;
    BOOST_REQUIRE(s.fail_with("tok_stolen_card").status == 200);
    s.scheduler_once(s.task_number("schedule_time"));
    BOOST_TEST(s.task("status") == "finish");
    BOOST_TEST(s.task("business_status") == "HARD_DECLINE");
    BOOST_TEST(s.intent_status() == "failed");
    BOOST_TEST(s.internal_attempts() == 1);
    BOOST_TEST(s.w.db.text("SELECT error_code FROM payment_attempt WHERE error_code = 'stolen_card'") == "stolen_card");
    BOOST_TEST(s.platform.seen().size() == 1);
}

BOOST_AUTO_TEST_CASE(a_success_finishes_the_task_and_records_back_the_exact_request)
{
    sched_world s;
    BOOST_REQUIRE(s.fail_with("tok_success").status == 200);
    const long long at = s.task_number("schedule_time");
    s.scheduler_once(at);
    BOOST_TEST(s.task("status") == "finish");
    BOOST_TEST(s.task("business_status") == "EXECUTE_WORKFLOW_COMPLETE");
    BOOST_TEST(s.intent_status() == "succeeded");
    const auto txn = s.w.db.text("SELECT connector_payment_id FROM payment_attempt WHERE status = 'charged'");
    BOOST_TEST(txn.rfind("sim_", 0) == 0);

    const auto seen = s.platform.seen();
    BOOST_REQUIRE(seen.size() == 1);
    BOOST_TEST(seen[0].method == "POST");
    BOOST_TEST(seen[0].target == "/v2/invoices/6/record_payment");
    BOOST_TEST(seen[0].headers.at("Authorization") == recoup::basic_auth_value(cb_api_key, ""));
    BOOST_TEST(seen[0].headers.at("Content-Type") == "application/x-www-form-urlencoded");
    const auto amount = s.w.db.count("SELECT amount FROM payment_intent");
    BOOST_TEST(seen[0].body == "transaction[amount]=" + std::to_string(amount) +
                                   "&transaction[payment_method]=other&transaction[status]=success"
                                   "&transaction[date]=" + std::to_string(at) + "&transaction[id_at_gateway]=" + txn,
               seen[0].body);
    BOOST_TEST(s.w.db.text("SELECT business_status FROM process_tracker WHERE name = 'RECORD_BACK_WORKFLOW'") ==
               "RECORD_BACK_COMPLETE");

    // The loop closes: the platform's later webhook about our own charge is NoAction.
    const auto later = replace_all(with_token(fixture("chargebee/payment_failed.json"), "tok_success", "ev_internal_1"),
                                   fixture_txn, txn);
    BOOST_TEST(s.send(later).status == 200);
    BOOST_TEST(s.w.db.text("SELECT action FROM webhook_event WHERE connector_event_id = 'ev_internal_1'") == "NoAction");
    BOOST_TEST(s.task("status") == "finish");
}

BOOST_AUTO_TEST_CASE(a_failing_record_back_is_retried_with_backoff)
{
    sched_world s;
    s.platform.fail(true);
    BOOST_REQUIRE(s.fail_with("tok_success").status == 200);
    const long long at = s.task_number("schedule_time");
    s.scheduler_once(at);
    BOOST_TEST(s.w.db.text("SELECT status FROM process_tracker WHERE name = 'RECORD_BACK_WORKFLOW'") == "new");
    BOOST_TEST(s.w.db.count("SELECT schedule_time FROM process_tracker WHERE name = 'RECORD_BACK_WORKFLOW'") == at + 60);
    s.platform.fail(false);
    s.scheduler_once(at + 60);
    BOOST_TEST(s.w.db.text("SELECT business_status FROM process_tracker WHERE name = 'RECORD_BACK_WORKFLOW'") ==
               "RECORD_BACK_COMPLETE");
    BOOST_TEST(s.platform.seen().size() == 2);
    BOOST_TEST(s.internal_attempts() == 1); // never charged twice
}

BOOST_AUTO_TEST_CASE(a_pending_charge_is_polled_then_succeeds)
{
    sched_world s;
    BOOST_REQUIRE(s.fail_with("tok_pending").status == 200);
    const long long at = s.task_number("schedule_time");
    s.scheduler_once(at);
    BOOST_TEST(s.task("status") == "new");
    BOOST_TEST(s.task("business_status") == "AWAITING_PSYNC");
    BOOST_TEST(s.task_number("schedule_time") == 253402300799LL);
    BOOST_TEST(s.intent_status() == "processing");
    const std::string psync = "PASSIVE_RECOVERY_WORKFLOW_PSYNC_WORKFLOW_" + s.payment_id();
    BOOST_TEST(s.w.db.text("SELECT name FROM process_tracker WHERE id = '" + psync + "'") == "PSYNC_WORKFLOW");
    BOOST_TEST(s.w.db.count("SELECT schedule_time FROM process_tracker WHERE id = '" + psync + "'") == at + 60);
    BOOST_TEST(s.w.db.text("SELECT status FROM payment_attempt WHERE status = 'pending'") == "pending");
    BOOST_TEST(s.platform.seen().empty());

    s.scheduler_once(at + 60);
    BOOST_TEST(s.w.db.text("SELECT business_status FROM process_tracker WHERE id = '" + psync + "'") ==
               "PSYNC_WORKFLOW_COMPLETE");
    BOOST_TEST(s.task("status") == "finish");
    BOOST_TEST(s.task("business_status") == "EXECUTE_WORKFLOW_COMPLETE");
    BOOST_TEST(s.intent_status() == "succeeded");
    BOOST_TEST(s.internal_attempts() == 1);
    BOOST_TEST(s.platform.seen().size() == 1);
}

BOOST_AUTO_TEST_CASE(below_the_threshold_no_task_is_armed)
{
    sched_world s({"retry_threshold=1"});
    BOOST_REQUIRE(s.fail_with("tok_success").status == 200);
    BOOST_TEST(s.w.rows("process_tracker") == 0);
    BOOST_TEST(s.scheduler_once(4102444800LL).find("ran 0 tasks") != std::string::npos);
    BOOST_TEST(s.internal_attempts() == 0);
}

BOOST_AUTO_TEST_CASE(a_monitoring_profile_records_but_arms_no_task)
{
    sched_world s;
    recoupd_cli(s.w.db, {"profile", "add", "--id", "pro_watch", "--retry-algorithm", "monitoring"});
    add_mca(s.w.db, "pro_watch", {"mca_cb_watch", "chargebee", {cb_user + ":" + cb_password}, cb_api_key,
                                  s.platform.base_url(),
                                  {"billing_account_reference={\"" + fixture_gateway + "\":\"mca_sim\"}"}});
    const auto body = with_token(fixture("chargebee/payment_failed.json"), "tok_success");
    BOOST_REQUIRE(s.w.host->post(webhook_path("pro_watch", "mca_cb_watch"), chargebee_headers(cb_user, cb_password), body)
                      .status == 200);
    BOOST_TEST(s.w.rows("payment_intent") == 1);
    BOOST_TEST(s.w.rows("process_tracker") == 0);
    BOOST_TEST(s.w.db.text("SELECT outcome FROM webhook_event") == "monitoring: task not armed");
}

BOOST_AUTO_TEST_CASE(a_retry_schedule_of_the_wrong_shape_is_refused)
{
    sched_world s;
    std::vector<std::string> args{recoupd_path(), "profile", "add", "--id", "pro_bad", "--retry-schedule",
                                  R"({"start_after":60,"frequencies":[[10800]]})", "--database", s.w.db.url()};
    const auto r = run_command(args);
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.output.find("--retry-schedule must be JSON") != std::string::npos, r.output);
    args[4] = "pro_bad2";
    args[5] = "--retry-algorithm";
    args[6] = "sometimes";
    BOOST_TEST(run_command(args).status == 2);
}

BOOST_AUTO_TEST_CASE(a_cancel_finishes_an_armed_task)
{
    sched_world s;
    BOOST_REQUIRE(s.fail_with("tok_success").status == 200);
    const long long at = s.task_number("schedule_time");
    BOOST_TEST(s.send(about_invoice_6("invoice_deleted.json")).status == 200);
    BOOST_TEST(s.task("status") == "finish");
    BOOST_TEST(s.task("business_status") == "INVOICE_CANCELLED");
    s.scheduler_once(at);
    BOOST_TEST(s.internal_attempts() == 0);
    BOOST_TEST(s.intent_status() == "cancelled");
}

BOOST_AUTO_TEST_CASE(an_external_success_finishes_an_armed_task)
{
    sched_world s;
    BOOST_REQUIRE(s.fail_with("tok_success").status == 200);
    const long long at = s.task_number("schedule_time");
    BOOST_TEST(s.send(about_invoice_6("payment_succeeded.json")).status == 200);
    BOOST_TEST(s.task("status") == "finish");
    BOOST_TEST(s.task("business_status") == "COMPLETED_BY_EXTERNAL_PAYMENT");
    s.scheduler_once(at);
    BOOST_TEST(s.internal_attempts() == 0);
    BOOST_TEST(s.platform.seen().empty());
}

BOOST_AUTO_TEST_CASE(a_missing_mapping_finishes_the_task_saying_why)
{
    sched_world s;
    const auto body = replace_all(with_token(fixture("chargebee/payment_failed.json"), "tok_success"), fixture_gateway,
                                  "gw_unmapped");
    BOOST_REQUIRE(s.send(body).status == 200);
    s.scheduler_once(s.task_number("schedule_time"));
    BOOST_TEST(s.task("status") == "finish");
    BOOST_TEST(s.task("business_status") == "NO_PROCESSOR_MAPPING");
    BOOST_TEST(s.internal_attempts() == 0);
}

BOOST_AUTO_TEST_CASE(serve_runs_the_scheduler_and_the_admin_route_shows_the_workflow)
{
    ::setenv("RECOUP_ADMIN_TOKEN", "admin_token_test", 1);
    fake_platform platform;
    world w(backend_from_args(), sched_world::mcas(platform, {}), {});
    recoupd_cli(w.db, {"profile", "add", "--id", "pro_fast", "--retry-schedule", R"({"start_after":0,"frequencies":[]})"});
    // pro_fast retries at once: its own MCAs.
    add_mca(w.db, "pro_fast", {"mca_cb_fast", "chargebee", {cb_user + ":" + cb_password}, cb_api_key,
                               platform.base_url(),
                               {"billing_account_reference={\"" + fixture_gateway + "\":\"mca_sim_fast\"}"}});
    add_mca(w.db, "pro_fast", {"mca_sim_fast", "simulator", {}, "", "", {}});
    const auto body = with_token(fixture("chargebee/payment_failed.json"), "tok_success");
    BOOST_REQUIRE(w.host->post(webhook_path("pro_fast", "mca_cb_fast"), chargebee_headers(cb_user, cb_password), body).status ==
                  200);
    const auto payment = w.db.text("SELECT id FROM payment_intent");
    const std::string path = "/v2/process_tracker/revenue_recovery_workflow/" + payment;
    reply r;
    for (int i = 0; i < 100; ++i) {
        r = send(w.host->port(), "GET", path, {{"Authorization", "Bearer admin_token_test"}});
        if (r.body.find("EXECUTE_WORKFLOW_COMPLETE") != std::string::npos && platform.seen().size() == 1) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    BOOST_REQUIRE(r.status == 200);
    const auto doc = boost::json::parse(r.body).as_object();
    BOOST_TEST(doc.at("payment_id").as_string() == payment);
    BOOST_TEST(doc.at("intent").at("status").as_string() == "succeeded");
    BOOST_TEST(doc.at("task").at("status").as_string() == "finish");
    BOOST_TEST(doc.at("task").at("business_status").as_string() == "EXECUTE_WORKFLOW_COMPLETE");
    BOOST_TEST(doc.at("attempts").as_array().size() == 2);
    BOOST_TEST(platform.seen().size() == 1);

    BOOST_TEST(send(w.host->port(), "GET", path).status == 401);
    BOOST_TEST(send(w.host->port(), "GET", path, {{"Authorization", "Bearer wrong"}}).status == 401);
    BOOST_TEST(send(w.host->port(), "GET", "/v2/process_tracker/revenue_recovery_workflow/pay_unknown",
                    {{"Authorization", "Bearer admin_token_test"}})
                   .status == 404);
    const auto metrics = w.host->get("/metrics").body;
    BOOST_TEST(metrics.find("recoup_tasks_total{name=\"EXECUTE_WORKFLOW\",outcome=\"succeeded\"} 1") != std::string::npos,
               metrics);
    BOOST_TEST(metrics.find("recoup_charges_total{processor=\"simulator\",outcome=\"succeeded\"} 1") != std::string::npos);
}

// ---- many tasks, several workers (PostgreSQL: FOR UPDATE SKIP LOCKED) ----------------------------

namespace {

// `recoupd scheduler ...` as a child process, its output in a file; returns the pid.
pid_t spawn_scheduler(const test_database& db, const std::vector<std::string>& extra, const fs::path& out)
{
    std::vector<std::string> args{recoupd_path(), "scheduler", "--database", db.url(), "--plugin-dir", plugin_dir()};
    args.insert(args.end(), extra.begin(), extra.end());
    transcript::note_secrets_of(args);
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    transcript::output_goes_to(pid, args, out);
    return pid;
}

int wait_exit(pid_t pid)
{
    int status = 0;
    ::waitpid(pid, &status, 0);
    transcript::exited(pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

long long ran_count(const fs::path& out)
{
    const auto text = read_file(out);
    const auto at = text.find("ran ");
    return at == std::string::npos ? -1 : std::stoll(text.substr(at + 4));
}

// One real failure webhook, then 999 copies of its intent, attempt and task by SQL: 1,000 due tasks.
long long thousand_due_tasks(sched_world& s)
{
    BOOST_REQUIRE(s.fail_with("tok_insufficient_funds").status == 200);
    const auto at = s.task_number("schedule_time");
    auto& sql = s.w.db.sql();
    // The copies share one card, which the card networks' rules would charge 10 times a day at
    // most: this case is about claims, so the profile's rule table is empty.
    sql << "UPDATE business_profile SET network_rules = '{\"limits\":[],\"never_retry\":[]}'";
    sql << "INSERT INTO payment_intent (id, profile_id, merchant_reference_id, billing_mca_id, amount, currency, status, "
           "billing_address, total_retry_count, feature_metadata, created_at, modified_at) "
           "SELECT p.id || '_' || g, p.profile_id, p.merchant_reference_id || '_' || g, p.billing_mca_id, p.amount, "
           "p.currency, p.status, p.billing_address, p.total_retry_count, p.feature_metadata, p.created_at, p.modified_at "
           "FROM payment_intent p, generate_series(1, 999) g";
    sql << "INSERT INTO payment_attempt (id, payment_id, status, amount, currency, connector_payment_id, charge_id, "
           "error_code, error_message, triggered_by, details, feature_metadata, created_at, modified_at) "
           "SELECT a.id || '_' || g, a.payment_id || '_' || g, a.status, a.amount, a.currency, a.connector_payment_id, "
           "a.charge_id, a.error_code, a.error_message, a.triggered_by, a.details, a.feature_metadata, a.created_at, "
           "a.modified_at FROM payment_attempt a, generate_series(1, 999) g";
    sql << "INSERT INTO process_tracker (id, name, runner, status, business_status, retry_count, schedule_time, "
           "tracking_data, payment_id, created_at, updated_at) "
           "SELECT t.id || '_' || g, t.name, t.runner, t.status, t.business_status, t.retry_count, t.schedule_time, "
           "t.tracking_data, t.payment_id || '_' || g, t.created_at, t.updated_at "
           "FROM process_tracker t, generate_series(1, 999) g";
    BOOST_REQUIRE(s.w.db.count("SELECT COUNT(*) FROM process_tracker WHERE status = 'new' AND schedule_time <= " +
                               std::to_string(at)) == 1000);
    return at;
}

// Every task ran exactly once: one internal attempt per payment, every task re-armed once.
void check_each_task_ran_once(sched_world& s, long long at, long long rerun_at = -1)
{
    BOOST_TEST(s.internal_attempts() == 1000);
    BOOST_TEST(s.w.db.count("SELECT COUNT(DISTINCT payment_id) FROM payment_attempt WHERE triggered_by = 'internal'") ==
               1000);
    BOOST_TEST(s.w.db.count("SELECT COUNT(*) FROM process_tracker WHERE name = 'EXECUTE_WORKFLOW' AND status = 'new' "
                            "AND retry_count = 1 AND schedule_time IN (" + std::to_string(at + 10800) + ", " +
                            std::to_string((rerun_at < 0 ? at : rerun_at) + 10800) + ")") == 1000);
    BOOST_TEST(s.w.db.count("SELECT COUNT(*) FROM payment_attempt WHERE triggered_by = 'internal' AND status = 'failure'") ==
               1000);
    BOOST_TEST(s.w.db.count("SELECT COUNT(*) FROM payment_intent WHERE total_retry_count = 2") == 1000);
}

} // namespace

BOOST_AUTO_TEST_CASE(two_schedulers_drain_1000_due_tasks_each_exactly_once)
{
    if (backend_from_args() != backend::postgresql) {
        BOOST_TEST_MESSAGE("several schedulers share a database on PostgreSQL only");
        return;
    }
    sched_world s;
    const auto at = thousand_due_tasks(s);
    const auto dir = fs::temp_directory_path() / ("recoup_drain_" + random_suffix());
    fs::create_directories(dir);
    const std::vector<std::string> flags{"--once", "--now", std::to_string(at), "--batch", "10"};
    const auto a = spawn_scheduler(s.w.db, flags, dir / "a.out");
    const auto b = spawn_scheduler(s.w.db, flags, dir / "b.out");
    const int exit_a = wait_exit(a), exit_b = wait_exit(b);
    BOOST_TEST(exit_a == 0, read_file(dir / "a.out"));
    BOOST_TEST(exit_b == 0, read_file(dir / "b.out"));
    const auto ran_a = ran_count(dir / "a.out"), ran_b = ran_count(dir / "b.out");
    BOOST_TEST_MESSAGE("scheduler a ran " << ran_a << ", b ran " << ran_b);
    BOOST_TEST(ran_a + ran_b == 1000);
    check_each_task_ran_once(s, at);
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_scheduler_killed_mid_run_loses_nothing_and_charges_nothing_twice)
{
    if (backend_from_args() != backend::postgresql) {
        BOOST_TEST_MESSAGE("several schedulers share a database on PostgreSQL only");
        return;
    }
    sched_world s;
    const auto at = thousand_due_tasks(s);
    const auto dir = fs::temp_directory_path() / ("recoup_kill_" + random_suffix());
    fs::create_directories(dir);
    const auto victim = spawn_scheduler(s.w.db, {"--once", "--now", std::to_string(at), "--batch", "25"}, dir / "v.out");
    for (int i = 0; i < 600 && s.internal_attempts() < 100; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ::kill(victim, SIGKILL);
    wait_exit(victim);
    const auto charged = s.internal_attempts();
    BOOST_TEST_MESSAGE("killed after " << charged << " charges");
    BOOST_TEST(charged < 1000);
    // Before the lease expires the tasks the dead worker claimed are not due again: a run at the
    // same time takes only the unclaimed ones. After the lease, everything left is.
    const auto lease = 300;
    // A COMMIT the worker sent just before dying may still land: let the server settle first.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto stranded = s.w.db.count("SELECT COUNT(*) FROM process_tracker WHERE status = 'process_started'");
    BOOST_TEST_MESSAGE(stranded << " tasks were claimed by the killed worker and left unfinished");
    BOOST_TEST(wait_exit(spawn_scheduler(s.w.db, {"--once", "--now", std::to_string(at), "--batch", "25"},
                                         dir / "early.out")) == 0);
    BOOST_TEST(s.w.db.count("SELECT COUNT(*) FROM process_tracker WHERE status = 'process_started'") == stranded);
    BOOST_TEST(s.internal_attempts() + stranded >= 1000);
    BOOST_TEST(wait_exit(spawn_scheduler(s.w.db, {"--once", "--now", std::to_string(at + lease), "--batch", "25"},
                                         dir / "r.out")) == 0);
    check_each_task_ran_once(s, at, at + lease); // re-armed from the clock of the run that charged
    fs::remove_all(dir);
}

// ---- the Stripe processor through the scheduler ---------------------------------------------------

BOOST_AUTO_TEST_CASE(the_stripe_processor_charges_with_the_attempt_id_as_idempotency_key)
{
    if (!fs::exists(fs::path(plugin_dir()) / "recoup_stripe.so")) {
        BOOST_TEST_MESSAGE("the stripe processor plugin is not built: skipped");
        return;
    }
    fake_platform billing;
    fake_platform stripe;
    world w(backend_from_args(),
            {{"mca_cb", "chargebee", {cb_user + ":" + cb_password}, cb_api_key, billing.base_url(),
              {"billing_account_reference={\"" + fixture_gateway + "\":\"mca_stripe_pay\"}"}},
             {"mca_stripe_pay", "stripe", {}, "sk_test_scheduler", stripe.base_url(), {}}},
            {"--no-scheduler"});
    const auto body = with_token(fixture("chargebee/payment_failed.json"), "pm_card_visa");
    BOOST_REQUIRE(w.host->post(webhook_path("pro_1", "mca_cb"), chargebee_headers(cb_user, cb_password), body).status ==
                  200);
    const auto payment = w.db.text("SELECT id FROM payment_intent");
    const std::string task = "SELECT %c FROM process_tracker WHERE id = 'PASSIVE_RECOVERY_WORKFLOW_EXECUTE_WORKFLOW_" + payment + "'";
    const auto column = [&](const std::string& c) { return replace_all(task, "%c", c); };
    const long long at = w.db.count(column("schedule_time"));

    // Stripe fails (500): no decline is counted, the same retry runs again soon.
    stripe.reply_with(500, R"({"error":{"type":"api_error","message":"try again"}})");
    recoupd_cli(w.db, {"scheduler", "--once", "--now", std::to_string(at), "--plugin-dir", plugin_dir()});
    BOOST_TEST(w.db.text(column("status")) == "new");
    BOOST_TEST(w.db.count(column("retry_count")) == 0);
    BOOST_TEST(w.db.count(column("schedule_time")) == at + 60);
    const auto attempt = w.db.text("SELECT id FROM payment_attempt WHERE status = 'started'");
    BOOST_TEST(attempt.rfind("att_", 0) == 0);

    stripe.reply_with(200, R"({"id":"pi_recovered_1","object":"payment_intent","status":"succeeded"})");
    recoupd_cli(w.db, {"scheduler", "--once", "--now", std::to_string(at + 60), "--plugin-dir", plugin_dir()});
    BOOST_TEST(w.db.text(column("status")) == "finish");
    BOOST_TEST(w.db.text(column("business_status")) == "EXECUTE_WORKFLOW_COMPLETE");
    BOOST_TEST(w.db.text("SELECT status FROM payment_intent") == "succeeded");
    BOOST_TEST(w.db.text("SELECT connector_payment_id FROM payment_attempt WHERE id = '" + attempt + "'") ==
               "pi_recovered_1");

    const auto seen = stripe.seen();
    BOOST_REQUIRE(seen.size() == 2);
    for (const auto& r : seen) {
        BOOST_TEST(r.method == "POST");
        BOOST_TEST(r.target == "/v1/payment_intents");
        BOOST_TEST(r.headers.at("Authorization") == "Bearer sk_test_scheduler");
        BOOST_TEST(r.headers.at("Content-Type") == "application/x-www-form-urlencoded");
        // The same retry, the same key: Stripe answers the second time without charging twice.
        BOOST_TEST(r.headers.at("Idempotency-Key") == attempt);
        BOOST_TEST(r.body.find("confirm=true") != std::string::npos, r.body);
        BOOST_TEST(r.body.find("off_session=true") != std::string::npos, r.body);
        BOOST_TEST(r.body.find("payment_method=pm_card_visa") != std::string::npos, r.body);
    }
    BOOST_TEST(seen[0].body == seen[1].body);
    BOOST_TEST(billing.seen().size() == 1); // the record-back
}

BOOST_AUTO_TEST_SUITE_END() // public_payloads

HTTP_TEST_MAIN()
