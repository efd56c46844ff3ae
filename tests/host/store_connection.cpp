// The SOCI store (host_store_*, see store.cpp): database URLs, an unreachable database, lock
// timeouts, reconnecting after a lost connection, and prepared statements run again.
#include <boost/test/unit_test.hpp>
#include "store/soci_store.hpp"

#include "store_fixture.hpp"
#include "store_records.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <thread>

namespace {

using namespace store_test;

} // namespace

BOOST_AUTO_TEST_CASE(database_urls)
{
    BOOST_TEST((recoupd::parse_database_url("sqlite:var/recoup.db").backend == recoupd::backend::sqlite));
    BOOST_TEST(recoupd::parse_database_url("sqlite:var/recoup.db").path == "var/recoup.db");
    BOOST_TEST(recoupd::parse_database_url("sqlite:///tmp/x.db").path == "/tmp/x.db");
    BOOST_TEST((recoupd::parse_database_url("postgresql://recoup@127.0.0.1:5432/recoup").backend ==
                recoupd::backend::postgresql));
    BOOST_TEST(recoupd::parse_database_url("postgresql://u:pw@h/db").redacted() == "postgresql://u:***@h/db");
    for (const char* bad : {"", "sqlite:", "mysql://x/y", "postgresql://", "sqlite::memory:", "sqlite:/tmp/a\"b.db"})
        BOOST_CHECK_THROW(recoupd::parse_database_url(bad), std::invalid_argument);
    try {
        recoupd::parse_database_url("mysql://x/y");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("mysql://x/y") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(an_unreachable_database_is_one_clear_line)
{
    if (!store_test::use_postgres()) {
        // A directory where the database file should be: SQLite cannot open it.
        const auto dir = std::filesystem::temp_directory_path() / ("recoup_store_dir_" + store_test::unique_suffix());
        std::filesystem::create_directories(dir);
        try {
            recoupd::soci_store store(recoupd::parse_database_url("sqlite:" + dir.string()), 1);
            BOOST_TEST(!store.ping());
        } catch (const std::runtime_error& e) {
            BOOST_TEST(std::string(e.what()).find('\n') == std::string::npos);
        }
        std::filesystem::remove_all(dir);
        return;
    }
    try {
        recoupd::soci_store store(recoupd::parse_database_url("postgresql://recoup@127.0.0.1:1/nothing"), 1);
        BOOST_FAIL("connecting to a closed port must fail");
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("cannot connect to the database \"postgresql://recoup@127.0.0.1:1/nothing\"") == 0u);
        BOOST_TEST(what.find('\n') == std::string::npos);
    }
}

// A row held by another transaction past lock_timeout fails the statement as a storage error (a 503
// on the webhook path), instead of holding the request for as long as the other transaction lasts.
BOOST_AUTO_TEST_CASE(a_lock_held_past_lock_timeout_is_a_storage_error)
{
    fresh_database db;
    if (!store_test::use_postgres()) return;
    recoupd::store_options options;
    options.lock_timeout = std::chrono::milliseconds(200);
    recoupd::soci_store store(db.url(), 1, options);
    {
        auto tx = store.begin();
        tx.lock_or_create_intent(make_intent("pay_1", "inv_1"));
        tx.commit();
    }
    db.raw() << "BEGIN";
    db.raw() << "UPDATE payment_intent SET modified_at = modified_at WHERE id = 'pay_1'";
    const auto started = std::chrono::steady_clock::now();
    {
        auto tx = store.begin();
        BOOST_CHECK_THROW(tx.lock_or_create_intent(make_intent("pay_2", "inv_1")), recoup::storage_error);
    }
    BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(10)));
    db.raw() << "ROLLBACK";
    auto tx = store.begin(); // the session is usable again
    BOOST_TEST(tx.find_intent("pay_1").has_value());
}

BOOST_AUTO_TEST_CASE(ping_and_reconnect_after_a_lost_connection)
{
    fresh_database db;
    auto store = db.open(1);
    BOOST_TEST(store->ping());
    if (!store_test::use_postgres()) return;

    // Kill the store's server process, as a PostgreSQL restart would.
    auto kill_store_connections = [&] {
        long long killed = 0;
        db.raw() << "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :a "
                    "AND pid <> pg_backend_pid()",
            soci::use(db.schema()), soci::into(killed);
        return killed;
    };
    BOOST_TEST(kill_store_connections() == 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    {
        auto tx = store->begin(); // reconnects by itself
        BOOST_TEST(tx.claim_delivery("mca_cb", "ev_after_restart"));
        tx.commit();
    }
    BOOST_TEST(kill_store_connections() == 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    BOOST_TEST(!store->find_profile("prof_missing")); // reads reconnect and run again
    BOOST_TEST(kill_store_connections() == 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    BOOST_TEST(store->ping());
    BOOST_TEST(db.count("webhook_delivery") == 1);
}

// Statements are prepared once per pooled session and run again with new values (host/store/
// detail/statement_cache.hpp): each run sees its own values, NULLs included, whatever the run
// before bound; a new intent comes back from its INSERT and an existing one from the locked read;
// and a session that lost its connection prepares them again.
BOOST_AUTO_TEST_CASE(prepared_statements_run_again_with_each_run_s_own_values)
{
    fresh_database db;
    auto store = db.open(1); // one session: every transaction reuses its statements
    constexpr int runs = 24;
    auto run = [&](int i) {
        const auto n = std::to_string(i);
        auto tx = store->begin();
        BOOST_TEST(tx.claim_delivery("mca_cb", "ev_" + n));
        BOOST_TEST(!tx.claim_delivery("mca_cb", "ev_" + n));
        auto proposed = make_intent("pay_" + n, "inv_" + n);
        proposed.amount = 100 + i;
        if (i % 2 == 0) proposed.last_event_at = 5000 + i;
        if (i % 3 == 0) proposed.billing_mca_id.clear(); // NULL
        const auto created = tx.lock_or_create_intent(proposed);
        BOOST_TEST(created.id == "pay_" + n);
        BOOST_TEST(created.amount == 100 + i);
        BOOST_TEST((created.last_event_at == proposed.last_event_at));
        BOOST_TEST(created.billing_mca_id == proposed.billing_mca_id);
        // The same invoice again: the stored intent, not this proposal.
        auto again = make_intent("pay_other", "inv_" + n);
        again.amount = 1;
        BOOST_TEST(tx.lock_or_create_intent(again).amount == 100 + i);
        auto attempt = make_attempt("att_" + n, created.id, "txn_" + n);
        if (i % 2 == 1) attempt.error_code.reset();
        tx.insert_attempt(attempt);
        const auto found = tx.find_attempt(created.id, "txn_" + n);
        BOOST_REQUIRE(found);
        BOOST_TEST(found->id == "att_" + n);
        BOOST_TEST((found->error_code == attempt.error_code));
        BOOST_TEST(!tx.find_attempt(created.id, "txn_missing"));
        tx.commit();
    };
    for (int i = 0; i < runs; ++i) run(i);
    BOOST_TEST(db.count("payment_intent") == runs);
    BOOST_TEST(db.count("payment_attempt") == runs);
    BOOST_TEST(db.count("webhook_delivery") == runs);
    BOOST_TEST(db.count("payment_intent WHERE last_event_at IS NULL") == runs / 2);
    BOOST_TEST(db.count("payment_intent WHERE billing_mca_id IS NULL") == runs / 3);
    BOOST_TEST(db.count("payment_attempt WHERE error_code IS NULL") == runs / 2);
    if (!store_test::use_postgres()) return;

    // The connection dies (a PostgreSQL restart): its prepared statements die with it.
    long long killed = 0;
    db.raw() << "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :a "
                "AND pid <> pg_backend_pid()",
        soci::use(db.schema()), soci::into(killed);
    BOOST_TEST(killed == 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    run(runs);
    run(runs + 1);
    BOOST_TEST(db.count("payment_intent") == runs + 2);
}
