// Out-of-order webhooks through the whole host (docs/behaviour.md §4.5): a failure the platform
// dated earlier, delivered after a newer event about the same invoice, is answered 200 and
// recorded, but the intent keeps the newer event's amount and status (checked by SQL), and
// `recoupd scheduler --once` charges that amount. The project's own payloads (tests/fixtures),
// adjusted with replace_all and signed here. Run with "sqlite" or "postgresql" after "--".
#define BOOST_TEST_MODULE http_ordering
#define BOOST_TEST_NO_MAIN
#include "fake_platform.hpp"
#include "http_harness.hpp"

using namespace http_test;

namespace {

// ---- Chargebee: tests/fixtures/chargebee/payment_failed_card.json, invoice inv_rc_2041 ------------

const std::string cb_invoice = "inv_rc_2041";
const std::string cb_older_time = "1740830400"; // the fixture's occurred_at
const std::string cb_newer_time = "1740900000";
const long long cb_older_amount = 3900; // the fixture's amount_due
const long long cb_newer_amount = 2500; // partly paid since

// One Chargebee delivery about inv_rc_2041: event id, occurred_at, amount_due, the attempt's
// id at the gateway, and whether the attempt failed or is still in progress (payment_initiated).
std::string chargebee_event(const std::string& event_id, const std::string& occurred_at, long long amount_due,
                            const std::string& gateway_txn, bool failed = true, const std::string& token = "pm_RcCard0002")
{
    auto body = own_fixture("chargebee/payment_failed_card.json");
    body = replace_all(std::move(body), "\"ev_rc_PayFail0001\"", "\"" + event_id + "\"");
    body = replace_all(std::move(body), "\"occurred_at\": " + cb_older_time, "\"occurred_at\": " + occurred_at);
    body = replace_all(std::move(body), "\"amount_due\": 3900", "\"amount_due\": " + std::to_string(amount_due));
    body = replace_all(std::move(body), "\"ch_rc_3QxFail002\"", "\"" + gateway_txn + "\"");
    body = replace_all(std::move(body), "cus_RcAda0001/pm_RcCard0002", "cus_RcAda0001/" + token);
    if (!failed) {
        body = replace_all(std::move(body), "\"status\": \"failure\"", "\"status\": \"in_progress\"");
        body = replace_all(std::move(body), "\"event_type\": \"payment_failed\"", "\"event_type\": \"payment_initiated\"");
    }
    return body;
}

std::string newer_failure(const std::string& token = "pm_RcCard0002")
{
    return chargebee_event("ev_ord_newer", cb_newer_time, cb_newer_amount, "ch_ord_newer", true, token);
}
std::string newer_pending()
{
    return chargebee_event("ev_ord_newer", cb_newer_time, cb_newer_amount, "ch_ord_newer", false);
}
std::string older_failure(const std::string& token = "pm_RcCard0002")
{
    return chargebee_event("ev_ord_older", cb_older_time, cb_older_amount, "ch_ord_older", true, token);
}

struct intent_row {
    std::string id, status;
    long long amount = 0, retries = 0, last_event_at = 0;
};

intent_row intent(test_database& db, const std::string& reference)
{
    intent_row r;
    int retries = 0;
    db.sql() << "SELECT id, status, amount, total_retry_count, last_event_at FROM payment_intent "
                "WHERE profile_id = 'pro_1' AND merchant_reference_id = :r",
        soci::use(reference), soci::into(r.id), soci::into(r.status), soci::into(r.amount), soci::into(retries),
        soci::into(r.last_event_at);
    r.retries = retries;
    return r;
}

std::string outcome_of(test_database& db, const std::string& event_id)
{
    return db.text("SELECT outcome FROM webhook_event WHERE connector_event_id = '" + event_id + "'");
}

// A 200 with the connector's usual body: the stale delivery is acknowledged like any other.
void check_acknowledged(const reply& r)
{
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.body == "{}");
    BOOST_TEST(error_code_of(r.body).empty());
}

// ---- Stripe: tests/fixtures/stripe_billing/invoice.payment_failed.basil_payments.json -------------

const std::string stripe_invoice = "in_RcSbInv0001";

std::string stripe_failure(const std::string& event_id, const std::string& created, long long amount_remaining,
                           const std::string& payment_intent)
{
    auto body = own_fixture("stripe_billing/invoice.payment_failed.basil_payments.json");
    body = replace_all(std::move(body), "\"evt_RcSbFail0001\"", "\"" + event_id + "\"");
    body = replace_all(std::move(body), "\"created\": 1767230000", "\"created\": " + created);
    body = replace_all(std::move(body), "\"amount_remaining\": 4900", "\"amount_remaining\": " + std::to_string(amount_remaining));
    return replace_all(std::move(body), "\"pi_RcSbPay0001\"", "\"" + payment_intent + "\"");
}

} // namespace

BOOST_AUTO_TEST_CASE(chargebee_an_older_failure_keeps_the_newer_amount)
{
    world w(backend_from_args());
    check_acknowledged(w.chargebee(newer_failure()));
    const auto newer = intent(w.db, cb_invoice);
    BOOST_TEST(newer.amount == cb_newer_amount);
    BOOST_TEST(newer.last_event_at == std::stoll(cb_newer_time));

    check_acknowledged(w.chargebee(older_failure()));
    const auto after = intent(w.db, cb_invoice);
    BOOST_TEST(after.amount == cb_newer_amount);
    BOOST_TEST(after.status == "failed");
    BOOST_TEST(after.last_event_at == std::stoll(cb_newer_time));
    // Recorded as any delivery: its attempt, the failure count, its log row saying it was stale.
    BOOST_TEST(w.db.count("SELECT amount FROM payment_attempt WHERE connector_payment_id = 'ch_ord_older'") ==
               cb_older_amount);
    BOOST_TEST(after.retries == 2);
    BOOST_TEST(w.rows("process_tracker") == 1);
    BOOST_TEST(outcome_of(w.db, "ev_ord_older") == "task already armed (stale event: amount and status kept)");
    BOOST_TEST(outcome_of(w.db, "ev_ord_newer") == "task armed");
}

BOOST_AUTO_TEST_CASE(chargebee_an_older_failure_keeps_the_newer_status)
{
    world w(backend_from_args());
    check_acknowledged(w.chargebee(newer_pending()));
    BOOST_TEST(intent(w.db, cb_invoice).status == "processing");

    check_acknowledged(w.chargebee(older_failure()));
    const auto after = intent(w.db, cb_invoice);
    BOOST_TEST(after.status == "processing");
    BOOST_TEST(after.amount == cb_newer_amount);
    BOOST_TEST(after.last_event_at == std::stoll(cb_newer_time));
    BOOST_TEST(w.db.text("SELECT status FROM payment_attempt WHERE connector_payment_id = 'ch_ord_older'") == "failure");
    BOOST_TEST(w.db.text("SELECT status FROM payment_attempt WHERE connector_payment_id = 'ch_ord_newer'") == "pending");
    BOOST_TEST(w.rows("webhook_event") == 2);
}

BOOST_AUTO_TEST_CASE(chargebee_in_order_deliveries_end_in_the_same_row)
{
    world w(backend_from_args());
    check_acknowledged(w.chargebee(older_failure()));
    BOOST_TEST(intent(w.db, cb_invoice).amount == cb_older_amount);
    BOOST_TEST(intent(w.db, cb_invoice).last_event_at == std::stoll(cb_older_time));
    check_acknowledged(w.chargebee(newer_pending()));
    const auto after = intent(w.db, cb_invoice);
    BOOST_TEST(after.status == "processing");
    BOOST_TEST(after.amount == cb_newer_amount);
    BOOST_TEST(after.last_event_at == std::stoll(cb_newer_time));
    BOOST_TEST(outcome_of(w.db, "ev_ord_newer") == "intent processing");
}

BOOST_AUTO_TEST_CASE(stripe_an_older_failure_keeps_the_newer_amount)
{
    world w(backend_from_args());
    const auto newer = stripe_failure("evt_ord_newer", "1767230000", 3100, "pi_ord_newer");
    const auto older = stripe_failure("evt_ord_older", "1767220000", 4900, "pi_ord_older");
    check_acknowledged(w.stripe(newer));
    check_acknowledged(w.stripe(older));
    const auto after = intent(w.db, stripe_invoice);
    BOOST_TEST(after.amount == 3100);
    BOOST_TEST(after.status == "failed");
    BOOST_TEST(after.last_event_at == 1767230000);
    BOOST_TEST(w.rows("payment_attempt") == 2);
    BOOST_TEST(outcome_of(w.db, "evt_ord_older") == "task already armed (stale event: amount and status kept)");
}

BOOST_AUTO_TEST_CASE(the_scheduler_charges_the_newer_amount)
{
    fake_platform platform; // Chargebee's API, for the record-back
    const std::vector<mca_spec> mcas{
        {"mca_cb", "chargebee", {"cb_ord:cb_ord_pw"}, "cbkey_ord", platform.base_url(),
         {"billing_account_reference={\"gw_rc_stripe_eu\":\"mca_sim\"}"}},
        {"mca_sim", "simulator", {}, "", "", {}}};
    world w(backend_from_args(), mcas, {"--no-scheduler"});
    auto send = [&](const std::string& body) {
        return w.host->post(webhook_path("pro_1", "mca_cb"), chargebee_headers("cb_ord", "cb_ord_pw"), body);
    };
    check_acknowledged(send(newer_failure("tok_success")));
    check_acknowledged(send(older_failure("tok_success")));
    const auto i = intent(w.db, cb_invoice);
    BOOST_REQUIRE(i.amount == cb_newer_amount);

    const long long at = w.db.count("SELECT schedule_time FROM process_tracker WHERE payment_id = '" + i.id + "'");
    recoupd_cli(w.db, {"scheduler", "--once", "--now", std::to_string(at), "--plugin-dir", plugin_dir()});
    const std::string internal = w.db.kind() == backend::postgresql
                                     ? "feature_metadata->'revenue_recovery'->>'attempt_triggered_by'"
                                     : "json_extract(feature_metadata, '$.revenue_recovery.attempt_triggered_by')";
    BOOST_TEST(w.db.count("SELECT COUNT(*) FROM payment_attempt WHERE " + internal + " = 'internal'") == 1);
    BOOST_TEST(w.db.count("SELECT amount FROM payment_attempt WHERE " + internal + " = 'internal'") == cb_newer_amount);
    BOOST_TEST(intent(w.db, cb_invoice).status == "succeeded");
    const auto seen = platform.seen();
    BOOST_REQUIRE(seen.size() == 1u);
    BOOST_TEST(seen[0].target == "/v2/invoices/" + cb_invoice + "/record_payment");
    BOOST_TEST(seen[0].body.find("transaction[amount]=" + std::to_string(cb_newer_amount) + "&") != std::string::npos,
               seen[0].body);
}

HTTP_TEST_MAIN()
