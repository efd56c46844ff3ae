// Every status of docs/behaviour.md §1 produced by a real HTTP request to `recoupd serve` over loopback,
// with its error code, and nothing written for the rejected ones. Run with "sqlite" or
// "postgresql" after "--".
#define BOOST_TEST_MODULE http_statuses
#define BOOST_TEST_NO_MAIN
#include "http_harness.hpp"

#include <boost/json.hpp>

using namespace http_test;

namespace {

const std::string stripe_path = webhook_path("pro_1", "mca_stripe");

std::string failed_invoice() { return fixture("stripe/invoice.payment_failed.json"); }

// The Stripe fixture with one field of data.object removed, then signed as it is.
std::string without_invoice_field(const std::string& field)
{
    auto doc = boost::json::parse(failed_invoice());
    doc.at("data").at("object").as_object().erase(field);
    return boost::json::serialize(doc);
}

void check_error(const reply& r, int status, const std::string& code)
{
    BOOST_TEST(r.status == status);
    BOOST_TEST(error_code_of(r.body) == code, "body: " << r.body);
    BOOST_TEST(r.header("Content-Type") == "application/json");
}

} // namespace

// Every case below delivers payloads from ../shared/fixtures: without them the suite is skipped.
BOOST_AUTO_TEST_SUITE(public_payloads, *recoup_test::needs_shared_fixtures())

BOOST_AUTO_TEST_CASE(processed_webhook_is_200_with_the_connector_answer)
{
    world w(backend_from_args());
    const auto r = w.stripe(failed_invoice());
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.body == "{}");
    BOOST_TEST(w.rows("payment_intent") == 1);
    BOOST_TEST(w.rows("webhook_event") == 1);
    // The reference-style route reaches the same MCA.
    const auto body = replace_all(failed_invoice(), "evt_000000000000000000000000", "evt_other_route");
    const auto again = w.host->post("/v2/webhooks/recovery/mer_1/pro_1/mca_stripe",
                                    stripe_headers(body, world::stripe_secret), body);
    BOOST_TEST(again.status == 200);
    BOOST_TEST(w.rows("webhook_event") == 2);
}

BOOST_AUTO_TEST_CASE(unsupported_event_is_acknowledged_without_effect)
{
    world w(backend_from_args());
    const auto r = w.stripe(fixture("stripe/charge.failed.json"));
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.body == "{}");
    BOOST_TEST(w.rows("payment_intent") == 0);
    BOOST_TEST(w.rows("webhook_event") == 1);
    BOOST_TEST(w.db.text("SELECT action FROM webhook_event") == "InvalidAction");
}

BOOST_AUTO_TEST_CASE(unknown_profile_mca_or_foreign_mca_is_404)
{
    world w(backend_from_args());
    const auto body = failed_invoice();
    const auto headers = stripe_headers(body, world::stripe_secret);
    check_error(w.host->post(webhook_path("pro_nope", "mca_stripe"), headers, body), 404, "WE_04");
    check_error(w.host->post(webhook_path("pro_1", "mca_nope"), headers, body), 404, "WE_04");
    check_error(w.host->post(webhook_path("pro_2", "mca_stripe"), headers, body), 404, "WE_04"); // another profile's
    check_error(w.host->post("/v2/webhooks/nothing/pro_1/mca_stripe", headers, body), 404, "WE_04");
    check_error(w.host->get("/no/such/path"), 404, "WE_04");
    BOOST_TEST(w.written() == 0);
}

BOOST_AUTO_TEST_CASE(failed_verification_is_401)
{
    world w(backend_from_args());
    const auto body = failed_invoice();
    check_error(w.host->post(stripe_path, {{"Content-Type", "application/json"}}, body), 401, "WE_01");
    check_error(w.host->post(stripe_path, stripe_headers(body, "whsec_wrong"), body), 401, "WE_01");
    const auto old = recoup::sign_stripe(body, world::stripe_secret,
                                         recoup::system_clock{}.now() - std::chrono::hours(1));
    check_error(w.host->post(stripe_path, {{"Stripe-Signature", old}}, body), 401, "WE_01");
    // Signed for another body.
    auto tampered = stripe_headers(body, world::stripe_secret);
    check_error(w.host->post(stripe_path, tampered, body + " "), 401, "WE_01");
    check_error(w.host->post(webhook_path("pro_1", "mca_chargebee"), chargebee_headers("cb_user", "wrong"),
                             fixture("chargebee/payment_failed.json")),
                401, "WE_01");
    BOOST_TEST(w.written() == 0);
    BOOST_TEST(w.host->get("/metrics").body.find("recoup_verification_failures_total{connector=\"stripe_billing\"} 4") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(not_json_or_missing_field_is_400_naming_the_field)
{
    world w(backend_from_args());
    check_error(w.stripe("this is not json"), 400, "WE_02");
    const auto missing = w.stripe(without_invoice_field("currency"));
    check_error(missing, 400, "WE_02");
    BOOST_TEST(missing.body.find("currency") != std::string::npos, missing.body);
    auto malformed = boost::json::parse(failed_invoice());
    malformed.at("data").at("object").as_object()["amount_due"] = "lots";
    malformed.at("data").at("object").as_object()["amount_remaining"] = "lots";
    const auto bad = w.stripe(boost::json::serialize(malformed));
    check_error(bad, 400, "WE_02");
    BOOST_TEST(bad.body.find("amount") != std::string::npos, bad.body);
    BOOST_TEST(w.written() == 0);
}

BOOST_AUTO_TEST_CASE(body_over_the_limit_is_413)
{
    world w(backend_from_args());
    const std::string body(1024 * 1024 + 1, 'x');
    const std::string raw = "POST " + stripe_path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    check_error(send_raw(w.host->port(), raw), 413, "WE_05");
    // Exactly at the limit is read (and then refused for its signature, not its size).
    const std::string at_limit(1024 * 1024, 'x');
    check_error(w.host->post(stripe_path, {}, at_limit), 401, "WE_01");
    BOOST_TEST(w.written() == 0);
}

BOOST_AUTO_TEST_CASE(headers_over_the_limit_are_431)
{
    world w(backend_from_args());
    const std::string raw = "POST " + stripe_path + " HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') +
                            "\r\nContent-Length: 2\r\n\r\n{}";
    check_error(send_raw(w.host->port(), raw), 431, "WE_06");
    BOOST_TEST(w.written() == 0);
}

BOOST_AUTO_TEST_CASE(other_methods_are_405)
{
    world w(backend_from_args());
    const auto get = w.host->get(stripe_path);
    check_error(get, 405, "WE_07");
    BOOST_TEST(get.header("Allow") == "POST");
    check_error(send(w.host->port(), "PUT", stripe_path, {}, "{}"), 405, "WE_07");
    check_error(send(w.host->port(), "POST", "/health", {}, "{}"), 405, "WE_07");
    BOOST_TEST(w.written() == 0);
}

BOOST_AUTO_TEST_CASE(storage_failure_is_503_with_retry_after_and_nothing_half_written)
{
    world w(backend_from_args());
    // The event log is the last write of the transaction: without it, the intent, attempt and
    // task written before must roll back.
    w.db.sql() << "ALTER TABLE webhook_event RENAME TO webhook_event_away";
    const auto r = w.stripe(failed_invoice());
    check_error(r, 503, "HE_03");
    BOOST_TEST(!r.header("Retry-After").empty());
    BOOST_TEST(w.rows("payment_intent") == 0);
    BOOST_TEST(w.rows("payment_attempt") == 0);
    BOOST_TEST(w.rows("process_tracker") == 0);
    BOOST_TEST(w.rows("webhook_delivery") == 0);
    w.db.sql() << "ALTER TABLE webhook_event_away RENAME TO webhook_event";
    // The platform's redelivery completes it.
    BOOST_TEST(w.stripe(failed_invoice()).status == 200);
    BOOST_TEST(w.rows("payment_intent") == 1);
    BOOST_TEST(w.rows("webhook_event") == 1);
}

BOOST_AUTO_TEST_CASE(health_ready_and_metrics)
{
    world w(backend_from_args());
    BOOST_TEST(w.host->get("/health").status == 200);
    BOOST_TEST(w.host->get("/ready").status == 200);
    BOOST_TEST(w.stripe(failed_invoice()).status == 200);
    const auto m = w.host->get("/metrics");
    BOOST_TEST(m.status == 200);
    BOOST_TEST(m.header("Content-Type").find("text/plain") == 0);
    for (const char* expected :
         {"recoup_http_requests_total{route=\"webhook\",status=\"200\",connector=\"stripe_billing\"} 1",
          "recoup_actions_total{action=\"ScheduleFailedPayment\"} 1", "# TYPE recoup_verification_failures_total counter",
          "recoup_request_duration_seconds_bucket{le=\"+Inf\"} 1", "recoup_request_duration_seconds_count 1",
          "recoup_database_errors_total 0"})
        BOOST_TEST(m.body.find(expected) != std::string::npos, expected);
}

BOOST_AUTO_TEST_CASE(one_log_line_per_webhook_without_secrets)
{
    world w(backend_from_args());
    const auto body = failed_invoice();
    const auto headers = stripe_headers(body, world::stripe_secret);
    BOOST_TEST(w.host->post(stripe_path, headers, body).status == 200);
    BOOST_TEST(w.chargebee(fixture("chargebee/payment_failed.json")).status == 200);
    BOOST_TEST(w.host->post(stripe_path, {}, body).status == 401);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::vector<boost::json::object> entries;
    for (const auto& line : w.host->process().lines()) {
        if (line.rfind("{", 0) != 0) continue;
        entries.push_back(boost::json::parse(line).as_object());
        BOOST_TEST(line.find(world::stripe_secret) == std::string::npos);
        BOOST_TEST(line.find(world::chargebee_password) == std::string::npos);
        BOOST_TEST(line.find(headers[0].second) == std::string::npos);
        BOOST_TEST(line.find("payment_method") == std::string::npos);
    }
    BOOST_REQUIRE(entries.size() == 3);
    const auto& first = entries[0];
    for (const char* key : {"request_id", "profile_id", "mca_id", "connector", "event_id", "event_type", "action",
                            "status", "latency_ms"})
        BOOST_TEST(first.contains(key), key);
    BOOST_TEST(first.at("event_id").as_string() == "evt_000000000000000000000000");
    BOOST_TEST(first.at("event_type").as_string() == "RecoveryPaymentFailure");
    BOOST_TEST(first.at("action").as_string() == "ScheduleFailedPayment");
    BOOST_TEST(first.at("status").as_int64() == 200);
    BOOST_TEST(entries[1].at("connector").as_string() == "chargebee");
    BOOST_TEST(entries[2].at("status").as_int64() == 401);
}

BOOST_AUTO_TEST_CASE(keep_alive_serves_several_requests_on_one_connection)
{
    world w(backend_from_args());
    boost::asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), w.host->port()));
    beast::flat_buffer buffer;
    for (int i = 0; i < 3; ++i) {
        bhttp::request<bhttp::string_body> req{bhttp::verb::get, i == 1 ? "/ready" : "/health", 11};
        req.set(bhttp::field::host, "x");
        bhttp::write(socket, req);
        bhttp::response<bhttp::string_body> res;
        bhttp::read(socket, buffer, res);
        BOOST_TEST(res.result_int() == 200u);
        BOOST_TEST(res.keep_alive());
    }
}

BOOST_AUTO_TEST_SUITE_END() // public_payloads

HTTP_TEST_MAIN()
