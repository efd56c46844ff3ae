// Group commit's committer (host/committer.hpp) on a real store: run with `sqlite` or `postgres`
// as first argument. Webhooks go straight to committer::apply from many threads, as the HTTP
// workers hand them over.
//
// The first case is the CI incident of 2026-12-03 (http_flow_sqlite answered ten concurrent
// deliveries 200 with an attempt row missing): a waiter woken before its batch's COMMIT (by the
// previous batch's notification, whose waiters take the mutex only once the committer has
// started the next batch, or spuriously) found its result already filled in and answered, and
// the test counted rows before that COMMIT. The committer's test hook wakes every waiter just
// before each COMMIT, which makes the early answer certain where it used to depend on timing.
#define BOOST_TEST_MODULE host_committer
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include "committer.hpp"
#include "store_fixture.hpp"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace {

using store_test::fresh_database;

constexpr std::int64_t t0 = 1'700'000'000;

struct world {
    fresh_database db;
    std::unique_ptr<recoupd::soci_store> store = db.open(4);
    recoup::recovery_account account;

    world()
    {
        store->add_profile({"pro_1", "cascading", std::nullopt, t0});
        recoupd::mca_record mca;
        mca.id = "mca_1";
        mca.profile_id = "pro_1";
        mca.connector = "chargebee";
        mca.secrets = {"s"};
        store->add_mca(mca);
        account.profile_id = "pro_1";
        account.mca_id = "mca_1";
    }

    // A failed payment of `invoice`, reported by event `event_id` as transaction `txn`.
    static recoup::normalized_webhook failed_payment(const std::string& event_id, const std::string& invoice,
                                                     const std::string& txn)
    {
        recoup::normalized_webhook w;
        w.event_type = recoup::incoming_webhook_event::recovery_payment_failure;
        w.event_id = event_id;
        w.object_reference_id = invoice;
        recoup::recovery_invoice i;
        i.merchant_reference_id = recoup::merchant_reference_id::make(invoice).value();
        i.amount = 4200;
        i.currency = *recoup::find_currency("USD");
        w.invoice = i;
        recoup::recovery_attempt a;
        a.amount = 4200;
        a.currency = i.currency;
        a.merchant_reference_id = i.merchant_reference_id;
        a.connector_transaction_id = txn;
        a.error_code = "card_declined";
        w.attempt = a;
        return w;
    }

    long long rows(const std::string& table) { return db.count(table); }
};

// Calls apply for every webhook at once, one thread each; the results in the same order.
// `answered` counts the calls that have returned, as they return.
std::vector<recoup::result<recoup::recovery_result>> apply_together(recoupd::committer& c, world& w,
                                                                    const std::vector<recoup::normalized_webhook>& hooks,
                                                                    std::atomic<int>& answered)
{
    std::vector<std::optional<recoup::result<recoup::recovery_result>>> out(hooks.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < hooks.size(); ++i)
        threads.emplace_back([&, i] {
            out[i] = c.apply(hooks[i], w.account, "{}", t0);
            ++answered;
        });
    for (auto& t : threads) t.join();
    std::vector<recoup::result<recoup::recovery_result>> results;
    for (auto& o : out) results.push_back(std::move(*o));
    return results;
}

} // namespace

BOOST_AUTO_TEST_SUITE(committer)

BOOST_AUTO_TEST_CASE(no_webhook_is_answered_before_its_batch_commits)
{
    world w;
    constexpr int invoices = 6;
    std::vector<recoup::normalized_webhook> hooks; // two first events for each new invoice, as in http_flow
    for (int n = 0; n < invoices; ++n)
        for (int k = 0; k < 2; ++k)
            hooks.push_back(world::failed_payment("evt_" + std::to_string(n) + "_" + std::to_string(k),
                                                  "inv_" + std::to_string(n),
                                                  "txn_" + std::to_string(n) + "_" + std::to_string(k)));
    std::atomic<int> answered{0};
    std::atomic<int> early{0};   // answers seen before their rows were committed
    std::atomic<int> commits{0};
    recoupd::committer_options options;
    options.max_batch = 64;
    // On the committer thread, before each COMMIT, with every waiter just woken: give the woken
    // waiters a bounded while to take an answer, then compare the answers out with the rows
    // committed so far (read on another connection, which sees committed rows only).
    fresh_database* db = &w.db;
    options.before_commit = [&, db] {
        ++commits;
        long long committed = 0;
        for (int i = 0; i < 50; ++i) {
            committed = db->count("webhook_event");
            if (answered.load() > committed) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(4));
        }
        if (answered.load() > committed) ++early;
    };
    std::vector<recoup::result<recoup::recovery_result>> results;
    {
        recoupd::committer c(*w.store, options);
        results = apply_together(c, w, hooks, answered);
        // Every webhook answered: its rows are there (the CI symptom was a count short by one here).
        BOOST_TEST(c.batches() >= 1u);
        BOOST_TEST(w.rows("payment_attempt") == 2 * invoices);
        BOOST_TEST(w.rows("webhook_event") == 2 * invoices);
    }
    BOOST_TEST(early.load() == 0);
    BOOST_TEST(commits.load() >= 1);
    for (const auto& r : results) {
        BOOST_TEST_REQUIRE(r.has_value());
        BOOST_TEST(r->http_status == 200);
    }
    BOOST_TEST(w.rows("webhook_event") == 2 * invoices);
    BOOST_TEST(w.rows("payment_attempt") == 2 * invoices);
    BOOST_TEST(w.rows("payment_intent") == invoices);
    BOOST_TEST(w.rows("process_tracker") == invoices);
    BOOST_TEST(w.rows("payment_intent WHERE total_retry_count = 2") == invoices);
}

BOOST_AUTO_TEST_CASE(a_lone_webhook_fails_or_commits_alone_without_a_savepoint)
{
    world w;
    recoupd::committer_options options;
    options.max_batch = 64;
    options.fail_apply_event_id = "evt_poison";
    recoupd::committer c(*w.store, options);
    // Alone, a failing webhook's transaction is rolled back whole: its answer and its rows are
    // what they are inside a batch (503 storage_unavailable, nothing written).
    const auto poison = world::failed_payment("evt_poison", "inv_p", "txn_p");
    const auto failed = c.apply(poison, w.account, "{}", t0);
    BOOST_TEST_REQUIRE(!failed.has_value());
    BOOST_TEST(failed.error().code == recoup::error::storage_unavailable);
    BOOST_TEST(w.rows("webhook_delivery") == 0);
    BOOST_TEST(w.rows("payment_intent") == 0);
    BOOST_TEST(w.rows("webhook_event") == 0);
    // The next lone webhook commits, on the same pooled sessions.
    const auto ok = c.apply(world::failed_payment("evt_ok", "inv_ok", "txn_ok"), w.account, "{}", t0);
    BOOST_TEST_REQUIRE(ok.has_value());
    BOOST_TEST(ok->http_status == 200);
    BOOST_TEST(w.rows("webhook_delivery") == 1);
    BOOST_TEST(w.rows("payment_attempt") == 1);
    BOOST_TEST(w.rows("webhook_event") == 1);
    // Its duplicate, alone, is one delivery.
    const auto again = c.apply(world::failed_payment("evt_ok", "inv_ok", "txn_ok"), w.account, "{}", t0);
    BOOST_TEST_REQUIRE(again.has_value());
    BOOST_TEST(again->duplicate);
    BOOST_TEST(w.rows("payment_attempt") == 1);
    BOOST_TEST(w.rows("webhook_event") == 2);
    BOOST_TEST(c.batches() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()

int main(int argc, char** argv) { return store_test::run_suite(argc, argv, &init_unit_test); }
