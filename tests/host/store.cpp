// The SOCI store against a real database: run with `sqlite` or `postgres` as first argument.
// This file: claims, intents, attempts, tasks, events and transactions; store_accounts.cpp:
// profiles, MCAs and their secrets; store_connection.cpp: URLs, connections, locks and prepared
// statements (one test executable, host_store_*).
// Boost.Test comes first: the shared fixture defines main() helpers with it.
#define BOOST_TEST_MODULE host_store
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>
#include "store/soci_store.hpp"

#include "store_fixture.hpp"
#include "store_records.hpp"

#include <boost/json.hpp>

#include <barrier>
#include <chrono>
#include <mutex>
#include <thread>

namespace {

using namespace store_test;

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

int main(int argc, char** argv) { return store_test::run_suite(argc, argv, &init_unit_test); }
