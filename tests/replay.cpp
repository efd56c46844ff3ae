#include <recoup/replay.hpp>

#include <recoup/flow.hpp>
#include <recoup/memory_store.hpp>

#define BOOST_TEST_MODULE replay
#include <boost/test/unit_test.hpp>

using namespace recoup;

namespace {

// A connector that verifies an "x-sig" header and reads {"id","type","invoice","txn"}.
struct signed_connector {
    struct webhook {
        std::optional<std::string> id;
        std::string type, invoice, txn;
    };
    result<void> verify_source(const webhook_request& r, const mca_config& m, time_point) const
    {
        const auto sig = r.header("x-sig");
        if (!sig) return fail(error::missing_signature, "x-sig");
        for (const auto& s : m.secrets)
            if (*sig == s) return {};
        return fail(error::signature_mismatch, "x-sig");
    }
    result<webhook> parse(const webhook_request& r, const mca_config&, std::span<const sync_exchange>) const
    {
        const auto v = boost::json::parse(r.body);
        const auto& o = v.as_object();
        webhook w;
        if (const auto* id = o.if_contains("id")) w.id = std::string(id->as_string());
        w.type = std::string(o.at("type").as_string());
        w.invoice = std::string(o.at("invoice").as_string());
        w.txn = std::string(o.at("txn").as_string());
        return w;
    }
    incoming_webhook_event event_type(const webhook& w) const
    {
        return w.type == "fail" ? incoming_webhook_event::recovery_payment_failure
                                : incoming_webhook_event::recovery_payment_success;
    }
    std::optional<std::string> event_id(const webhook& w) const { return w.id; }
    result<std::string> object_reference_id(const webhook& w) const { return w.invoice; }
    result<recovery_invoice> invoice_details(const webhook& w) const
    {
        recovery_invoice i;
        i.merchant_reference_id = merchant_reference_id::make(w.invoice).value();
        i.amount = 1000;
        i.currency = *find_currency("USD");
        return i;
    }
    result<recovery_attempt> attempt_details(const webhook& w) const
    {
        recovery_attempt a;
        a.amount = 1000;
        a.currency = *find_currency("USD");
        a.merchant_reference_id = merchant_reference_id::make(w.invoice).value();
        a.connector_transaction_id = w.txn;
        a.status = w.type == "fail" ? attempt_status::failure : attempt_status::charged;
        return a;
    }
};

struct no_sync {
    result<http_response> operator()(const outbound_request& r) const
    {
        return fail(error::sync_response_failed, r.path, "no sync expected");
    }
};

struct fixture {
    memory_store store;
    signed_connector connector;
    std::vector<std::string> secrets{"s3cret"};
    recovery_account account;
    fixed_clock clock{from_unix_seconds(1'700'000'000)};
    const std::string body = R"({"id":"ev_1","type":"fail","invoice":"inv_1","txn":"t1"})";

    fixture()
    {
        account.profile_id = "pro_1";
        account.mca_id = "mca_1";
        account.config.secrets = secrets;
    }

    template <class C>
    result<recovery_result> deliver(const C& c, std::vector<std::pair<std::string, std::string>> headers)
    {
        owned_request req;
        req.headers = std::move(headers);
        req.body = body;
        return recover(store, c, req.view(), account, no_sync{}, clock);
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(the_dedup_key_of_a_replay_names_the_original_and_its_number)
{
    BOOST_TEST(replay_dedup_key("ev_1", 1) == "replay:ev_1:1");
    BOOST_TEST(replay_dedup_key("sha256:ab", 12) == "replay:sha256:ab:12");
    BOOST_TEST(replay_dedup_key("ev_1", 3).starts_with(replay_dedup_prefix("ev_1")));
    BOOST_TEST(!replay_dedup_key("ev_10", 1).starts_with(replay_dedup_prefix("ev_1")));
}

BOOST_FIXTURE_TEST_CASE(a_replay_skips_verification_and_is_a_delivery_of_its_own, fixture)
{
    const auto first = deliver(connector, {{"X-Sig", "s3cret"}});
    BOOST_REQUIRE(first.has_value());
    BOOST_TEST(to_string(first->outcome) == "task armed");
    // The stored body again, without its headers: the connector itself refuses it ...
    BOOST_TEST(!deliver(connector, {}).has_value());
    // ... the replay applies it under its own key: not a duplicate of the original.
    const replayed_connector replay(connector, replay_dedup_key("ev_1", 1));
    const auto again = deliver(replay, {});
    BOOST_REQUIRE(again.has_value());
    BOOST_TEST(!again->duplicate);
    BOOST_TEST(to_string(again->outcome) == "task already armed");
    BOOST_TEST(again->payment_id.value_or("") == first->payment_id.value_or("-"));
    const auto s = store.snapshot();
    BOOST_REQUIRE(s.events.size() == 2u);
    BOOST_TEST(s.events[1].dedup_key == "replay:ev_1:1");
    BOOST_TEST(s.events[1].connector_event_id.value_or("") == "replay:ev_1:1");
    BOOST_TEST(s.deliveries.contains({"mca_1", "replay:ev_1:1"}));
    // The same replay key twice is a duplicate, like any delivery.
    const auto twice = deliver(replay, {});
    BOOST_REQUIRE(twice.has_value());
    BOOST_TEST(twice->duplicate);
}
