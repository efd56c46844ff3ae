#include <recoup/task.hpp>

#define BOOST_TEST_MODULE task
#include <boost/test/unit_test.hpp>

using namespace recoup;

BOOST_AUTO_TEST_CASE(task_ids_keep_the_stored_spelling)
{
    BOOST_TEST(task_id(task_kind::execute, "pay_1") == "PASSIVE_RECOVERY_WORKFLOW_EXECUTE_WORKFLOW_pay_1");
    BOOST_TEST(task_id(task_kind::psync, "pay_1") == "PASSIVE_RECOVERY_WORKFLOW_PSYNC_WORKFLOW_pay_1");
    BOOST_TEST(task_id(task_kind::record_back, "pay_1") == "PASSIVE_RECOVERY_WORKFLOW_RECORD_BACK_WORKFLOW_pay_1");
    BOOST_TEST(to_string(task_kind::psync) == psync_workflow_task);
    BOOST_TEST((enum_from_string<task_kind>("RECORD_BACK_WORKFLOW") == task_kind::record_back));
    static_assert(names_are_dense<task_kind>(3));
    static_assert(names_are_dense<task_result>(11));
}

BOOST_AUTO_TEST_CASE(statuses_keep_the_stored_spelling)
{
    BOOST_TEST(task_status_new == "new");
    BOOST_TEST(task_status_started == "process_started");
    BOOST_TEST(task_status_finish == "finish");
    BOOST_TEST(far_future == 253402300799); // 9999-12-31T23:59:59Z
    BOOST_TEST(business_status::pending == "Pending");
    BOOST_TEST(business_status::external_payment == "COMPLETED_BY_EXTERNAL_PAYMENT");
    BOOST_TEST(business_status::record_back_not_supported == "RECORD_BACK_NOT_SUPPORTED");
    BOOST_TEST(to_string(task_result::awaiting_psync) == "awaiting_psync");
}

BOOST_AUTO_TEST_CASE(execute_tracking_round_trips)
{
    const execute_tracking t{"pay_1", "pro_1", "mca_b"};
    const auto text = tracking_text(t);
    BOOST_TEST(text == R"({"payment_id":"pay_1","profile_id":"pro_1","billing_mca_id":"mca_b"})");
    const auto back = tracking_of<execute_tracking>(text);
    BOOST_TEST(back.payment_id == "pay_1");
    BOOST_TEST(back.profile_id == "pro_1");
    BOOST_TEST(back.billing_mca_id == "mca_b");
}

BOOST_AUTO_TEST_CASE(psync_tracking_round_trips)
{
    const psync_tracking t{"pay_1", "att_1", "pi_1", 3};
    const auto text = tracking_text(t);
    BOOST_TEST(text == R"({"payment_id":"pay_1","attempt_id":"att_1","processor_transaction_id":"pi_1","poll_count":3})");
    const auto back = tracking_of<psync_tracking>(text);
    BOOST_TEST(back.payment_id == "pay_1");
    BOOST_TEST(back.attempt_id == "att_1");
    BOOST_TEST(back.processor_transaction_id == "pi_1");
    BOOST_TEST(back.poll_count == 3);
    BOOST_TEST(tracking_text(back) == text);
}

BOOST_AUTO_TEST_CASE(record_back_tracking_round_trips)
{
    record_back_tracking t{"pay_1", "pro_1", "mca_b", recovery_outcome::succeeded, "in_1", 1010,
                           *find_currency("EUR"), "att_1", 1700000000, std::string("pi_1")};
    const auto text = tracking_text(t);
    BOOST_TEST(text == R"({"payment_id":"pay_1","profile_id":"pro_1","billing_mca_id":"mca_b","outcome":"succeeded",)"
                       R"("invoice_id":"in_1","amount":1010,"currency":"EUR","attempt_id":"att_1",)"
                       R"("occurred_at":1700000000,"connector_transaction_id":"pi_1"})");
    const auto back = tracking_of<record_back_tracking>(text);
    BOOST_TEST((back.outcome == recovery_outcome::succeeded));
    BOOST_TEST(back.invoice_id == "in_1");
    BOOST_TEST(back.amount == 1010);
    BOOST_TEST(back.currency.str() == "EUR");
    BOOST_TEST(back.occurred_at == 1700000000);
    BOOST_TEST((back.connector_transaction_id == std::optional<std::string>("pi_1")));
    BOOST_TEST(tracking_text(back) == text);

    // Without a processor transaction the key is absent, not null.
    t.outcome = recovery_outcome::failed;
    t.connector_transaction_id.reset();
    const auto failed = tracking_text(t);
    BOOST_TEST(failed.find("connector_transaction_id") == std::string::npos);
    BOOST_TEST(failed.find(R"("outcome":"failed")") != std::string::npos);
    BOOST_TEST(!tracking_of<record_back_tracking>(failed).connector_transaction_id);
}

BOOST_AUTO_TEST_CASE(tracking_is_read_leniently)
{
    // Unparsable text or missing fields keep the defaults; any outcome but "succeeded" is a failure.
    const auto junk = tracking_of<psync_tracking>("not json");
    BOOST_TEST(junk.attempt_id.empty());
    BOOST_TEST(junk.poll_count == 0);
    const auto odd = tracking_of<record_back_tracking>(R"({"outcome":"maybe","amount":"12","currency":"XXX?"})");
    BOOST_TEST((odd.outcome == recovery_outcome::failed));
    BOOST_TEST(odd.amount == 0);
    BOOST_TEST(odd.occurred_at == 0);
}
