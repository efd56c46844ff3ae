// docs/behaviour.md §4 through the whole host: each connector's real fixtures, signed at test time and
// sent over loopback, leave the intent, attempt and process-tracker rows the flow says (checked
// by SQL); duplicates and races have one effect; terminal intents stay terminal. Run with
// "sqlite" or "postgresql" after "--".
#define BOOST_TEST_MODULE http_flow
#define BOOST_TEST_NO_MAIN
#include "http_harness.hpp"

#include <boost/json.hpp>

#include <future>

using namespace http_test;

namespace {

const std::string stripe_event = "evt_000000000000000000000000";
const std::string stripe_invoice = "in_000000000000000000000000";

std::string stripe_body(const std::string& file, const std::string& event_id)
{
    return replace_all(fixture("stripe/" + file), stripe_event, event_id);
}

// The same Stripe failure for another payment intent (a second attempt on the invoice).
std::string stripe_failure(const std::string& event_id, const std::string& payment_intent = "pi_000000000000000000000000")
{
    return replace_all(stripe_body("invoice.payment_failed.json", event_id), "pi_000000000000000000000000", payment_intent);
}

std::string stripe_cancel(const std::string& event_id)
{
    return replace_all(stripe_body("invoice.payment_failed.json", event_id), "\"invoice.payment_failed\"",
                       "\"invoice.voided\"");
}

struct intent_row {
    std::string id, status, currency;
    long long amount = 0, retries = 0;
};

intent_row intent(world& w, const std::string& reference)
{
    intent_row r;
    int retries = 0;
    w.db.sql() << "SELECT id, status, currency, amount, total_retry_count FROM payment_intent "
                  "WHERE profile_id = 'pro_1' AND merchant_reference_id = :r",
        soci::use(reference), soci::into(r.id), soci::into(r.status), soci::into(r.currency), soci::into(r.amount),
        soci::into(retries);
    r.retries = retries;
    return r;
}

// feature_metadata.revenue_recovery.attempt_triggered_by, read by the database's JSON functions.
std::string triggered_by(world& w, const std::string& connector_payment_id)
{
    const std::string expr = w.db.kind() == backend::postgresql
                                 ? "feature_metadata->'revenue_recovery'->>'attempt_triggered_by'"
                                 : "json_extract(feature_metadata, '$.revenue_recovery.attempt_triggered_by')";
    return w.db.text("SELECT " + expr + " FROM payment_attempt WHERE connector_payment_id = '" + connector_payment_id + "'");
}

std::string attempt_status(world& w, const std::string& connector_payment_id)
{
    return w.db.text("SELECT status FROM payment_attempt WHERE connector_payment_id = '" + connector_payment_id + "'");
}

long long open_tasks(world& w, const std::string& payment_id)
{
    return w.db.count("SELECT COUNT(*) FROM process_tracker WHERE payment_id = '" + payment_id + "' AND status <> 'finish'");
}

void check_armed_task(world& w, const std::string& payment_id)
{
    std::string name, runner, status;
    int retry_count = -1;
    long long schedule_time = 0;
    const std::string id = "PASSIVE_RECOVERY_WORKFLOW_EXECUTE_WORKFLOW_" + payment_id; // soci::use binds by reference
    w.db.sql() << "SELECT name, runner, status, retry_count, schedule_time FROM process_tracker WHERE id = :id",
        soci::use(id), soci::into(name), soci::into(runner),
        soci::into(status), soci::into(retry_count), soci::into(schedule_time);
    BOOST_TEST(name == "EXECUTE_WORKFLOW");
    BOOST_TEST(runner == "PASSIVE_RECOVERY_WORKFLOW");
    BOOST_TEST(status == "new");
    BOOST_TEST(retry_count == 0);
    const auto now = recoup::to_unix_seconds(recoup::system_clock{}.now());
    BOOST_TEST(schedule_time >= now + 60 - 30);
    BOOST_TEST(schedule_time <= now + 60);
    BOOST_TEST(w.db.count("SELECT COUNT(*) FROM process_tracker WHERE payment_id = '" + payment_id + "'") == 1);
}

} // namespace

// ---- fixtures -> rows -------------------------------------------------------------------------

// Every case below delivers payloads from ../shared/fixtures: without them the suite is skipped.
BOOST_AUTO_TEST_SUITE(public_payloads, *recoup_test::needs_shared_fixtures())

BOOST_AUTO_TEST_CASE(stripe_payment_failed_creates_intent_attempt_and_task)
{
    world w(backend_from_args());
    BOOST_TEST(w.stripe(fixture("stripe/invoice.payment_failed.json")).status == 200);
    const auto i = intent(w, stripe_invoice);
    BOOST_TEST(i.status == "failed");
    BOOST_TEST(i.amount == 2000);
    BOOST_TEST(i.currency == "USD");
    BOOST_TEST(i.retries == 1);
    BOOST_TEST(w.rows("payment_attempt") == 1);
    BOOST_TEST(attempt_status(w, "pi_000000000000000000000000") == "failure");
    BOOST_TEST(triggered_by(w, "pi_000000000000000000000000") == "external");
    check_armed_task(w, i.id);
    BOOST_TEST(w.db.text("SELECT action FROM webhook_event") == "ScheduleFailedPayment");
    BOOST_TEST(w.db.text("SELECT event_type FROM webhook_event") == "RecoveryPaymentFailure");
}

BOOST_AUTO_TEST_CASE(stripe_paid_and_voided_make_the_intent_terminal)
{
    world w(backend_from_args());
    BOOST_TEST(w.stripe(fixture("stripe/invoice.paid.json")).status == 200);
    const auto paid = intent(w, stripe_invoice);
    BOOST_TEST(paid.status == "succeeded");
    BOOST_TEST(attempt_status(w, "pi_000000000000000000000000") == "charged");
    BOOST_TEST(triggered_by(w, "pi_000000000000000000000000") == "external");
    BOOST_TEST(w.rows("process_tracker") == 0);

    BOOST_TEST(w.stripe(fixture("stripe/invoice.voided.json")).status == 200);
    const auto voided = intent(w, "in_1MtGmCLkdIwHu7ix6PgS6g8S");
    BOOST_TEST(voided.status == "cancelled");
    BOOST_TEST(w.rows("payment_attempt") == 1);
    BOOST_TEST(w.rows("webhook_event") == 2);
}

BOOST_AUTO_TEST_CASE(chargebee_fixtures_create_their_rows)
{
    world w(backend_from_args());
    BOOST_TEST(w.chargebee(fixture("chargebee/payment_failed.json")).status == 200);
    const auto failed = intent(w, "6");
    BOOST_TEST(failed.status == "failed");
    BOOST_TEST(failed.amount == 224); // amount_due, not total
    BOOST_TEST(attempt_status(w, "cb_3Nl7oGgQqGG8Q24n") == "failure");
    BOOST_TEST(triggered_by(w, "cb_3Nl7oGgQqGG8Q24n") == "external");
    check_armed_task(w, failed.id);

    BOOST_TEST(w.chargebee(fixture("chargebee/payment_succeeded.json")).status == 200);
    BOOST_TEST(intent(w, "22").status == "succeeded");
    BOOST_TEST(attempt_status(w, "txn_AzqYRySIstMLf6N") == "charged");
    BOOST_TEST(triggered_by(w, "txn_AzqYRySIstMLf6N") == "external");

    BOOST_TEST(w.chargebee(fixture("chargebee/payment_initiated.json")).status == 200);
    BOOST_TEST(intent(w, "4").status == "processing");

    BOOST_TEST(w.chargebee(fixture("chargebee/invoice_deleted.json")).status == 200);
    BOOST_TEST(intent(w, "21").status == "cancelled");
    BOOST_TEST(w.rows("webhook_event") == 4);
    BOOST_TEST(w.rows("process_tracker") == 1);
}

BOOST_AUTO_TEST_CASE(the_profile_retry_schedule_and_the_mca_threshold_apply)
{
    world w(backend_from_args());
    recoupd_cli(w.db, {"profile", "add", "--id", "pro_slow", "--retry-schedule",
                       R"({"start_after":600,"frequencies":[[3600,1]]})"});
    add_mca(w.db, "pro_slow", {"mca_slow", "stripe_billing", {"whsec_slow"}, "", "", {"retry_threshold=1"}});
    const auto send_failure = [&](const std::string& event_id, const std::string& pi) {
        const auto body = stripe_failure(event_id, pi);
        return w.host->post(webhook_path("pro_slow", "mca_slow"), stripe_headers(body, "whsec_slow"), body).status;
    };
    BOOST_TEST(send_failure("evt_slow_1", "pi_slow_1") == 200);
    BOOST_TEST(w.rows("process_tracker") == 0); // the platform's own dunning first: 1 is not above 1
    BOOST_TEST(send_failure("evt_slow_2", "pi_slow_2") == 200);
    BOOST_TEST(w.rows("process_tracker") == 1);
    const auto now = recoup::to_unix_seconds(recoup::system_clock{}.now());
    const auto at = w.db.count("SELECT schedule_time FROM process_tracker");
    BOOST_TEST(at >= now + 600 - 30);
    BOOST_TEST(at <= now + 600);
}

// ---- duplicates and races ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_same_event_twice_has_one_effect)
{
    world w(backend_from_args());
    const auto body = fixture("stripe/invoice.payment_failed.json");
    BOOST_TEST(w.stripe(body).status == 200);
    const auto second = w.stripe(body);
    BOOST_TEST(second.status == 200);
    BOOST_TEST(second.body == "{}");
    BOOST_TEST(w.rows("payment_intent") == 1);
    BOOST_TEST(w.rows("payment_attempt") == 1);
    BOOST_TEST(w.rows("process_tracker") == 1);
    BOOST_TEST(intent(w, stripe_invoice).retries == 1);
    BOOST_TEST(w.rows("webhook_event") == 2); // one row per delivery
    BOOST_TEST(w.db.count("SELECT COUNT(*) FROM webhook_event WHERE outcome = 'duplicate'") == 1);
}

BOOST_AUTO_TEST_CASE(the_same_event_8_times_concurrently_has_one_effect)
{
    world w(backend_from_args());
    const auto body = fixture("stripe/invoice.payment_failed.json");
    const auto headers = stripe_headers(body, world::stripe_secret);
    const auto port = w.host->port();
    std::vector<std::future<int>> deliveries;
    for (int i = 0; i < 8; ++i)
        deliveries.push_back(std::async(std::launch::async, [&] {
            return send(port, "POST", webhook_path("pro_1", "mca_stripe"), headers, body).status;
        }));
    for (auto& d : deliveries) BOOST_TEST(d.get() == 200);
    BOOST_TEST(w.rows("payment_intent") == 1);
    BOOST_TEST(w.rows("payment_attempt") == 1);
    BOOST_TEST(w.rows("process_tracker") == 1);
    BOOST_TEST(intent(w, stripe_invoice).retries == 1);
    BOOST_TEST(w.rows("webhook_event") == 8);
    BOOST_TEST(w.db.count("SELECT COUNT(*) FROM webhook_event WHERE outcome = 'duplicate'") == 7);
}

BOOST_AUTO_TEST_CASE(two_first_events_for_one_new_invoice_converge_on_one_intent)
{
    world w(backend_from_args());
    const auto port = w.host->port();
    constexpr int invoices = 5;
    std::vector<std::future<int>> deliveries;
    for (int n = 0; n < invoices; ++n)
        for (int k = 0; k < 2; ++k) {
            const std::string invoice = "in_race_" + std::to_string(n);
            const auto body = replace_all(stripe_failure("evt_race_" + std::to_string(n) + "_" + std::to_string(k),
                                                         "pi_race_" + std::to_string(n) + "_" + std::to_string(k)),
                                          stripe_invoice, invoice);
            deliveries.push_back(std::async(std::launch::async, [port, body] {
                return send(port, "POST", webhook_path("pro_1", "mca_stripe"),
                            stripe_headers(body, world::stripe_secret), body).status;
            }));
        }
    for (auto& d : deliveries) BOOST_TEST(d.get() == 200);
    BOOST_TEST(w.rows("payment_intent") == invoices);
    BOOST_TEST(w.rows("payment_attempt") == 2 * invoices);
    BOOST_TEST(w.rows("process_tracker") == invoices);
    BOOST_TEST(w.rows("webhook_event") == 2 * invoices);
    for (int n = 0; n < invoices; ++n) BOOST_TEST(intent(w, "in_race_" + std::to_string(n)).retries == 2);
}

// ---- terminal intents -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(success_then_failure_leaves_the_intent_succeeded)
{
    world w(backend_from_args());
    BOOST_TEST(w.stripe(stripe_body("invoice.paid.json", "evt_paid")).status == 200);
    BOOST_TEST(w.stripe(stripe_failure("evt_late_failure", "pi_late")).status == 200);
    const auto i = intent(w, stripe_invoice);
    BOOST_TEST(i.status == "succeeded");
    BOOST_TEST(attempt_status(w, "pi_late") == "failure"); // recorded, no effect on the intent
    BOOST_TEST(open_tasks(w, i.id) == 0);
    BOOST_TEST(w.rows("webhook_event") == 2);
}

BOOST_AUTO_TEST_CASE(failure_then_success_finishes_the_task)
{
    world w(backend_from_args());
    BOOST_TEST(w.stripe(stripe_failure("evt_fail")).status == 200);
    const auto armed = intent(w, stripe_invoice);
    BOOST_TEST(open_tasks(w, armed.id) == 1);
    BOOST_TEST(w.stripe(replace_all(stripe_body("invoice.paid.json", "evt_paid"), "pi_000000000000000000000000",
                                    "pi_second")).status == 200);
    BOOST_TEST(intent(w, stripe_invoice).status == "succeeded");
    BOOST_TEST(open_tasks(w, armed.id) == 0);
}

BOOST_AUTO_TEST_CASE(cancel_then_failure_leaves_the_intent_cancelled)
{
    world w(backend_from_args());
    BOOST_TEST(w.stripe(stripe_cancel("evt_cancel")).status == 200);
    BOOST_TEST(intent(w, stripe_invoice).status == "cancelled");
    BOOST_TEST(w.stripe(stripe_failure("evt_failure_after_cancel")).status == 200);
    const auto i = intent(w, stripe_invoice);
    BOOST_TEST(i.status == "cancelled");
    BOOST_TEST(open_tasks(w, i.id) == 0);
    BOOST_TEST(w.rows("webhook_event") == 2);
}

BOOST_AUTO_TEST_SUITE_END() // public_payloads

HTTP_TEST_MAIN()
