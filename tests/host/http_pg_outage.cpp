// PostgreSQL stopped under a serving host ($RECOUP_TEST_PG_CTL stop): webhooks answer 503, never
// 2xx, and /ready says so; once it is back ($RECOUP_TEST_PG_CTL start) the redeliveries complete
// with nothing lost. Runs alone (is_parallel: false): it takes the shared database down.
#define BOOST_TEST_MODULE http_pg_outage
#define BOOST_TEST_NO_MAIN
#include "http_harness.hpp"

using namespace http_test;

namespace {

std::string failure_for(const std::string& invoice, const std::string& event_id)
{
    return replace_all(replace_all(fixture("stripe/invoice.payment_failed.json"), "in_000000000000000000000000", invoice),
                       "evt_000000000000000000000000", event_id);
}

void pg_ctl(const std::string& action)
{
    const auto r = run_command({"/bin/sh", env_or("RECOUP_TEST_PG_CTL"), action});
    BOOST_REQUIRE_MESSAGE(r.status == 0, "pg_ctl " + action + " failed: " + r.output);
}

// Starts the database again even when a check fails in between.
struct restart_guard {
    bool stopped = false;
    ~restart_guard()
    {
        if (stopped) run_command({"/bin/sh", env_or("RECOUP_TEST_PG_CTL"), "start"});
    }
};

int wait_for_ready(server& host, int want)
{
    int status = 0;
    for (int i = 0; i < 100; ++i) {
        status = host.get("/ready").status;
        if (status == want) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return status;
}

} // namespace

// Every case below delivers payloads from ../shared/fixtures: without them the suite is skipped.
BOOST_AUTO_TEST_SUITE(public_payloads, *recoup_test::needs_shared_fixtures())

BOOST_AUTO_TEST_CASE(webhooks_answer_503_while_the_database_is_down_and_complete_after)
{
    world w(backend::postgresql);
    BOOST_TEST(w.stripe(failure_for("in_before", "evt_before")).status == 200);
    BOOST_TEST(w.host->get("/ready").status == 200);

    restart_guard guard;
    w.db.drop_session();
    pg_ctl("stop");
    guard.stopped = true;

    std::vector<std::string> during;
    for (int i = 0; i < 4; ++i) during.push_back(failure_for("in_during_" + std::to_string(i), "evt_during_" + std::to_string(i)));
    for (const auto& body : during) {
        const auto r = w.stripe(body);
        BOOST_TEST(r.status == 503, r.body);
        BOOST_TEST(error_code_of(r.body) == "HE_03", r.body);
        BOOST_TEST(!r.header("Retry-After").empty());
        // libpq's words (the server, its port, "connection refused") are for the log only.
        BOOST_TEST(r.body == R"({"error":{"type":"api","code":"HE_03","message":"storage unavailable, retry later"}})");
    }
    BOOST_TEST(wait_for_ready(*w.host, 503) == 503);
    BOOST_TEST(w.host->get("/health").status == 200); // alive, not ready

    pg_ctl("start");
    guard.stopped = false;
    BOOST_TEST(wait_for_ready(*w.host, 200) == 200);

    // The platform redelivers: every one completes, once.
    for (const auto& body : during) BOOST_TEST(w.stripe(body).status == 200);
    BOOST_TEST(w.rows("payment_intent") == 5);
    BOOST_TEST(w.rows("payment_attempt") == 5);
    BOOST_TEST(w.rows("process_tracker") == 5);
    BOOST_TEST(w.rows("webhook_event") == 5); // the refused deliveries left no row
    BOOST_TEST(w.db.count("SELECT COUNT(*) FROM webhook_event WHERE outcome = 'duplicate'") == 0);
    const auto metrics = w.host->get("/metrics").body;
    BOOST_TEST(metrics.find("recoup_database_errors_total 0") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END() // public_payloads

int main(int argc, char* argv[])
{
    if (env_or("RECOUP_TEST_PG_URL").empty() || env_or("RECOUP_TEST_PG_CTL").empty()) {
        std::puts("RECOUP_TEST_PG_URL or RECOUP_TEST_PG_CTL is not set: skipped");
        return 77;
    }
    return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}
