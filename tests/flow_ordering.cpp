// The flow's ordering rule (docs/behaviour.md §4.5): an event the platform dated before the
// intent's last applied one records its attempt and its log row but keeps the newer amount and
// status. Its own suite (tests/flow.cpp holds the rest of the flow) to keep each file small.
#include <recoup/flow.hpp>

#include <recoup/memory_store.hpp>

#define BOOST_TEST_MODULE flow_ordering
#include <boost/test/unit_test.hpp>

#include <string>

using namespace recoup;

namespace {

// {"id","type":"fail|success|pending|cancel","invoice","txn","amount","at","txn_at"}. With Dated, the
// connector has event_time() ("at"); without, normalize() falls back to the attempt's time ("txn_at").
template <bool Dated>
struct toy_connector {
    struct webhook {
        std::string id, type, invoice, txn;
        std::int64_t amount = 0;
        std::optional<std::int64_t> at, txn_at;
    };
    result<void> verify_source(const webhook_request&, const mca_config&, time_point) const { return {}; }
    result<webhook> parse(const webhook_request& r, const mca_config&, std::span<const sync_exchange>) const
    {
        const auto v = boost::json::parse(r.body);
        const auto& o = v.as_object();
        webhook w;
        w.id = std::string(o.at("id").as_string());
        w.type = std::string(o.at("type").as_string());
        w.invoice = std::string(o.at("invoice").as_string());
        if (const auto* t = o.if_contains("txn")) w.txn = std::string(t->as_string());
        w.amount = o.at("amount").as_int64();
        if (const auto* at = o.if_contains("at")) w.at = at->as_int64();
        if (const auto* at = o.if_contains("txn_at")) w.txn_at = at->as_int64();
        return w;
    }
    incoming_webhook_event event_type(const webhook& w) const
    {
        if (w.type == "fail") return incoming_webhook_event::recovery_payment_failure;
        if (w.type == "success") return incoming_webhook_event::recovery_payment_success;
        if (w.type == "pending") return incoming_webhook_event::recovery_payment_pending;
        return incoming_webhook_event::recovery_invoice_cancel;
    }
    std::optional<std::string> event_id(const webhook& w) const { return w.id; }
    std::optional<std::int64_t> event_time(const webhook& w) const requires Dated { return w.at; }
    result<std::string> object_reference_id(const webhook& w) const { return w.invoice; }
    result<recovery_invoice> invoice_details(const webhook& w) const
    {
        recovery_invoice i;
        i.merchant_reference_id = merchant_reference_id::make(w.invoice).value();
        i.amount = w.amount;
        i.currency = *find_currency("USD");
        return i;
    }
    result<recovery_attempt> attempt_details(const webhook& w) const
    {
        recovery_attempt a;
        a.amount = w.amount;
        a.currency = *find_currency("USD");
        a.merchant_reference_id = merchant_reference_id::make(w.invoice).value();
        a.connector_transaction_id = w.txn;
        a.transaction_created_at = w.txn_at;
        a.status = w.type == "success" ? attempt_status::charged
                 : w.type == "pending" ? attempt_status::pending
                                       : attempt_status::failure;
        return a;
    }
};
static_assert(has_event_time<toy_connector<true>>);
static_assert(!has_event_time<toy_connector<false>>);

struct no_sync {
    result<http_response> operator()(const outbound_request& r) const
    {
        return fail(error::sync_response_failed, r.path, "no sync expected");
    }
};

template <bool Dated>
struct basic_fixture {
    memory_store store;
    toy_connector<Dated> connector;
    recovery_account account;
    fixed_clock clock{from_unix_seconds(1'700'000'000)};

    basic_fixture()
    {
        account.profile_id = "pro_1";
        account.mca_id = "mca_1";
    }
    recovery_result deliver(const std::string& body)
    {
        owned_request req;
        req.body = body;
        auto r = recover(store, connector, req.view(), account, no_sync{}, clock);
        BOOST_TEST_REQUIRE(r.has_value(), (r ? std::string() : r.error().what()));
        clock.at += std::chrono::seconds(1); // arrival order is not event order
        return *r;
    }
    intent_record intent() const
    {
        const auto s = store.snapshot();
        return s.intents.at(s.by_reference.at({"pro_1", "inv_1"}));
    }
    std::optional<attempt_record> attempt(const std::string& txn) const
    {
        for (const auto& [id, a] : store.snapshot().attempts)
            if (a.connector_payment_id == txn) return a;
        return std::nullopt;
    }
    std::string last_outcome() const { return store.snapshot().events.back().outcome; }
};
using fixture = basic_fixture<true>;

// One event: type, event id, amount, event time (none: unknown), attempt id ("" for none).
std::string event(std::string type, std::string id, std::int64_t amount, std::optional<std::int64_t> at,
                  std::string txn)
{
    boost::json::object o{{"id", id}, {"type", type}, {"invoice", "inv_1"}, {"amount", amount}};
    if (!txn.empty()) o["txn"] = txn;
    if (at) o["at"] = *at;
    return boost::json::serialize(o);
}

} // namespace

BOOST_FIXTURE_TEST_CASE(newer_then_older_keeps_the_newer_amount_and_status, fixture)
{
    deliver(event("pending", "ev_new", 5000, 200, "t_new"));
    BOOST_TEST((intent().status == intent_status::processing));
    BOOST_TEST(intent().last_event_at.value_or(-1) == 200);

    const auto late = deliver(event("fail", "ev_old", 7000, 100, "t_old"));
    BOOST_TEST(late.http_status == 200); // answered as any delivery
    BOOST_TEST(late.stale);
    const auto i = intent();
    BOOST_TEST(i.amount == 5000);
    BOOST_TEST((i.status == intent_status::processing));
    BOOST_TEST(i.last_event_at.value_or(-1) == 200);
    // Everything else as for any delivery: the attempt, the failure count, the task, the log row.
    BOOST_TEST_REQUIRE(attempt("t_old").has_value());
    BOOST_TEST((attempt("t_old")->status == attempt_status::failure));
    BOOST_TEST(attempt("t_old")->amount == 7000);
    BOOST_TEST(i.total_retry_count == 1);
    BOOST_TEST(store.snapshot().tasks.size() == 1u);
    BOOST_TEST(store.snapshot().events.size() == 2u);
    BOOST_TEST(last_outcome() == "task armed (stale event: amount and status kept)");
}

BOOST_FIXTURE_TEST_CASE(an_older_failure_cannot_lower_a_newer_failure_amount, fixture)
{
    deliver(event("fail", "ev_new", 2500, 300, "t_new")); // partly paid since: 25.00 left
    deliver(event("fail", "ev_old", 9900, 100, "t_old"));
    BOOST_TEST(intent().amount == 2500);
    BOOST_TEST((intent().status == intent_status::failed));
    BOOST_TEST(intent().total_retry_count == 2);
    BOOST_TEST(last_outcome() == "task already armed (stale event: amount and status kept)");
}

BOOST_FIXTURE_TEST_CASE(older_then_newer_applies_the_newer, fixture)
{
    deliver(event("fail", "ev_old", 7000, 100, "t_old"));
    BOOST_TEST(intent().amount == 7000);
    const auto newer = deliver(event("pending", "ev_new", 5000, 200, "t_new"));
    BOOST_TEST(!newer.stale);
    const auto i = intent();
    BOOST_TEST(i.amount == 5000);
    BOOST_TEST((i.status == intent_status::processing));
    BOOST_TEST(i.last_event_at.value_or(-1) == 200);
    BOOST_TEST(last_outcome() == "intent processing");
}

BOOST_FIXTURE_TEST_CASE(equal_times_apply_in_arrival_order, fixture)
{
    deliver(event("fail", "ev_a", 7000, 150, "t_a"));
    const auto second = deliver(event("pending", "ev_b", 5000, 150, "t_b"));
    BOOST_TEST(!second.stale);
    BOOST_TEST(intent().amount == 5000);
    BOOST_TEST((intent().status == intent_status::processing));
    BOOST_TEST(intent().last_event_at.value_or(-1) == 150);
}

BOOST_FIXTURE_TEST_CASE(unknown_times_apply_as_before_and_keep_the_known_time, fixture)
{
    // No time on the intent yet: applied, and the first known time is kept.
    deliver(event("fail", "ev_1", 7000, std::nullopt, "t_1"));
    BOOST_TEST(!intent().last_event_at.has_value());
    deliver(event("fail", "ev_2", 6000, 200, "t_2"));
    BOOST_TEST(intent().last_event_at.value_or(-1) == 200);
    // An event without a time is never stale: applied, and the stored time stays.
    const auto undated = deliver(event("pending", "ev_3", 5000, std::nullopt, "t_3"));
    BOOST_TEST(!undated.stale);
    BOOST_TEST(intent().amount == 5000);
    BOOST_TEST((intent().status == intent_status::processing));
    BOOST_TEST(intent().last_event_at.value_or(-1) == 200);
    // The stored time still orders what follows.
    deliver(event("fail", "ev_4", 4000, 199, "t_4"));
    BOOST_TEST(intent().amount == 5000);
    BOOST_TEST((intent().status == intent_status::processing));
}

BOOST_FIXTURE_TEST_CASE(a_late_success_still_ends_the_intent, fixture)
{
    deliver(event("fail", "ev_new", 5000, 200, "t_new"));
    const auto late = deliver(event("success", "ev_paid", 0, 100, "t_paid"));
    BOOST_TEST(late.stale);
    BOOST_TEST((late.outcome == webhook_outcome::intent_succeeded));
    BOOST_TEST((intent().status == intent_status::succeeded));
    BOOST_TEST(intent().amount == 5000); // a stale event never sets the amount
    BOOST_TEST(intent().last_event_at.value_or(-1) == 200);
    BOOST_TEST(store.snapshot().tasks.begin()->second.status == task_status_finish);
}

BOOST_FIXTURE_TEST_CASE(a_terminal_intent_never_goes_back_whatever_the_time, fixture)
{
    deliver(event("cancel", "ev_c", 5000, 100, ""));
    const auto later = deliver(event("fail", "ev_f", 7000, 200, "t_f"));
    BOOST_TEST(outcome_text(later) == "conflict: intent is cancelled");
    BOOST_TEST((intent().status == intent_status::cancelled));
    BOOST_TEST(intent().amount == 5000);
    BOOST_TEST(intent().last_event_at.value_or(-1) == 100);
}

BOOST_AUTO_TEST_CASE(the_time_crosses_the_plugin_json_as_event_at)
{
    normalized_webhook w;
    w.event_type = incoming_webhook_event::recovery_payment_failure;
    w.event_at = 1'767'230'000;
    const auto back = boost::json::value_to<normalized_webhook>(boost::json::value_from(w));
    BOOST_TEST((back.event_at == w.event_at));
    // A plugin built before the key: unknown.
    const auto old =
        boost::json::value_to<normalized_webhook>(boost::json::parse(R"({"event_type":"EventNotSupported"})"));
    BOOST_TEST(!old.event_at.has_value());
}

BOOST_FIXTURE_TEST_CASE(without_event_time_the_attempt_time_orders, basic_fixture<false>)
{
    auto body = [](std::string id, std::int64_t amount, std::int64_t txn_at, std::string txn) {
        return boost::json::serialize(boost::json::object{{"id", id}, {"type", "fail"}, {"invoice", "inv_1"},
                                                          {"amount", amount}, {"txn", txn}, {"txn_at", txn_at}});
    };
    deliver(body("ev_new", 5000, 200, "t_new"));
    BOOST_TEST(intent().last_event_at.value_or(-1) == 200);
    BOOST_TEST(deliver(body("ev_old", 7000, 100, "t_old")).stale);
    BOOST_TEST(intent().amount == 5000);
    // A cancel has no attempt: its time is unknown, and it applies.
    deliver(R"({"id":"ev_c","type":"cancel","invoice":"inv_1","amount":0})");
    BOOST_TEST((intent().status == intent_status::cancelled));
}
