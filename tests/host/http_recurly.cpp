// Recurly through a loopback fake of its API: the host performs the connector's sync calls
// (transaction, then invoice) outside the transaction; a platform answering 500, timing out or
// unreachable is a 503 with nothing written, and the redelivery then succeeds. Run with
// "sqlite" or "postgresql" after "--".
#define BOOST_TEST_MODULE http_recurly
#define BOOST_TEST_NO_MAIN
#include "http_harness.hpp"

#include "fake_api.hpp"

using namespace http_test;

namespace {

const std::string recurly_secret = "recurly_webhook_key";
const std::string notification_uuid = "63abcf806e29cbfb3ec9c84e658777be"; // of the shared fixture

// The fake answers the shared fixture's notification with the project's transaction/invoice.
void serve_recurly_data(fake_api& api)
{
    auto transaction = replace_all(own_fixture("recurly/transaction_declined.json"),
                                   "5f0a1b2c3d4e5f60718293a4b5c6d7e8", notification_uuid);
    api.set("/transactions/uuid-" + notification_uuid, transaction);
    api.set("/invoices/rqinv0000002", own_fixture("recurly/invoice_with_balance.json"));
}

struct recurly_world {
    fake_api api;
    std::unique_ptr<world> w;

    explicit recurly_world(std::string base_url = {})
    {
        serve_recurly_data(api);
        w = std::make_unique<world>(
            backend_from_args(),
            std::vector<mca_spec>{{"mca_recurly", "recurly", {recurly_secret}, "rk_test_key",
                                   base_url.empty() ? api.base_url() : base_url, {}}},
            std::vector<std::string>{"--sync-timeout", "1", "--sync-connect-timeout", "1"});
    }

    reply deliver(const std::string& body)
    {
        return w->host->post(webhook_path("pro_1", "mca_recurly"), recurly_headers(body, recurly_secret), body);
    }
};

void check_unavailable(const reply& r)
{
    BOOST_TEST(r.status == 503);
    BOOST_TEST(error_code_of(r.body) == "WE_03", r.body);
    BOOST_TEST(!r.header("Retry-After").empty());
}

void check_recorded(world& w)
{
    BOOST_TEST(w.db.text("SELECT status FROM payment_intent WHERE merchant_reference_id = 'rqinv0000002'") == "failed");
    BOOST_TEST(w.db.count("SELECT amount FROM payment_intent WHERE merchant_reference_id = 'rqinv0000002'") == 4999);
    BOOST_TEST(w.db.text("SELECT status FROM payment_attempt WHERE connector_payment_id = 'rqtxdec00002'") == "failure");
    BOOST_TEST(w.db.text("SELECT error_code FROM payment_attempt WHERE connector_payment_id = 'rqtxdec00002'") ==
               "insufficient_funds");
    const std::string expr = w.db.kind() == backend::postgresql
                                 ? "feature_metadata->'revenue_recovery'->>'attempt_triggered_by'"
                                 : "json_extract(feature_metadata, '$.revenue_recovery.attempt_triggered_by')";
    BOOST_TEST(w.db.text("SELECT " + expr + " FROM payment_attempt") == "external");
    BOOST_TEST(w.db.count("SELECT COUNT(*) FROM process_tracker WHERE status = 'new' AND name = 'EXECUTE_WORKFLOW'") == 1);
}

} // namespace

// Every case below delivers payloads from ../shared/fixtures: without them the suite is skipped.
BOOST_AUTO_TEST_SUITE(public_payloads, *recoup_test::needs_shared_fixtures())

BOOST_AUTO_TEST_CASE(failed_payment_is_synced_then_recorded)
{
    recurly_world rw;
    const auto r = rw.deliver(fixture("recurly/payment_failed.json"));
    BOOST_TEST(r.status == 200, r.body);
    check_recorded(*rw.w);
    const auto seen = rw.api.seen();
    BOOST_REQUIRE(seen.size() == 2);
    BOOST_TEST(seen[0].target == "/transactions/uuid-" + notification_uuid);
    BOOST_TEST(seen[1].target == "/invoices/rqinv0000002");
    for (const auto& s : seen) {
        BOOST_TEST(s.method == "GET");
        BOOST_TEST(s.accept == "application/vnd.recurly.v2021-02-25");
        BOOST_TEST(s.authorization == recoup::basic_auth_value("rk_test_key", ""));
    }
}

BOOST_AUTO_TEST_CASE(unsupported_notification_is_acknowledged_without_sync)
{
    recurly_world rw;
    const auto r = rw.deliver(fixture("recurly/account_created.json"));
    BOOST_TEST(r.status == 200);
    BOOST_TEST(rw.api.seen().empty());
    BOOST_TEST(rw.w->rows("payment_intent") == 0);
    BOOST_TEST(rw.w->rows("webhook_event") == 1);
}

BOOST_AUTO_TEST_CASE(api_answering_500_is_503_then_the_redelivery_succeeds)
{
    recurly_world rw;
    rw.api.set_mode(fake_api::mode::fail_500);
    const auto body = fixture("recurly/payment_failed.json");
    check_unavailable(rw.deliver(body));
    BOOST_TEST(rw.w->written() == 0);
    rw.api.set_mode(fake_api::mode::answer);
    BOOST_TEST(rw.deliver(body).status == 200);
    check_recorded(*rw.w);
    BOOST_TEST(rw.w->rows("webhook_event") == 1);
}

BOOST_AUTO_TEST_CASE(api_timing_out_is_503_then_the_redelivery_succeeds)
{
    recurly_world rw;
    rw.api.set_mode(fake_api::mode::hang);
    const auto body = fixture("recurly/payment_failed.json");
    const auto started = std::chrono::steady_clock::now();
    check_unavailable(rw.deliver(body));
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    BOOST_TEST(waited.count() < 2400); // the 1 s timeout, not the fake's 2.5 s
    BOOST_TEST(rw.w->written() == 0);
    rw.api.set_mode(fake_api::mode::answer);
    BOOST_TEST(rw.deliver(body).status == 200);
    check_recorded(*rw.w);
}

BOOST_AUTO_TEST_CASE(unreachable_api_is_503)
{
    unsigned short closed_port = 0;
    {
        // A port that was free a moment ago: nothing listens there.
        boost::asio::io_context ioc;
        tcp::acceptor probe(ioc, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
        closed_port = probe.local_endpoint().port();
    }
    recurly_world rw("http://127.0.0.1:" + std::to_string(closed_port));
    check_unavailable(rw.deliver(fixture("recurly/payment_failed.json")));
    BOOST_TEST(rw.w->written() == 0);
}

BOOST_AUTO_TEST_SUITE_END() // public_payloads

HTTP_TEST_MAIN()
