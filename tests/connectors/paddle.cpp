#include <recoup/connectors/paddle.hpp>
#define BOOST_TEST_MODULE connector_paddle
#include <boost/test/unit_test.hpp>

#include "../support/test_support.hpp"

#include <recoup/json.hpp>
#include <recoup/plugin/loader.hpp>
#include <recoup/signature.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

// The Paddle Billing connector statically and as the built plugin, over the project's own
// payloads in tests/fixtures/paddle (written from Paddle's documented schemas).
using namespace recoup;
using namespace std::chrono_literals;
namespace pd = recoup::connectors::paddle;
namespace json = boost::json;

namespace {

const std::string secret = "pdl_ntfset_suite_secret";
const time_point now = from_unix_seconds(1767225610);

std::string fixture(const std::string& name)
{
    return recoup_test::read_fixture("RECOUP_TEST_FIXTURES", "paddle/" + name);
}

owned_request signed_request(std::string body, time_point at = now, const std::string& key = secret)
{
    owned_request r;
    r.path = "/v2/webhooks/revenue_recovery/pro_demo/mca_paddle";
    r.body = std::move(body);
    r.headers.emplace_back("Content-Type", "application/json");
    for (auto& h : sign_hmac(recoup::paddle_scheme, r.body, key, at)) r.headers.emplace_back(h.name, h.value);
    return r;
}

struct account {
    std::vector<std::string> secrets{secret};
    json::object settings;
    mca_config mca() const
    {
        mca_config m;
        m.secrets = secrets;
        m.settings = &settings;
        return m;
    }
};

result<normalized_webhook> normalized(const std::string& body)
{
    const account a;
    const auto r = signed_request(body);
    return normalize(pd::connector{}, r.view(), a.mca());
}

} // namespace

BOOST_AUTO_TEST_SUITE(verification)

BOOST_AUTO_TEST_CASE(signed_delivery_verifies_and_tampering_does_not)
{
    const account a;
    auto r = signed_request(fixture("transaction_payment_failed.json"));
    EXPECT_OK(pd::connector{}.verify_source(r.view(), a.mca(), now));
    r.body += " ";
    EXPECT_FAILURE(pd::connector{}.verify_source(r.view(), a.mca(), now), error::signature_mismatch, "Paddle-Signature");
}

BOOST_AUTO_TEST_CASE(header_format_and_rotation)
{
    const auto body = fixture("transaction_payment_failed.json");
    const auto mac = [&](const std::string& key) { return hex_encode(hmac_sha256(key, "1767225610:" + body)); };
    owned_request r;
    r.body = body;
    r.headers.emplace_back("paddle-signature", "ts=1767225610;h1=" + mac("old") + ";h1=" + mac(secret));
    const account a;
    EXPECT_OK(pd::connector{}.verify_source(r.view(), a.mca(), now));
    account old_only;
    old_only.secrets = {"old"};
    EXPECT_OK(pd::connector{}.verify_source(r.view(), old_only.mca(), now));
    r.headers.emplace_back("Paddle-Signature", "ts=1767225610;h1=" + mac(secret));
    EXPECT_FAILURE(pd::connector{}.verify_source(r.view(), a.mca(), now), error::duplicate_signature_header);
}

BOOST_AUTO_TEST_CASE(tolerance_from_the_mca_setting)
{
    const auto body = fixture("transaction_payment_failed.json");
    account a;
    EXPECT_FAILURE(pd::connector{}.verify_source(signed_request(body, now - 301s).view(), a.mca(), now),
                   error::timestamp_out_of_tolerance);
    EXPECT_FAILURE(pd::connector{}.verify_source(signed_request(body, now + 301s).view(), a.mca(), now),
                   error::timestamp_out_of_tolerance);
    a.settings["signature_tolerance_seconds"] = 600;
    EXPECT_OK(pd::connector{}.verify_source(signed_request(body, now - 301s).view(), a.mca(), now));
    a.settings["signature_tolerance_seconds"] = 0; // replaying an old capture
    EXPECT_OK(pd::connector{}.verify_source(signed_request(body, now - 100000s).view(), a.mca(), now));
}

BOOST_AUTO_TEST_CASE(no_secret)
{
    account a;
    a.secrets = {};
    EXPECT_FAILURE(pd::connector{}.verify_source(signed_request(fixture("transaction_paid.json")).view(), a.mca(), now),
                   error::no_secret_configured);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(mapping)

BOOST_AUTO_TEST_CASE(payment_failed)
{
    const auto n = normalized(fixture("transaction_payment_failed.json"));
    BOOST_TEST_REQUIRE(n.has_value(), (n ? "" : n.error().what()));
    BOOST_TEST((n->event_type == incoming_webhook_event::recovery_payment_failure));
    BOOST_TEST(n->event_id.value() == "evt_01jgrc00000000000000000001");
    BOOST_TEST(n->object_reference_id == "txn_01jgrc0000000000000000txn1");
    BOOST_TEST(n->invoice->amount == 33000);
    BOOST_TEST(n->invoice->currency.str() == "USD");
    BOOST_TEST(n->invoice->retry_count == 1);
    const auto& a = *n->attempt;
    BOOST_TEST((a.status == attempt_status::failure));
    BOOST_TEST(a.amount == 33000);
    BOOST_TEST(a.connector_transaction_id == "5f2c1a9e-0b7d-4c3e-9a61-1d2e3f405162");
    BOOST_TEST(a.error_code.value() == "declined");
    BOOST_TEST(a.processor_payment_method_token.value() == "paymtd_01jgrc0000000000000000pm01");
    BOOST_TEST(a.payment_method_type.value() == "card");
    BOOST_TEST(a.payment_method_subtype.value() == "visa");
    BOOST_TEST(a.transaction_created_at.value() == 1767225605);
}

BOOST_AUTO_TEST_CASE(success_takes_the_latest_attempt_in_any_order)
{
    for (const char* file : {"transaction_paid.json", "transaction_completed.json"}) {
        const auto n = normalized(fixture(file));
        BOOST_TEST_REQUIRE(n.has_value(), file);
        BOOST_TEST((n->event_type == incoming_webhook_event::recovery_payment_success), file);
        BOOST_TEST((n->attempt->status == attempt_status::charged), file);
        BOOST_TEST(n->attempt->connector_transaction_id == "8d3e2b1a-7c6f-4e5d-8b9a-0c1d2e3f4a5b", file);
    }
}

BOOST_AUTO_TEST_CASE(past_due_cancel_and_others)
{
    auto n = normalized(fixture("transaction_past_due.json"));
    BOOST_TEST_REQUIRE(n.has_value());
    BOOST_TEST((n->event_type == incoming_webhook_event::recovery_payment_failure));
    n = normalized(fixture("transaction_past_due_manual.json"));
    BOOST_TEST_REQUIRE(n.has_value());
    BOOST_TEST((n->event_type == incoming_webhook_event::event_not_supported));
    n = normalized(fixture("transaction_canceled.json"));
    BOOST_TEST_REQUIRE(n.has_value());
    BOOST_TEST((n->event_type == incoming_webhook_event::recovery_invoice_cancel));
    BOOST_TEST(!n->attempt.has_value());
    n = normalized(fixture("subscription_updated.json"));
    BOOST_TEST_REQUIRE(n.has_value());
    BOOST_TEST((n->event_type == incoming_webhook_event::event_not_supported));
}

BOOST_AUTO_TEST_CASE(amounts_are_integer_strings)
{
    auto doc = json::parse(fixture("transaction_payment_failed.json")).as_object();
    auto& totals = doc["data"].as_object()["details"].as_object()["totals"].as_object();
    totals["grand_total"] = "330.00";
    EXPECT_FAILURE(normalized(json::serialize(doc)), error::invalid_field, "data.details.totals.grand_total");
    totals["grand_total"] = 33000;
    EXPECT_FAILURE(normalized(json::serialize(doc)), error::invalid_field, "data.details.totals.grand_total");
    totals.erase("grand_total");
    EXPECT_FAILURE(normalized(json::serialize(doc)), error::missing_field, "data.details.totals.grand_total");
    totals["grand_total"] = "-1";
    EXPECT_FAILURE(normalized(json::serialize(doc)), error::amount_out_of_range, "data.details.totals.grand_total");
}

BOOST_AUTO_TEST_CASE(reference_and_payments_checked)
{
    auto doc = json::parse(fixture("transaction_payment_failed.json")).as_object();
    auto& data = doc["data"].as_object();
    data["payments"] = json::array{};
    EXPECT_FAILURE(normalized(json::serialize(doc)), error::missing_field, "data.payments");
    data["id"] = "txn/../x";
    EXPECT_FAILURE(normalized(json::serialize(doc)), error::invalid_field, "data.id");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(the_built_plugin_agrees)
{
    auto plugin = plugin::load_connector(recoup_test::bundled_plugin("paddle"));
    BOOST_TEST_REQUIRE(plugin.has_value(), (plugin ? "" : plugin.error().what()));
    BOOST_TEST(!plugin->info().can_record_back());
    BOOST_TEST(!plugin->info().can_sync());
    const account a;
    const auto r = signed_request(fixture("transaction_payment_failed.json"));
    EXPECT_OK(plugin->verify_source(r.view(), a.mca(), now));
    const auto n = normalize(*plugin, r.view(), a.mca());
    BOOST_TEST_REQUIRE(n.has_value());
    BOOST_TEST(n->object_reference_id == "txn_01jgrc0000000000000000txn1");
}
