// The SOCI store against a real database: run with `sqlite` or `postgres` as first argument.
// Boost.Test comes first: the shared fixture defines main() helpers with it.
#define BOOST_TEST_MODULE host_store
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>
#include "store/soci_store.hpp"

#include "store/secrets_crypto.hpp"
#include "store_fixture.hpp"


#include <boost/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <barrier>
#include <chrono>
#include <mutex>
#include <thread>

namespace {

using store_test::fresh_database;

recoup::intent_record make_intent(const std::string& id, const std::string& reference)
{
    recoup::intent_record i;
    i.id = id;
    i.profile_id = "prof_1";
    i.merchant_reference_id = reference;
    i.billing_mca_id = "mca_cb";
    i.amount = 1095;
    i.currency = *recoup::find_currency("USD");
    i.created_at = i.modified_at = 1000;
    return i;
}

recoup::attempt_record make_attempt(const std::string& id, const std::string& payment_id, const std::string& txn)
{
    recoup::attempt_record a;
    a.id = id;
    a.payment_id = payment_id;
    a.status = recoup::attempt_status::failure;
    a.amount = 1095;
    a.currency = *recoup::find_currency("USD");
    a.connector_payment_id = txn;
    a.error_code = "card_declined";
    a.feature_metadata = R"({"revenue_recovery":{"attempt_triggered_by":"external"}})";
    a.created_at = a.modified_at = 1001;
    return a;
}

recoup::task_record make_task(const std::string& payment_id, std::int64_t at)
{
    recoup::task_record t;
    t.id = "PASSIVE_RECOVERY_WORKFLOW_EXECUTE_WORKFLOW_" + payment_id;
    t.name = "EXECUTE_WORKFLOW";
    t.runner = "PASSIVE_RECOVERY_WORKFLOW";
    t.schedule_time = at;
    t.tracking_data = R"({"payment_id":")" + payment_id + R"("})";
    t.payment_id = payment_id;
    t.created_at = t.updated_at = 1002;
    return t;
}

recoup::event_record make_event(const std::string& id, std::int64_t received_at)
{
    recoup::event_record e;
    e.id = id;
    e.profile_id = "prof_1";
    e.merchant_connector_id = "mca_cb";
    e.connector_event_id = "ev_" + id;
    e.dedup_key = "ev_" + id;
    e.event_type = "RecoveryPaymentFailure";
    e.action = "ScheduleFailedPayment";
    e.outcome = "applied";
    e.payment_id = "pay_1";
    e.body_digest = std::string(64, 'a');
    e.body = R"({"id":"ev_)" + id + R"("})";
    e.received_at = received_at;
    return e;
}

// Parses a JSON text, so comparisons ignore PostgreSQL's JSONB re-formatting.
boost::json::value js(const std::string& text) { return boost::json::parse(text); }

} // namespace

BOOST_AUTO_TEST_CASE(claim_delivery_is_true_once_per_key)
{
    fresh_database db;
    auto store = db.open();
    {
        auto tx = store->begin();
        BOOST_TEST(tx.claim_delivery("mca_cb", "ev_1"));
        BOOST_TEST(!tx.claim_delivery("mca_cb", "ev_1"));
        BOOST_TEST(tx.claim_delivery("mca_cb", "ev_2"));
        BOOST_TEST(tx.claim_delivery("mca_other", "ev_1"));
        tx.commit();
    }
    auto tx = store->begin();
    BOOST_TEST(!tx.claim_delivery("mca_cb", "ev_1"));
    BOOST_TEST(db.count("webhook_delivery") == 3);
}

BOOST_AUTO_TEST_CASE(eight_threads_claiming_one_delivery_get_one_true)
{
    fresh_database db;
    auto store = db.open(8);
    std::atomic<int> winners{0}, failures{0};
    std::barrier start(8);
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&] {
            start.arrive_and_wait();
            try {
                auto tx = store->begin();
                const bool won = tx.claim_delivery("mca_cb", "ev_race");
                std::this_thread::sleep_for(std::chrono::milliseconds(20)); // hold the claim a while
                tx.commit();
                if (won) ++winners;
            } catch (const std::exception&) {
                ++failures;
            }
        });
    for (auto& t : threads) t.join();
    BOOST_TEST(failures.load() == 0);
    BOOST_TEST(winners.load() == 1);
    BOOST_TEST(db.count("webhook_delivery") == 1);
}

BOOST_AUTO_TEST_CASE(lock_or_create_intent_inserts_once_and_reads_back)
{
    fresh_database db;
    auto store = db.open();
    auto proposed = make_intent("pay_1", "inv_1");
    proposed.billing_address = recoup::address{};
    proposed.billing_address->city = "Berlin";
    proposed.billing_address->zip = "10115";
    {
        auto tx = store->begin();
        const auto created = tx.lock_or_create_intent(proposed);
        BOOST_TEST(created.id == "pay_1");
        BOOST_TEST(created.amount == 1095);
        BOOST_TEST(created.currency.str() == "USD");
        BOOST_TEST(created.billing_mca_id == "mca_cb");
        BOOST_TEST((created.status == recoup::intent_status::requires_payment_method));
        BOOST_TEST((created.billing_address == proposed.billing_address));
        BOOST_TEST(!created.last_event_at.has_value()); // NULL: no event time known
        tx.commit();
    }
    auto tx = store->begin();
    const auto again = tx.lock_or_create_intent(make_intent("pay_other", "inv_1"));
    BOOST_TEST(again.id == "pay_1"); // the existing one, not the proposal
    BOOST_TEST(db.count("payment_intent") == 1);

    auto updated = again;
    updated.status = recoup::intent_status::failed;
    updated.total_retry_count = 3;
    updated.feature_metadata = R"({"revenue_recovery":{"retry_count":3}})";
    updated.modified_at = 2000;
    updated.last_event_at = 1'740'900'000;
    tx.update_intent(updated);
    tx.commit();

    auto tx2 = store->begin();
    const auto read = tx2.find_intent("pay_1");
    BOOST_REQUIRE(read);
    BOOST_TEST((read->status == recoup::intent_status::failed));
    BOOST_TEST(read->total_retry_count == 3);
    BOOST_TEST(js(read->feature_metadata) == js(updated.feature_metadata));
    BOOST_TEST(read->modified_at == 2000);
    BOOST_TEST(read->created_at == 1000);
    BOOST_TEST(read->last_event_at.value_or(0) == 1'740'900'000);
    BOOST_TEST(!tx2.find_intent("pay_missing"));
    BOOST_CHECK_THROW(tx2.update_intent(make_intent("pay_missing", "inv_9")), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(two_threads_racing_on_one_invoice_converge_on_one_intent)
{
    fresh_database db;
    auto store = db.open(2);
    std::string ids[2];
    std::atomic<int> failures{0};
    std::barrier start(2);
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i)
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            try {
                auto tx = store->begin();
                ids[i] = tx.lock_or_create_intent(make_intent("pay_t" + std::to_string(i), "inv_race")).id;
                std::this_thread::sleep_for(std::chrono::milliseconds(30));
                tx.commit();
            } catch (const std::exception&) {
                ++failures;
            }
        });
    for (auto& t : threads) t.join();
    BOOST_TEST(failures.load() == 0);
    BOOST_TEST(ids[0] == ids[1]);
    BOOST_TEST(db.count("payment_intent") == 1);
}

BOOST_AUTO_TEST_CASE(attempts_insert_find_update)
{
    fresh_database db;
    auto store = db.open();
    auto tx = store->begin();
    tx.lock_or_create_intent(make_intent("pay_1", "inv_1"));
    BOOST_TEST(!tx.find_attempt("pay_1", "txn_1"));

    auto attempt = make_attempt("att_1", "pay_1", "txn_1");
    attempt.details = R"({"processor_payment_method_token":"tok_1"})";
    tx.insert_attempt(attempt);
    auto found = tx.find_attempt("pay_1", "txn_1");
    BOOST_REQUIRE(found);
    BOOST_TEST(found->id == "att_1");
    BOOST_TEST((found->status == recoup::attempt_status::failure));
    BOOST_TEST(found->error_code.value_or("") == "card_declined");
    BOOST_TEST(!found->error_message);
    BOOST_TEST(!found->charge_id);
    BOOST_TEST((found->triggered_by == recoup::triggered_by::external));
    BOOST_TEST(js(found->feature_metadata) == js(attempt.feature_metadata));
    BOOST_TEST(js(found->details) == js(attempt.details));

    found->status = recoup::attempt_status::charged;
    found->charge_id = "ch_1";
    found->error_code.reset();
    found->modified_at = 3000;
    tx.update_attempt(*found);
    tx.commit();

    auto tx2 = store->begin();
    const auto read = tx2.find_attempt("pay_1", "txn_1");
    BOOST_REQUIRE(read);
    BOOST_TEST((read->status == recoup::attempt_status::charged));
    BOOST_TEST(read->charge_id.value_or("") == "ch_1");
    BOOST_TEST(!read->error_code);
    BOOST_TEST(read->modified_at == 3000);
    BOOST_TEST(tx2.attempts_of("pay_1").size() == 1u);
    BOOST_TEST(!tx2.find_attempt("pay_other", "txn_1"));
}

// An intent the transaction has just inserted has no attempt and no task yet: the store answers
// that without a statement (soci_store::transaction::created_intent_), and reads again once the
// transaction adds one, or for an intent it found rather than created.
BOOST_AUTO_TEST_CASE(a_created_intent_s_attempts_and_tasks_are_what_the_transaction_added)
{
    fresh_database db;
    auto store = db.open();
    const auto task = make_task("pay_1", 5000);
    {
        auto tx = store->begin();
        tx.lock_or_create_intent(make_intent("pay_1", "inv_1"));
        BOOST_TEST(!tx.find_attempt("pay_1", "txn_1"));
        BOOST_TEST(!tx.find_task(task.id));
        tx.finish_tasks("pay_1", "PAID", 1500); // none yet
        tx.insert_attempt(make_attempt("att_1", "pay_1", "txn_1"));
        tx.upsert_task(task);
        BOOST_TEST(tx.find_attempt("pay_1", "txn_1").value().id == "att_1");
        BOOST_TEST(tx.find_task(task.id).value().is_open());
        BOOST_TEST(!tx.find_attempt("pay_1", "txn_2"));
        tx.commit();
    }
    {
        auto tx = store->begin();
        tx.lock_or_create_intent(make_intent("pay_3", "inv_3"));
        tx.upsert_task(make_task("pay_3", 6000));
        tx.finish_tasks("pay_3", "PAID", 1600); // the task this transaction added is finished
        BOOST_TEST(!tx.find_task(make_task("pay_3", 0).id).value().is_open());
        tx.commit();
    }
    auto tx = store->begin();
    tx.lock_or_create_intent(make_intent("pay_1", "inv_1")); // found: read as stored
    BOOST_TEST(tx.find_attempt("pay_1", "txn_1").value().id == "att_1");
    BOOST_TEST(tx.find_task(task.id).has_value());
    tx.lock_or_create_intent(make_intent("pay_2", "inv_2")); // another one created: pay_1's rows still read
    BOOST_TEST(tx.find_attempt("pay_1", "txn_1").has_value());
    BOOST_TEST(tx.find_task(task.id).has_value());
    BOOST_TEST(!tx.find_attempt("pay_2", "txn_1"));
    BOOST_TEST(!tx.find_task(make_task("pay_2", 0).id));
    tx.commit();
}

BOOST_AUTO_TEST_CASE(a_duplicate_attempt_is_a_database_error)
{
    fresh_database db;
    auto store = db.open();
    {
        auto tx = store->begin();
        tx.lock_or_create_intent(make_intent("pay_1", "inv_1"));
        tx.insert_attempt(make_attempt("att_1", "pay_1", "txn_1"));
        tx.commit();
    }
    {
        auto tx = store->begin();
        BOOST_CHECK_THROW(tx.insert_attempt(make_attempt("att_2", "pay_1", "txn_1")), std::runtime_error);
    }
    {
        auto tx = store->begin(); // an attempt of an intent that does not exist: the foreign key
        BOOST_CHECK_THROW(tx.insert_attempt(make_attempt("att_3", "pay_missing", "txn_3")), std::runtime_error);
    }
    auto tx = store->begin(); // the store works on after errors
    BOOST_TEST(tx.claim_delivery("mca_cb", "ev_after_error"));
    tx.commit();
    BOOST_TEST(db.count("payment_attempt") == 1);
}

BOOST_AUTO_TEST_CASE(tasks_upsert_find_finish_and_due)
{
    fresh_database db;
    auto store = db.open();
    auto tx = store->begin();
    const auto task = make_task("pay_1", 5000);
    BOOST_TEST(!tx.find_task(task.id));
    tx.upsert_task(task);
    auto found = tx.find_task(task.id);
    BOOST_REQUIRE(found);
    BOOST_TEST(found->status == std::string(recoup::task_status_new));
    BOOST_TEST(found->schedule_time == 5000);
    BOOST_TEST(found->retry_count == 0);
    BOOST_TEST(found->payment_id == "pay_1");
    BOOST_TEST(js(found->tracking_data) == js(task.tracking_data));

    auto rearmed = *found;
    rearmed.retry_count = 2;
    rearmed.schedule_time = 9000;
    rearmed.updated_at = 1500;
    tx.upsert_task(rearmed);
    tx.upsert_task(make_task("pay_2", 4000));
    BOOST_TEST(db.count("process_tracker") == 0); // not committed yet (another connection)
    tx.commit();
    BOOST_TEST(db.count("process_tracker") == 2);

    auto tx2 = store->begin();
    found = tx2.find_task(task.id);
    BOOST_TEST(found->retry_count == 2);
    BOOST_TEST(found->schedule_time == 9000);
    BOOST_TEST(found->created_at == 1002); // an upsert keeps the creation time
    BOOST_TEST(found->updated_at == 1500);

    const auto due = tx2.due_tasks(8000, 10);
    BOOST_REQUIRE(due.size() == 1u);
    BOOST_TEST(due[0].payment_id == "pay_2");
    BOOST_TEST(tx2.due_tasks(10000, 10).size() == 2u);
    BOOST_TEST(tx2.due_tasks(10000, 1).size() == 1u);

    tx2.finish_tasks("pay_1", "RETRIES_EXHAUSTED", 7777);
    found = tx2.find_task(task.id);
    BOOST_TEST(found->status == std::string(recoup::task_status_finish));
    BOOST_TEST(found->business_status == "RETRIES_EXHAUSTED");
    BOOST_TEST(found->updated_at == 7777);
    BOOST_TEST(!found->is_open());
    BOOST_TEST(tx2.find_task(make_task("pay_2", 0).id)->is_open()); // another payment's task
    BOOST_TEST(tx2.due_tasks(10000, 10).size() == 1u);               // finished tasks are never due
    tx2.commit();
}

BOOST_AUTO_TEST_CASE(next_task_time_is_the_earliest_open_task)
{
    fresh_database db;
    auto store = db.open();
    BOOST_TEST(!store->next_task_time()); // no task at all
    {
        auto tx = store->begin();
        tx.upsert_task(make_task("pay_1", 9000));
        tx.upsert_task(make_task("pay_2", 4000));
        tx.commit();
    }
    BOOST_TEST(store->next_task_time().value_or(-1) == 4000);
    {
        auto tx = store->begin();
        tx.finish_tasks("pay_2", "EXECUTE_WORKFLOW_COMPLETE", 4100); // finished: never next
        tx.commit();
    }
    BOOST_TEST(store->next_task_time().value_or(-1) == 9000);
    {
        auto tx = store->begin();
        tx.finish_tasks("pay_1", "RETRIES_EXHAUSTED", 9100);
        tx.commit();
    }
    BOOST_TEST(!store->next_task_time());
}

BOOST_AUTO_TEST_CASE(events_append_list_find)
{
    fresh_database db;
    auto store = db.open();
    {
        auto tx = store->begin();
        tx.append_event(make_event("evt_1", 100));
        auto other = make_event("evt_2", 200);
        other.merchant_connector_id = "mca_other";
        other.connector_event_id.reset();
        other.body.reset();
        other.payment_id.reset();
        tx.append_event(other);
        tx.append_event(make_event("evt_3", 300));
        tx.commit();
    }
    const auto all = store->list_events(std::nullopt, 10);
    BOOST_REQUIRE(all.size() == 3u);
    BOOST_TEST(all[0].id == "evt_3"); // newest first
    BOOST_TEST(all[2].id == "evt_1");
    BOOST_TEST(store->list_events(std::string("mca_cb"), 10).size() == 2u);
    BOOST_TEST(store->list_events(std::nullopt, 1).size() == 1u);

    const auto e = store->find_event("evt_1");
    BOOST_REQUIRE(e);
    BOOST_TEST(e->body.value_or("") == R"({"id":"ev_evt_1"})");
    BOOST_TEST(e->connector_event_id.value_or("") == "ev_evt_1");
    BOOST_TEST(e->action == "ScheduleFailedPayment");
    BOOST_TEST(e->http_status == 200);
    BOOST_TEST(e->received_at == 100);
    const auto bare = store->find_event("evt_2");
    BOOST_REQUIRE(bare);
    BOOST_TEST(!bare->body);
    BOOST_TEST(!bare->connector_event_id);
    BOOST_TEST(!store->find_event("evt_missing"));
}

BOOST_AUTO_TEST_CASE(a_transaction_destroyed_without_commit_writes_nothing)
{
    fresh_database db;
    auto store = db.open(1); // one connection: the rollback must also hand it back
    {
        auto tx = store->begin();
        BOOST_TEST(tx.claim_delivery("mca_cb", "ev_1"));
        tx.lock_or_create_intent(make_intent("pay_1", "inv_1"));
        tx.insert_attempt(make_attempt("att_1", "pay_1", "txn_1"));
        tx.upsert_task(make_task("pay_1", 10));
        tx.append_event(make_event("evt_1", 10));
    }
    {
        auto moved_from = store->begin();
        auto tx = std::move(moved_from); // a moved-from transaction does nothing on destruction
        BOOST_TEST(tx.claim_delivery("mca_cb", "ev_1"));
        BOOST_TEST(!tx.find_intent("pay_1"));
        BOOST_TEST(!tx.find_task(make_task("pay_1", 0).id));
    }
    for (const char* table : {"webhook_delivery", "payment_intent", "payment_attempt", "process_tracker",
                              "webhook_event"})
        BOOST_TEST(db.count(table) == 0, table);
}

BOOST_AUTO_TEST_CASE(savepoints_undo_part_of_a_transaction)
{
    fresh_database db;
    auto store = db.open();
    auto tx = store->begin();
    tx.claim_delivery("mca_cb", "ev_kept");
    tx.savepoint("webhook_2");
    tx.claim_delivery("mca_cb", "ev_undone");
    tx.rollback_to_savepoint("webhook_2");
    tx.release_savepoint("webhook_2");
    tx.commit();
    BOOST_TEST(db.count("webhook_delivery") == 1);
    BOOST_CHECK_THROW(store->begin().savepoint("bad name; DROP"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(profiles_and_mcas_with_secrets_encrypted_at_rest)
{
    fresh_database db;
    auto store = db.open();
    store->add_profile({"prof_1", "cascading", std::nullopt, 0});
    store->add_profile({"prof_2", "monitoring", R"({"start_after":60})", 0});
    BOOST_CHECK_THROW(store->add_profile({"prof_1", "cascading", std::nullopt, 0}), std::invalid_argument);
    BOOST_CHECK_THROW(store->add_profile({"bad id", "cascading", std::nullopt, 0}), std::invalid_argument);
    BOOST_CHECK_THROW(store->add_profile({"prof_3", "sometimes", std::nullopt, 0}), std::invalid_argument);
    BOOST_TEST(store->find_profile("prof_2")->retry_algorithm == "monitoring");
    BOOST_TEST(js(*store->find_profile("prof_2")->retry_schedule) == js(R"({"start_after":60})"));
    BOOST_TEST(!store->find_profile("prof_9"));

    recoupd::mca_record m;
    m.id = "mca_cb";
    m.profile_id = "prof_1";
    m.connector = "chargebee";
    m.secrets = {"user:plain-secret-one", "user:plain-secret-two"};
    m.api_key = "plain-api-key";
    m.base_url = "https://acme.chargebee.com/api";
    m.settings = R"({"retry_threshold":2,"billing_account_reference":{"gw_1":"mca_pay"}})";
    store->add_mca(m);
    BOOST_CHECK_THROW(store->add_mca(m), std::invalid_argument); // exists
    auto orphan = m;
    orphan.id = "mca_orphan";
    orphan.profile_id = "prof_missing";
    BOOST_CHECK_THROW(store->add_mca(orphan), std::invalid_argument);

    // The columns hold sealed values, never the plaintext.
    std::string secrets, api_key;
    db.raw() << "SELECT secrets, api_key FROM merchant_connector_account WHERE id = 'mca_cb'", soci::into(secrets),
        soci::into(api_key);
    BOOST_TEST(secrets.rfind("v1:", 0) == 0u);
    BOOST_TEST(api_key.rfind("v1:", 0) == 0u);
    for (const auto* plain : {"plain-secret-one", "plain-secret-two", "plain-api-key"}) {
        BOOST_TEST(secrets.find(plain) == std::string::npos);
        BOOST_TEST(api_key.find(plain) == std::string::npos);
    }

    const auto found = store->find_mca("prof_1", "mca_cb");
    BOOST_REQUIRE(found);
    BOOST_TEST(found->secrets == m.secrets);
    BOOST_TEST(found->api_key.value_or("") == "plain-api-key");
    BOOST_TEST(found->base_url.value_or("") == *m.base_url);
    BOOST_TEST(found->connector == "chargebee");
    BOOST_TEST(js(found->settings) == js(m.settings));
    BOOST_TEST(!store->find_mca("prof_2", "mca_cb")); // the MCA is not in that profile
    BOOST_TEST(!store->find_mca("prof_1", "mca_missing"));

    const auto listed = store->list_mcas();
    BOOST_REQUIRE(listed.size() == 1u);
    BOOST_TEST(listed[0].secret_count == 2);
    BOOST_TEST(listed[0].has_api_key);
    BOOST_TEST(store->list_mcas(std::string("prof_2")).empty());

    // A sealed value copied to another row does not open there (it is bound to its row).
    auto second = m;
    second.id = "mca_two";
    second.api_key.reset();
    store->add_mca(second);
    db.raw() << "UPDATE merchant_connector_account SET secrets = :s WHERE id = 'mca_two'", soci::use(secrets);
    BOOST_CHECK_THROW(store->find_mca("prof_1", "mca_two"), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(rotating_a_secret_keeps_the_old_one_for_the_window)
{
    fresh_database db;
    auto store = db.open();
    store->add_profile({"prof_1", "cascading", std::nullopt, 0});
    recoupd::mca_record m;
    m.id = "mca_r";
    m.profile_id = "prof_1";
    m.connector = "recurly";
    m.secrets = {"old"};
    store->add_mca(m);

    store->rotate_mca_secret("prof_1", "mca_r", "new", true, 1000, 100);
    BOOST_TEST((store->find_mca("prof_1", "mca_r", 1050)->secrets == std::vector<std::string>{"new", "old"}));
    BOOST_TEST((store->find_mca("prof_1", "mca_r", 1100)->secrets == std::vector<std::string>{"new"}));
    BOOST_TEST(store->list_mcas()[0].secret_count == 2);

    store->rotate_mca_secret("prof_1", "mca_r", "newer", false, 1060);
    BOOST_TEST((store->find_mca("prof_1", "mca_r", 1061)->secrets == std::vector<std::string>{"newer"}));
    BOOST_TEST(store->list_mcas()[0].secret_count == 1);
    BOOST_CHECK_THROW(store->rotate_mca_secret("prof_1", "mca_missing", "x", false, 1), std::invalid_argument);
    BOOST_CHECK_THROW(store->rotate_mca_secret("prof_2", "mca_r", "x", false, 1), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(master_key_from_the_environment_or_a_key_file)
{
    fresh_database db;
    if (store_test::use_postgres()) {
        ::unsetenv("RECOUP_MASTER_KEY");
        auto store = db.open(1);
        try {
            store->require_master_key();
            BOOST_FAIL("PostgreSQL without RECOUP_MASTER_KEY must fail");
        } catch (const std::runtime_error& e) {
            BOOST_TEST(std::string(e.what()).find("RECOUP_MASTER_KEY is not set") != std::string::npos);
        }
        ::setenv("RECOUP_MASTER_KEY", store_test::test_master_key, 1);
        return;
    }
    // SQLite without RECOUP_MASTER_KEY: a key file beside the database, mode 0600, reused.
    const auto key_path = recoupd::key_file_path(db.url());
    BOOST_TEST(!std::filesystem::exists(key_path));
    {
        auto store = db.open(1);
        store->add_profile({"prof_1", "cascading", std::nullopt, 0});
        recoupd::mca_record m;
        m.id = "mca_k";
        m.profile_id = "prof_1";
        m.connector = "stripe_billing";
        m.secrets = {"whsec_abc"};
        store->add_mca(m);
    }
    struct stat st {};
    BOOST_REQUIRE(::stat(key_path.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    BOOST_TEST(db.open(1)->find_mca("prof_1", "mca_k")->secrets.front() == "whsec_abc"); // same key again

    ::setenv("RECOUP_MASTER_KEY", store_test::test_master_key, 1); // another key: the secrets do not open
    BOOST_CHECK_THROW(db.open(1)->find_mca("prof_1", "mca_k"), std::runtime_error);
    ::unsetenv("RECOUP_MASTER_KEY");
}

BOOST_AUTO_TEST_CASE(secret_box_seals_and_detects_tampering)
{
    const auto box = recoupd::secret_box::from_text(store_test::test_master_key);
    const auto sealed = box.seal("whsec_123", "row:a");
    BOOST_TEST(sealed.rfind("v1:", 0) == 0u);
    BOOST_TEST(sealed != box.seal("whsec_123", "row:a")); // a fresh nonce every time
    BOOST_TEST(box.open(sealed, "row:a") == "whsec_123");
    BOOST_CHECK_THROW(box.open(sealed, "row:b"), std::runtime_error);
    auto tampered = sealed;
    tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
    BOOST_CHECK_THROW(box.open(tampered, "row:a"), std::runtime_error);
    BOOST_CHECK_THROW(box.open("v2:" + sealed.substr(3), "row:a"), std::runtime_error);
    BOOST_TEST(box.open(box.seal("", "x"), "x").empty());

    // base64 works as well as hex; anything else is refused without echoing it.
    const auto b64 = recoupd::secret_box::from_text("ABEiM0RVZneImaq7zN3u/wARIjNEVWZ3iJmqu8zd7v8=");
    BOOST_TEST(b64.open(sealed, "row:a") == "whsec_123");
    try {
        recoupd::secret_box::from_text("not-a-key-secret-value");
        BOOST_FAIL("a short key must be refused");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("not-a-key") == std::string::npos);
    }
}

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

// Every write of a profile or an MCA raises config_version in its own transaction (a refused one
// leaves it), and another store on the same database sees it; webhook writes do not touch it.
BOOST_AUTO_TEST_CASE(every_profile_and_mca_write_raises_the_config_version)
{
    fresh_database db;
    auto store = db.open();
    auto other = db.open(1); // as another process would
    const auto v0 = other->config_version();
    store->add_profile({"prof_1", "cascading", std::nullopt, 0});
    BOOST_TEST(other->config_version() == v0 + 1);
    BOOST_CHECK_THROW(store->add_profile({"prof_1", "cascading", std::nullopt, 0}), std::invalid_argument);
    BOOST_TEST(other->config_version() == v0 + 1);

    recoupd::mca_record m;
    m.id = "mca_v";
    m.profile_id = "prof_1";
    m.connector = "recurly";
    m.secrets = {"old"};
    store->add_mca(m);
    BOOST_TEST(other->config_version() == v0 + 2);
    BOOST_CHECK_THROW(store->add_mca(m), std::invalid_argument);
    BOOST_TEST(other->config_version() == v0 + 2);

    store->rotate_mca_secret("prof_1", "mca_v", "new", true, 1000, 100);
    BOOST_TEST(other->config_version() == v0 + 3);
    BOOST_CHECK_THROW(store->rotate_mca_secret("prof_1", "mca_none", "x", false, 1000), std::invalid_argument);
    BOOST_TEST(other->config_version() == v0 + 3);
    // The old secret's window is what a cached copy of the MCA must not outlive.
    BOOST_TEST(store->find_mca("prof_1", "mca_v", 1050)->secrets_expire_at.value_or(0) == 1100);
    BOOST_TEST(!store->find_mca("prof_1", "mca_v", 1100)->secrets_expire_at);

    {
        auto tx = store->begin();
        BOOST_TEST(tx.claim_delivery("mca_v", "ev_1"));
        tx.commit();
    }
    BOOST_TEST(store->config_version() == v0 + 3);
}

int main(int argc, char** argv) { return store_test::run_suite(argc, argv, &init_unit_test); }
