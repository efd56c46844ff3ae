// Test that the header is self-contained: it comes first.
#include <recoup/merchant_event.hpp>

#include <recoup/flow.hpp>
#include <recoup/memory_store.hpp>
#include <recoup/workflow.hpp>

#define BOOST_TEST_MODULE merchant_event
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace recoup;

namespace {

const std::int64_t now = 1'700'000'000;

// A webhook as a connector would normalize it: "fail", "success" or "cancel" of invoice inv_1.
normalized_webhook webhook(const std::string& id, const std::string& kind, const std::string& txn = "t1")
{
    normalized_webhook w;
    w.event_id = id;
    w.object_reference_id = "inv_1";
    recovery_invoice invoice;
    invoice.merchant_reference_id = merchant_reference_id::make("inv_1").value();
    invoice.amount = 1250;
    invoice.currency = *find_currency("EUR");
    w.invoice = invoice;
    if (kind == "cancel") {
        w.event_type = incoming_webhook_event::recovery_invoice_cancel;
        return w;
    }
    recovery_attempt a;
    a.amount = 1250;
    a.currency = invoice.currency;
    a.merchant_reference_id = invoice.merchant_reference_id;
    a.connector_transaction_id = txn;
    a.status = kind == "success" ? attempt_status::charged : attempt_status::failure;
    if (kind == "fail") a.error_code = "card_declined";
    w.attempt = a;
    w.event_type = kind == "success" ? incoming_webhook_event::recovery_payment_success
                                     : incoming_webhook_event::recovery_payment_failure;
    return w;
}

struct fixture {
    memory_store store;
    recovery_account account;
    fixture()
    {
        account.profile_id = "pro_1";
        account.mca_id = "mca_1";
    }
    recovery_result apply(const normalized_webhook& w, bool commit = true)
    {
        auto tx = store.begin();
        auto out = apply_webhook(tx, w, account, "{}", now);
        if (commit) tx.commit();
        return out;
    }
    std::vector<merchant_event> events() const { return store.snapshot().merchant_events; }
    std::vector<std::string> types() const
    {
        std::vector<std::string> out;
        for (const auto& e : events()) out.emplace_back(to_string(e.type));
        return out;
    }
};

using strings = std::vector<std::string>;

} // namespace

BOOST_AUTO_TEST_CASE(the_six_types_are_named_as_the_issue_names_them)
{
    BOOST_TEST(names_are_dense<merchant_event_type>(6));
    BOOST_TEST(to_string(merchant_event_type::started) == "recovery.started");
    BOOST_TEST(to_string(merchant_event_type::retry_scheduled) == "recovery.retry_scheduled");
    BOOST_TEST(to_string(merchant_event_type::attempt_failed) == "recovery.attempt_failed");
    BOOST_TEST(to_string(merchant_event_type::succeeded) == "recovery.succeeded");
    BOOST_TEST(to_string(merchant_event_type::retries_exhausted) == "recovery.retries_exhausted");
    BOOST_TEST(to_string(merchant_event_type::cancelled) == "recovery.cancelled");
}

BOOST_AUTO_TEST_CASE(the_body_is_type_timestamp_and_data)
{
    merchant_event e;
    e.type = merchant_event_type::retry_scheduled;
    e.profile_id = "pro_1";
    e.payment_id = "pay_1";
    e.invoice = "inv_1";
    e.amount = 1250;
    e.currency = *find_currency("EUR");
    e.attempt = merchant_event_attempt{"att_1", 2, triggered_by::internal, "card_declined", std::nullopt};
    e.decline_class = "soft";
    e.next_retry_at = now + 60;
    e.occurred_at = now;
    BOOST_TEST(merchant_event_body(e) ==
               R"({"type":"recovery.retry_scheduled","timestamp":"2023-11-14T22:13:20Z","data":{"payment_id":"pay_1",)"
               R"("invoice":"inv_1","profile_id":"pro_1","amount":1250,"currency":"EUR","attempt":{"id":"att_1",)"
               R"("number":2,"triggered_by":"internal","error_code":"card_declined","error_message":null},)"
               R"("decline_class":"soft","next_retry_at":"2023-11-14T22:14:20Z","reason":null}})");
    e.attempt.reset();
    e.decline_class.reset();
    e.next_retry_at.reset();
    const auto body = boost::json::parse(merchant_event_body(e)).as_object();
    BOOST_TEST(body.at("data").as_object().at("attempt").is_null());
    BOOST_TEST(body.at("data").as_object().at("decline_class").is_null());
}

BOOST_AUTO_TEST_CASE(iso8601_formatting_round_trips)
{
    for (const std::int64_t t : {0LL, 951782400LL, 1709164800LL, 1738318903LL, -1LL, 4102444799LL})
        BOOST_TEST(parse_iso8601(format_iso8601(t)).value() == t);
    BOOST_TEST(format_iso8601(0) == "1970-01-01T00:00:00Z");
    BOOST_TEST(format_iso8601(1709164800) == "2024-02-29T00:00:00Z");
}

BOOST_FIXTURE_TEST_CASE(a_first_failure_starts_and_schedules, fixture)
{
    const auto out = apply(webhook("ev_1", "fail"));
    BOOST_TEST_REQUIRE((out.outcome == webhook_outcome::task_armed));
    BOOST_TEST(types() == (strings{"recovery.started", "recovery.retry_scheduled"}), boost::test_tools::per_element());
    const auto e = events();
    BOOST_TEST(e[0].payment_id == *out.payment_id);
    BOOST_TEST(e[0].invoice == "inv_1");
    BOOST_TEST(e[0].profile_id == "pro_1");
    BOOST_TEST(e[0].amount == 1250);
    BOOST_TEST(e[0].currency.str() == "EUR");
    BOOST_TEST(e[0].occurred_at == now);
    BOOST_TEST_REQUIRE(e[0].attempt.has_value());
    BOOST_TEST((e[0].attempt->triggered_by == triggered_by::external));
    BOOST_TEST(e[0].attempt->error_code.value() == "card_declined");
    BOOST_TEST(store.snapshot().attempts.count(e[0].attempt->id) == 1u);
    BOOST_TEST(!e[0].next_retry_at);
    // The first retry as the armed task has it.
    const auto task = store.snapshot().tasks.at(task_id(task_kind::execute, *out.payment_id));
    BOOST_TEST(e[1].next_retry_at.value() == task.schedule_time);
}

BOOST_FIXTURE_TEST_CASE(a_duplicate_or_an_already_armed_task_emits_nothing, fixture)
{
    apply(webhook("ev_1", "fail"));
    BOOST_TEST(apply(webhook("ev_1", "fail")).duplicate);
    BOOST_TEST(events().size() == 2u);
    BOOST_TEST((apply(webhook("ev_2", "fail", "t2")).outcome == webhook_outcome::task_already_armed));
    BOOST_TEST(events().size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(a_rolled_back_transaction_emits_nothing, fixture)
{
    apply(webhook("ev_1", "fail"), false);
    BOOST_TEST(events().empty());
}

BOOST_FIXTURE_TEST_CASE(paid_at_the_platform_succeeds, fixture)
{
    apply(webhook("ev_1", "fail"));
    apply(webhook("ev_2", "success", "t2"));
    BOOST_TEST(types() == (strings{"recovery.started", "recovery.retry_scheduled", "recovery.succeeded"}),
               boost::test_tools::per_element());
    const auto e = events().back();
    BOOST_TEST_REQUIRE(e.attempt.has_value());
    BOOST_TEST(e.attempt->error_code.has_value() == false);
    // Told again (another event id): the intent stays succeeded, nothing more is said.
    apply(webhook("ev_3", "success", "t2"));
    BOOST_TEST(events().size() == 3u);
}

BOOST_FIXTURE_TEST_CASE(a_voided_invoice_cancels, fixture)
{
    apply(webhook("ev_1", "fail"));
    apply(webhook("ev_c", "cancel"));
    BOOST_TEST(types() == (strings{"recovery.started", "recovery.retry_scheduled", "recovery.cancelled"}),
               boost::test_tools::per_element());
    BOOST_TEST(!events().back().attempt);
}

BOOST_FIXTURE_TEST_CASE(monitoring_only_says_nothing, fixture)
{
    account.algorithm = retry_algorithm::monitoring;
    apply(webhook("ev_1", "fail"));
    BOOST_TEST(events().empty());
}

// ---- the workflow's changes ---------------------------------------------------------------------

namespace {

struct workflow_fixture : fixture {
    std::string pid;
    task_record exec;
    const internal_charge used{"mca_p", "simulator", "tok_1"};

    workflow_fixture()
    {
        pid = *apply(webhook("ev_1", "fail")).payment_id;
        exec = store.snapshot().tasks.at(task_id(task_kind::execute, pid));
        claim();
    }
    void claim()
    {
        auto tx = store.begin();
        auto t = *tx.find_task(exec.id);
        t.status = task_status_started;
        t.schedule_time = now + 300;
        tx.upsert_task(t);
        tx.commit();
        exec = t;
    }
    task_result charge(const charge_result& c, std::int32_t max_retries = 15)
    {
        {
            auto tx = store.begin();
            BOOST_TEST(!start_internal_attempt(tx, exec, used, now));
            tx.commit();
        }
        const charge_report report{exec, internal_attempt_id(pid, exec.retry_count), c,
                                   decide_after_charge(exec.retry_count, c, retry_schedule{}, max_retries, now), 0,
                                   std::nullopt};
        auto tx = store.begin();
        const auto out = apply_decision(tx, report, now);
        tx.commit();
        return out;
    }
    std::vector<merchant_event> since_start() const
    {
        auto e = events();
        return {e.begin() + 2, e.end()};
    }
};

const charge_result soft{charge_status::failed, decline_kind::soft, "insufficient_funds", "no funds", "tx"};
const charge_result hard{charge_status::failed, decline_kind::hard, "stolen_card", "stolen", "tx"};
const charge_result ok{charge_status::succeeded, std::nullopt, std::nullopt, std::nullopt, "tx"};
const charge_result pending{charge_status::pending, std::nullopt, std::nullopt, std::nullopt, "tx"};

} // namespace

BOOST_FIXTURE_TEST_CASE(a_failed_retry_fails_then_schedules_the_next, workflow_fixture)
{
    BOOST_TEST((charge(soft) == task_result::rearmed));
    const auto e = since_start();
    BOOST_TEST_REQUIRE(e.size() == 2u);
    BOOST_TEST((e[0].type == merchant_event_type::attempt_failed));
    BOOST_TEST_REQUIRE(e[0].attempt.has_value());
    BOOST_TEST(e[0].attempt->id == internal_attempt_id(pid, 0));
    BOOST_TEST(e[0].attempt->number.value() == 1);
    BOOST_TEST((e[0].attempt->triggered_by == triggered_by::internal));
    BOOST_TEST(e[0].attempt->error_code.value() == "insufficient_funds");
    BOOST_TEST((e[1].type == merchant_event_type::retry_scheduled));
    BOOST_TEST(e[1].next_retry_at.value() == store.snapshot().tasks.at(exec.id).schedule_time);
}

BOOST_FIXTURE_TEST_CASE(a_successful_retry_succeeds, workflow_fixture)
{
    BOOST_TEST((charge(ok) == task_result::succeeded));
    const auto e = since_start();
    BOOST_TEST_REQUIRE(e.size() == 1u);
    BOOST_TEST((e[0].type == merchant_event_type::succeeded));
    BOOST_TEST(e[0].attempt->number.value() == 1);
}

BOOST_FIXTURE_TEST_CASE(a_hard_decline_exhausts_with_its_reason, workflow_fixture)
{
    BOOST_TEST((charge(hard) == task_result::failed));
    const auto e = since_start();
    BOOST_TEST_REQUIRE(e.size() == 2u);
    BOOST_TEST((e[0].type == merchant_event_type::attempt_failed));
    BOOST_TEST((e[1].type == merchant_event_type::retries_exhausted));
    BOOST_TEST(e[1].reason.value() == "HARD_DECLINE");
}

BOOST_FIXTURE_TEST_CASE(the_last_retry_exhausts, workflow_fixture)
{
    BOOST_TEST((charge(soft, 1) == task_result::failed));
    const auto e = since_start();
    BOOST_TEST_REQUIRE(e.size() == 2u);
    BOOST_TEST(e[1].reason.value() == "RETRIES_EXHAUSTED");
}

BOOST_FIXTURE_TEST_CASE(a_pending_charge_says_nothing_yet, workflow_fixture)
{
    BOOST_TEST((charge(pending) == task_result::awaiting_psync));
    BOOST_TEST(since_start().empty());
}

BOOST_FIXTURE_TEST_CASE(a_processor_given_up_on_exhausts, workflow_fixture)
{
    const auto again = decide_after_fault(0, http_fault::transient, processor_fault_tries, now);
    {
        auto tx = store.begin();
        BOOST_TEST((apply_fault(tx, exec, again, now) == task_result::transport_error));
        tx.commit();
    }
    BOOST_TEST(since_start().empty()); // the same charge is tried again
    claim();
    const auto give_up = decide_after_fault(0, http_fault::auth, processor_fault_tries, now);
    {
        auto tx = store.begin();
        BOOST_TEST((apply_fault(tx, exec, give_up, now) == task_result::failed));
        tx.commit();
    }
    const auto e = since_start();
    BOOST_TEST_REQUIRE(e.size() == 1u);
    BOOST_TEST((e[0].type == merchant_event_type::retries_exhausted));
    BOOST_TEST(e[0].reason.value() == "PROCESSOR_AUTH_FAILED");
}

BOOST_FIXTURE_TEST_CASE(a_lost_claim_says_nothing, workflow_fixture)
{
    {
        auto tx = store.begin();
        BOOST_TEST(!start_internal_attempt(tx, exec, used, now));
        tx.commit();
    }
    apply(webhook("ev_c", "cancel")); // finishes the task while the charge runs
    const auto before = events().size();
    const charge_report report{exec, internal_attempt_id(pid, 0), ok,
                               decide_after_charge(0, ok, retry_schedule{}, 15, now), 0, std::nullopt};
    {
        auto tx = store.begin();
        BOOST_TEST((apply_decision(tx, report, now) == task_result::claim_lost));
        tx.commit();
    }
    BOOST_TEST(events().size() == before);
}

namespace {
struct with_class {
    std::optional<std::string> decline_class;
};
struct without_class {};
struct with_plain_class {
    std::string decline_class;
};
} // namespace

BOOST_AUTO_TEST_CASE(the_decline_class_comes_from_the_attempt_when_it_has_one)
{
    BOOST_TEST(decline_class_of(with_class{"soft_retryable"}).value() == "soft_retryable");
    BOOST_TEST(!decline_class_of(with_class{}));
    BOOST_TEST(!decline_class_of(without_class{}));
    BOOST_TEST(decline_class_of(with_plain_class{"hard"}).value() == "hard");
    BOOST_TEST(!decline_class_of(with_plain_class{}));
}
