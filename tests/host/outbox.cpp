// The outbox end to end on SQLite and PostgreSQL: merchant events written by the real flow in the
// store's own transaction, delivered by recoupd's outbox over loopback HTTP to a receiver in this
// process, on a fixed clock. A rolled-back change sends nothing; a receiver that is down, then up,
// gets each webhook-id delivered once; the signature verifies with an independent implementation
// (verify_standard_webhook.py); failures back off for three days, then the webhook is given up and
// the endpoint disabled, with its metric.
// Boost.Test comes first: the shared fixture defines main() helpers with it.
#define BOOST_TEST_MODULE host_outbox
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include "fake_api.hpp"
#include "store_fixture.hpp"

#include "metrics.hpp"
#include "outbound/client.hpp"
#include "scheduler/outbox.hpp"

#include <recoup/flow.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>

using store_test::fresh_database;

namespace {

const std::int64_t t0 = 1'800'000'000;
const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

// A merchant's receiver: answers 503 while down, 200 when up; keeps every request.
class receiver {
public:
    struct seen {
        std::string id, timestamp, signature, content_type, target, body;
        int answered = 0;
    };

    receiver() : server_(2, [this](recoupd::http::request&& r) { return handle(std::move(r)); }) {}

    std::string url() const { return server_.base_url() + "/hooks/recoup"; }
    void set_up(bool up) { up_ = up; }
    std::vector<seen> requests() const
    {
        std::lock_guard lock(mutex_);
        return seen_;
    }
    // webhook-id -> how many 2xx it was answered.
    std::map<std::string, int> delivered() const
    {
        std::map<std::string, int> out;
        for (const auto& s : requests()) out[s.id] += s.answered == 200 ? 1 : 0;
        return out;
    }

private:
    recoupd::http::response handle(recoupd::http::request&& req)
    {
        namespace bhttp = boost::beast::http;
        const int status = up_ ? 200 : 503;
        {
            std::lock_guard lock(mutex_);
            seen_.push_back({std::string(req["webhook-id"]), std::string(req["webhook-timestamp"]),
                             std::string(req["webhook-signature"]), std::string(req[bhttp::field::content_type]),
                             std::string(req.target()), req.body(), status});
        }
        recoupd::http::response res{static_cast<bhttp::status>(status), req.version()};
        res.body() = "ok";
        res.prepare_payload();
        return res;
    }

    mutable std::mutex mutex_;
    std::vector<seen> seen_;
    std::atomic<bool> up_{true};
    http_test::loopback_server server_; // last: stopped first
};

struct world {
    fresh_database db;
    std::unique_ptr<recoupd::soci_store> store = db.open(2);
    recoupd::outbound::client client{[] {
        recoupd::outbound::client_options o;
        o.connect_timeout = std::chrono::milliseconds(2000);
        o.total_timeout = std::chrono::milliseconds(5000);
        return o;
    }()};
    recoupd::metrics metrics;
    recoupd::outbox outbox{*store, client, &metrics};
    recoup::recovery_account account;

    explicit world(const std::string& endpoint_url)
    {
        store->add_profile({"pro_1", "cascading", std::nullopt, t0});
        recoupd::mca_record mca;
        mca.id = "mca_1";
        mca.profile_id = "pro_1";
        mca.connector = "chargebee";
        mca.secrets = {"s"};
        store->add_mca(mca);
        recoupd::endpoint_record e;
        e.id = "ep_1";
        e.profile_id = "pro_1";
        e.url = endpoint_url;
        e.created_at = t0;
        store->add_endpoint(e, secret);
        account.profile_id = "pro_1";
        account.mca_id = "mca_1";
    }

    // The invoice's first failed payment, through the real flow in one store transaction.
    static recoup::normalized_webhook failed_payment(const std::string& event_id)
    {
        recoup::normalized_webhook w;
        w.event_type = recoup::incoming_webhook_event::recovery_payment_failure;
        w.event_id = event_id;
        w.object_reference_id = "inv_1";
        recoup::recovery_invoice invoice;
        invoice.merchant_reference_id = recoup::merchant_reference_id::make("inv_1").value();
        invoice.amount = 4200;
        invoice.currency = *recoup::find_currency("USD");
        w.invoice = invoice;
        recoup::recovery_attempt a;
        a.amount = 4200;
        a.currency = invoice.currency;
        a.merchant_reference_id = invoice.merchant_reference_id;
        a.connector_transaction_id = "txn_1";
        a.error_code = "card_declined";
        w.attempt = a;
        return w;
    }

    recoup::recovery_result apply(const recoup::normalized_webhook& w, bool commit)
    {
        auto tx = store->begin();
        auto out = recoup::apply_webhook(tx, w, account, "{}", t0);
        if (commit) tx.commit();
        return out;
    }

    std::vector<recoupd::outgoing_record> outgoing() { return store->list_outgoing(); }
};

bool verifies(const receiver::seen& s, const std::string& with_secret, const std::string& body)
{
    const auto dir = std::filesystem::temp_directory_path() / ("outbox_" + store_test::unique_suffix());
    std::filesystem::create_directories(dir);
    {
        std::ofstream(dir / "body", std::ios::binary) << body;
    }
    const char* root = std::getenv("RECOUP_SOURCE_ROOT");
    BOOST_TEST_REQUIRE(root != nullptr);
    const auto script = std::filesystem::path(root) / "tests" / "host" / "verify_standard_webhook.py";
    const auto quote = [](const std::string& s) { return "'" + s + "'"; }; // the values hold no quote
    const std::string cmd = "python3 " + quote(script.string()) + " " + quote(with_secret) + " " + quote(s.id) + " " +
                            quote(s.timestamp) + " " + quote((dir / "body").string()) + " " + quote(s.signature);
    const int rc = std::system(cmd.c_str());
    std::filesystem::remove_all(dir);
    return rc == 0;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_rolled_back_change_sends_nothing)
{
    receiver r;
    world w(r.url());
    // The flow emits into a transaction that is dropped without commit, then into one that fails
    // on a store error after emitting (a duplicate attempt row): both roll back.
    w.apply(world::failed_payment("ev_1"), false);
    BOOST_TEST(w.outgoing().empty());
    try {
        auto tx = w.store->begin();
        const auto out = recoup::apply_webhook(tx, world::failed_payment("ev_1"), w.account, "{}", t0);
        BOOST_TEST_REQUIRE((out.outcome == recoup::webhook_outcome::task_armed));
        auto again = tx.attempts_of(*out.payment_id).at(0);
        tx.insert_attempt(again); // the same primary key: the database refuses it
        tx.commit();
        BOOST_FAIL("the duplicate insert went through");
    } catch (const recoup::storage_error&) {
    }
    BOOST_TEST(w.outgoing().empty());
    BOOST_TEST(w.outbox.drain(t0 + 86400) == 0u);
    BOOST_TEST(r.requests().empty());

    // The same change committed: its two events go out.
    w.apply(world::failed_payment("ev_1"), true);
    BOOST_TEST(w.outgoing().size() == 2u);
    BOOST_TEST(w.outbox.drain(t0) == 2u);
    BOOST_TEST(r.requests().size() == 2u);
}

BOOST_AUTO_TEST_CASE(receiver_down_then_up_gets_each_webhook_id_once)
{
    receiver r;
    world w(r.url());
    w.apply(world::failed_payment("ev_1"), true);
    r.set_up(false);
    BOOST_TEST(w.outbox.drain(t0) == 2u);
    BOOST_TEST(w.outbox.drain(t0 + 4) == 0u); // not due before 5 s
    BOOST_TEST(w.outbox.drain(t0 + 5) == 2u);
    r.set_up(true);
    BOOST_TEST(w.outbox.drain(t0 + 5 + 300) == 2u);
    for (std::int64_t later : {t0 + 3600, t0 + 86400, t0 + 4 * 86400}) BOOST_TEST(w.outbox.drain(later) == 0u);

    const auto seen = r.requests();
    BOOST_TEST(seen.size() == 6u);
    const auto delivered = r.delivered();
    BOOST_TEST(delivered.size() == 2u);
    for (const auto& [id, n] : delivered) {
        BOOST_TEST(id.starts_with("msg_"));
        BOOST_TEST(n == 1, id << " delivered " << n << " times");
    }
    // Redeliveries only while failing: the last request of each id is its only 2xx.
    std::map<std::string, bool> done;
    for (const auto& s : seen) {
        BOOST_TEST(!done[s.id], s.id << " sent again after its delivery");
        if (s.answered == 200) done[s.id] = true;
    }
    for (const auto& o : w.outgoing()) {
        BOOST_TEST(o.status == "delivered");
        BOOST_TEST(o.attempts == 3);
        BOOST_TEST(o.last_status.value() == 200);
        BOOST_TEST(o.delivered_at.value() == t0 + 305);
    }
    const auto text = w.metrics.render();
    BOOST_TEST(text.find("recoup_merchant_webhook_deliveries_total{outcome=\"delivered\"} 2") != std::string::npos);
    BOOST_TEST(text.find("recoup_merchant_webhook_deliveries_total{outcome=\"retry\"} 4") != std::string::npos);
    BOOST_TEST(w.store->find_endpoint("ep_1")->consecutive_failures == 0);
}

BOOST_AUTO_TEST_CASE(the_signature_verifies_with_an_independent_implementation)
{
    receiver r;
    world w(r.url());
    w.apply(world::failed_payment("ev_1"), true);
    BOOST_TEST(w.outbox.drain(t0 + 7) == 2u);
    const auto seen = r.requests();
    BOOST_TEST_REQUIRE(seen.size() == 2u);
    const auto rows = w.outgoing();
    for (const auto& s : seen) {
        BOOST_TEST(s.target == "/hooks/recoup");
        BOOST_TEST(s.content_type == "application/json");
        BOOST_TEST(s.timestamp == std::to_string(t0 + 7));
        BOOST_TEST(s.signature.starts_with("v1,"));
        BOOST_TEST(verifies(s, secret, s.body));
        BOOST_TEST(!verifies(s, secret, s.body + " "));                                    // a changed body
        BOOST_TEST(!verifies(s, "whsec_" + recoup::base64_encode("another key"), s.body)); // another secret
        // The body is the outbox row's exact bytes.
        bool found = false;
        for (const auto& o : rows) found = found || (o.id == s.id && o.body == s.body);
        BOOST_TEST(found);
    }
    // Two events of one change, in no promised order: the started one.
    const auto& started = boost::json::parse(seen[0].body).as_object().at("type").as_string() == "recovery.started"
                              ? seen[0]
                              : seen[1];
    const auto body = boost::json::parse(started.body).as_object();
    BOOST_TEST(body.at("type").as_string() == "recovery.started");
    BOOST_TEST(body.at("timestamp").as_string() == recoup::format_iso8601(t0));
    const auto& data = body.at("data").as_object();
    BOOST_TEST(data.at("invoice").as_string() == "inv_1");
    BOOST_TEST(data.at("amount").as_int64() == 4200);
    BOOST_TEST(data.at("currency").as_string() == "USD");
    BOOST_TEST(data.at("attempt").as_object().at("error_code").as_string() == "card_declined");
}

BOOST_AUTO_TEST_CASE(failures_back_off_for_three_days_then_the_endpoint_is_disabled)
{
    // Nothing listens on port 1: every attempt is refused at once.
    world w("http://127.0.0.1:1/hooks");
    w.apply(world::failed_payment("ev_1"), true);
    std::map<std::string, std::vector<std::int64_t>> times; // webhook id -> its attempts' times
    std::int64_t now = t0;
    for (int round = 0; round < 40; ++round) {
        w.outbox.drain(now);
        std::optional<std::int64_t> next;
        for (const auto& o : w.outgoing()) {
            if (o.status != "pending") continue;
            next = next ? std::min(*next, o.next_attempt_at) : o.next_attempt_at;
        }
        if (!next) break;
        now = *next;
    }
    for (const auto& o : w.outgoing()) {
        BOOST_TEST(o.status == "failed");
        BOOST_TEST(o.attempts == 12);
        BOOST_TEST(!o.last_status);
        BOOST_TEST(o.last_error.has_value());
    }
    // The attempts' times: t0, then 5 s, 5 min, 30 min, 2 h, 5 h and 10 h apart until three days.
    const std::vector<std::int64_t> offsets{0,     5,     305,    2105,   9305,   27305,
                                            63305, 99305, 135305, 171305, 207305, 243305};
    const auto rows = w.outgoing();
    BOOST_TEST_REQUIRE(rows.size() == 2u);
    const auto endpoint = w.store->find_endpoint("ep_1");
    BOOST_TEST(endpoint->status == "disabled");
    BOOST_TEST(endpoint->disabled_reason.value().find("three days") != std::string::npos);
    BOOST_TEST(endpoint->consecutive_failures == 24);
    const auto text = w.metrics.render();
    BOOST_TEST(text.find("recoup_merchant_endpoints_disabled_total 1") != std::string::npos);
    BOOST_TEST(text.find("recoup_merchant_webhook_deliveries_total{outcome=\"failed\"} 2") != std::string::npos);
    BOOST_TEST(text.find("recoup_merchant_webhook_deliveries_total{outcome=\"retry\"} 22") != std::string::npos);
    BOOST_TEST(now == t0 + offsets.back());
}

BOOST_AUTO_TEST_CASE(a_disabled_endpoint_waits_and_resend_queues_again)
{
    receiver r;
    world w(r.url());
    BOOST_TEST(w.store->set_endpoint_status("ep_1", false, std::string("maintenance"), t0));
    w.apply(world::failed_payment("ev_1"), true);
    BOOST_TEST(w.outgoing().size() == 0u); // disabled endpoints get no rows
    BOOST_TEST(w.store->set_endpoint_status("ep_1", true, std::nullopt, t0));
    w.apply(world::failed_payment("ev_2"), true); // another failure: already armed, nothing to say
    BOOST_TEST(w.outgoing().size() == 0u);

    // A cancellation, heard while enabled: one row, delivered; resend sends it again, same id.
    recoup::normalized_webhook cancel = world::failed_payment("ev_c");
    cancel.event_type = recoup::incoming_webhook_event::recovery_invoice_cancel;
    cancel.attempt.reset();
    w.apply(cancel, true);
    const auto rows = w.outgoing();
    BOOST_TEST_REQUIRE(rows.size() == 1u);
    BOOST_TEST(rows[0].event_type == "recovery.cancelled");
    BOOST_TEST(w.outbox.drain(t0) == 1u);
    BOOST_TEST(w.store->resend_outgoing(rows[0].id, t0 + 60));
    BOOST_TEST(!w.store->resend_outgoing("msg_unknown", t0 + 60));
    BOOST_TEST(w.outbox.drain(t0 + 60) == 1u);
    const auto seen = r.requests();
    BOOST_TEST_REQUIRE(seen.size() == 2u);
    BOOST_TEST(seen[0].id == rows[0].id);
    BOOST_TEST(seen[1].id == rows[0].id);
    BOOST_TEST(seen[1].body == seen[0].body);
}

int main(int argc, char** argv) { return store_test::run_suite(argc, argv, &init_unit_test); }
