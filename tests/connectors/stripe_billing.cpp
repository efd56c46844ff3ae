#include <recoup/connectors/stripe_billing.hpp>
#define BOOST_TEST_MODULE connector_stripe_billing
#include <boost/test/unit_test.hpp>

#include "../support/test_support.hpp"
#include "../support/shared_fixtures.hpp"

#include <recoup/signature.hpp>

#include <boost/json.hpp>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using recoup::attempt_status;
using recoup::error;
using recoup::incoming_webhook_event;
using recoup::connectors::stripe_billing::connector;
using secrets_t = std::vector<std::string>;

namespace {

const std::string secret = "whsec_recoup_stripe_billing_test_1";
const std::string old_secret = "whsec_recoup_stripe_billing_test_0";
const recoup::time_point now = recoup::from_unix_seconds(1767230100);
const connector stripe;

// The platform's payloads, read in place (never copied into the project).
std::string shared_payload(const std::string& file)
{
    return recoup_test::read_fixture("RECOUP_SHARED_FIXTURES", "stripe/" + file);
}

// Payloads written for recoup, modelled on the documented basil shape.
std::string own_payload(const std::string& file)
{
    return recoup_test::read_fixture("RECOUP_TEST_FIXTURES", "stripe_billing/" + file);
}

recoup::owned_request signed_request(std::string body, const std::string& key = secret,
                                     recoup::time_point at = now)
{
    recoup::owned_request r;
    r.path = "/v2/webhooks/revenue_recovery/pro_demo/mca_stripe_billing";
    r.headers.emplace_back("Stripe-Signature", recoup::sign_stripe(body, key, at));
    r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    r.body = std::move(body);
    return r;
}

recoup::owned_request unsigned_request(std::string body)
{
    recoup::owned_request r;
    r.body = std::move(body);
    return r;
}

struct account {
    secrets_t secrets{secret};
    boost::json::object settings;
    std::string api_key = "sk_test_recoup";

    recoup::mca_config config() const { return {secrets, api_key, &settings}; }
};

account with_secrets(secrets_t secrets)
{
    account a;
    a.secrets = std::move(secrets);
    return a;
}

recoup::result<recoup::normalized_webhook> normalize(const recoup::owned_request& r, const account& a = {},
                                                     std::span<const recoup::sync_exchange> sync = {})
{
    return recoup::normalize(stripe, r.view(), a.config(), sync);
}

recoup::result<void> verify(const recoup::owned_request& r, const account& a = {}, recoup::time_point at = now)
{
    return stripe.verify_source(r.view(), a.config(), at);
}

// Verifies, then normalizes: what the host does with a delivery.
recoup::normalized_webhook accept(const std::string& body, const account& a = {})
{
    const auto r = signed_request(body);
    const auto verified = verify(r, a);
    BOOST_TEST_REQUIRE(!verified.has_error(), (verified.has_error() ? verified.error().what() : ""));
    auto n = normalize(r, a);
    BOOST_TEST_REQUIRE(!n.has_error(), (n.has_error() ? n.error().what() : ""));
    return std::move(*n);
}

std::string edit(const std::string& body, void (*change)(boost::json::object& invoice))
{
    auto v = boost::json::parse(body);
    change(v.at("data").at("object").as_object());
    return boost::json::serialize(v);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Shared payloads: 2020-08-27 shape

BOOST_AUTO_TEST_CASE(shared_invoice_payment_failed_is_a_failure_with_its_attempt, *recoup_test::needs_shared_fixtures())
{
    const auto n = accept(shared_payload("invoice.payment_failed.json"));
    BOOST_TEST((n.event_type == incoming_webhook_event::recovery_payment_failure));
    BOOST_TEST(n.event_id.value() == "evt_000000000000000000000000");
    BOOST_TEST(n.object_reference_id == "in_000000000000000000000000");
    BOOST_TEST(n.sync_requests.empty());

    const auto& inv = n.invoice.value();
    BOOST_TEST(inv.merchant_reference_id.str() == "in_000000000000000000000000");
    BOOST_TEST(inv.amount == 2000);
    BOOST_TEST(inv.currency.str() == "USD");
    BOOST_TEST(!inv.billing_address.has_value());
    BOOST_TEST(inv.retry_count == 1);
    BOOST_TEST(inv.next_billing_at.value() == 1648320006);

    const auto& a = n.attempt.value();
    BOOST_TEST(a.amount == 2000);
    BOOST_TEST(a.currency.str() == "USD");
    BOOST_TEST(a.merchant_reference_id.str() == "in_000000000000000000000000");
    BOOST_TEST(a.connector_transaction_id == "pi_000000000000000000000000");
    BOOST_TEST(a.charge_id.value() == "ch_000000000000000000000000");
    BOOST_TEST((a.status == attempt_status::failure));
    BOOST_TEST(!a.error_code.has_value());
    BOOST_TEST(!a.error_message.has_value());
    BOOST_TEST(a.connector_customer_id.value() == "cus_00000000000000");
    BOOST_TEST(!a.processor_payment_method_token.has_value());
    BOOST_TEST(!a.connector_account_reference_id.has_value());
    BOOST_TEST(!a.payment_method_type.has_value());
    BOOST_TEST(!a.transaction_created_at.has_value());
    BOOST_TEST(a.retry_count.value() == 1);
}

BOOST_AUTO_TEST_CASE(shared_invoice_paid_is_a_success, *recoup_test::needs_shared_fixtures())
{
    const auto n = accept(shared_payload("invoice.paid.json"));
    BOOST_TEST((n.event_type == incoming_webhook_event::recovery_payment_success));
    BOOST_TEST(n.event_id.value() == "evt_000000000000000000000000");
    BOOST_TEST(n.object_reference_id == "in_000000000000000000000000");
    const auto& inv = n.invoice.value();
    BOOST_TEST(inv.amount == 0); // amount_remaining: nothing is left to collect
    BOOST_TEST(inv.currency.str() == "USD");
    BOOST_TEST(inv.retry_count == 1);
    BOOST_TEST(inv.next_billing_at.value() == 1648320011);
    const auto& a = n.attempt.value();
    BOOST_TEST(a.amount == 2000);
    BOOST_TEST(a.connector_transaction_id == "pi_000000000000000000000000");
    BOOST_TEST(a.charge_id.value() == "ch_000000000000000000000000");
    BOOST_TEST((a.status == attempt_status::charged));
    BOOST_TEST(!a.error_code.has_value());
    BOOST_TEST(a.connector_customer_id.value() == "cus_00000000000000");
}

BOOST_AUTO_TEST_CASE(shared_invoice_payment_succeeded_finds_the_same_attempt_as_invoice_paid, *recoup_test::needs_shared_fixtures())
{
    const auto succeeded = accept(shared_payload("invoice.payment_succeeded.json"));
    const auto paid = accept(shared_payload("invoice.paid.json"));
    BOOST_TEST((succeeded.event_type == incoming_webhook_event::recovery_payment_success));
    BOOST_TEST(succeeded.object_reference_id == "in_000000000000000000000000");
    BOOST_TEST(succeeded.invoice.value().amount == 0);
    const auto& a = succeeded.attempt.value();
    BOOST_TEST(a.amount == 2000);
    BOOST_TEST(a.currency.str() == "USD");
    BOOST_TEST((a.status == attempt_status::charged));
    BOOST_TEST(a.connector_transaction_id == "pi_000000000000000000000000");
    BOOST_TEST(a.connector_transaction_id == paid.attempt.value().connector_transaction_id);
    BOOST_TEST((a.charge_id == paid.attempt.value().charge_id));
}

// ---------------------------------------------------------------------------------------------
// Shared payloads: 2025 basil shape

BOOST_AUTO_TEST_CASE(shared_invoice_voided_is_a_cancel_without_attempt, *recoup_test::needs_shared_fixtures())
{
    const auto n = accept(shared_payload("invoice.voided.json"));
    BOOST_TEST((n.event_type == incoming_webhook_event::recovery_invoice_cancel));
    BOOST_TEST(n.event_id.value() == "evt_1NG8Du2eZvKYlo2CUI79vXWy");
    BOOST_TEST(n.object_reference_id == "in_1MtGmCLkdIwHu7ix6PgS6g8S");
    const auto& inv = n.invoice.value();
    BOOST_TEST(inv.merchant_reference_id.str() == "in_1MtGmCLkdIwHu7ix6PgS6g8S");
    BOOST_TEST(inv.amount == 0);
    BOOST_TEST(inv.currency.str() == "USD");
    BOOST_TEST(inv.retry_count == 0);
    BOOST_TEST(!inv.billing_address.has_value());
    BOOST_TEST(!inv.next_billing_at.has_value()); // no lines
    BOOST_TEST(!n.attempt.has_value());
    BOOST_TEST(n.sync_requests.empty());
}

BOOST_AUTO_TEST_CASE(shared_invoice_marked_uncollectible_is_a_cancel, *recoup_test::needs_shared_fixtures())
{
    const auto n = accept(shared_payload("invoice.marked_uncollectible.json"));
    BOOST_TEST((n.event_type == incoming_webhook_event::recovery_invoice_cancel));
    BOOST_TEST(n.event_id.value() == "evt_1NG8Du2eZvKYlo2CUI79vXWy");
    BOOST_TEST(n.object_reference_id == "in_1MtG0nLkdIwHu7ixAaUw3Cb4");
    const auto& inv = n.invoice.value();
    BOOST_TEST(inv.amount == 599);
    BOOST_TEST(inv.currency.str() == "USD");
    BOOST_TEST(inv.retry_count == 0);
    BOOST_TEST(inv.next_billing_at.value() == 1680638365);
    BOOST_TEST(!n.attempt.has_value());
}

BOOST_AUTO_TEST_CASE(shared_charge_failed_is_not_supported, *recoup_test::needs_shared_fixtures())
{
    const auto n = accept(shared_payload("charge.failed.json"));
    BOOST_TEST((n.event_type == incoming_webhook_event::event_not_supported));
    BOOST_TEST(n.event_id.value() == "evt_000000000000000000000000");
    BOOST_TEST(!n.invoice.has_value());
    BOOST_TEST(!n.attempt.has_value());
    BOOST_TEST(n.response.status == 200);
    BOOST_TEST(n.response.body == "{}");
}

// ---------------------------------------------------------------------------------------------
// Own basil payloads

BOOST_AUTO_TEST_CASE(basil_payment_failed_takes_the_payment_intent_from_payments)
{
    const auto n = accept(own_payload("invoice.payment_failed.basil_payments.json"));
    BOOST_TEST((n.event_type == incoming_webhook_event::recovery_payment_failure));
    BOOST_TEST(n.event_id.value() == "evt_RcSbFail0001");
    BOOST_TEST(n.object_reference_id == "in_RcSbInv0001");
    const auto& inv = n.invoice.value();
    BOOST_TEST(inv.amount == 4900);
    BOOST_TEST(inv.currency.str() == "EUR");
    BOOST_TEST(inv.retry_count == 2);
    BOOST_TEST(inv.next_billing_at.value() == 1769904000);
    recoup::address expected_address;
    expected_address.line1 = "12 Rue de l'Exemple";
    expected_address.line2 = "Bat. B";
    expected_address.city = "Lyon";
    expected_address.zip = "69001";
    expected_address.country = "FR";
    BOOST_TEST((inv.billing_address.value() == expected_address));

    const auto& a = n.attempt.value();
    BOOST_TEST(a.amount == 4900);
    BOOST_TEST(a.currency.str() == "EUR");
    BOOST_TEST(a.connector_transaction_id == "pi_RcSbPay0001");
    BOOST_TEST(!a.charge_id.has_value());
    BOOST_TEST(a.processor_payment_method_token.value() == "pm_RcSbCard0001");
    BOOST_TEST(a.connector_customer_id.value() == "cus_RcSbCust0001");
    BOOST_TEST((a.status == attempt_status::failure));
    BOOST_TEST(a.retry_count.value() == 2);
}

BOOST_AUTO_TEST_CASE(basil_payment_failed_without_ids_gets_a_deterministic_transaction_id)
{
    const auto body = own_payload("invoice.payment_failed.basil_no_payments.json");
    const auto n = accept(body);
    BOOST_TEST((n.event_type == incoming_webhook_event::recovery_payment_failure));
    BOOST_TEST(n.object_reference_id == "in_RcSbInv0002");
    BOOST_TEST(!n.invoice.value().next_billing_at.has_value());
    const auto& a = n.attempt.value();
    BOOST_TEST(a.amount == 1500);
    BOOST_TEST(a.currency.str() == "USD");
    BOOST_TEST(a.connector_transaction_id == "in_RcSbInv0002:3");
    BOOST_TEST(!a.charge_id.has_value());
    BOOST_TEST(a.error_code.value() == "card_declined");
    BOOST_TEST(a.error_message.value() == "Your card has insufficient funds.");
    BOOST_TEST(a.processor_payment_method_token.value() == "pm_RcSbCard0002"); // expanded object
    BOOST_TEST(a.retry_count.value() == 3);
    // A redelivery of the same attempt names the same transaction.
    BOOST_TEST(accept(body).attempt.value().connector_transaction_id == "in_RcSbInv0002:3");
}

BOOST_AUTO_TEST_CASE(basil_paid_and_payment_succeeded_share_the_attempt)
{
    const auto paid = accept(own_payload("invoice.paid.basil.json"));
    const auto succeeded = accept(own_payload("invoice.payment_succeeded.basil.json"));
    BOOST_TEST((paid.event_type == incoming_webhook_event::recovery_payment_success));
    BOOST_TEST((succeeded.event_type == incoming_webhook_event::recovery_payment_success));
    BOOST_TEST(paid.event_id.value() == "evt_RcSbPaid0004");
    BOOST_TEST(succeeded.event_id.value() == "evt_RcSbSucc0005");
    BOOST_TEST(paid.invoice.value().amount == 0);
    BOOST_TEST(paid.attempt.value().amount == 3000);
    BOOST_TEST((paid.attempt.value().status == attempt_status::charged));
    BOOST_TEST(paid.attempt.value().connector_transaction_id == "pi_RcSbPay0004");
    BOOST_TEST(succeeded.attempt.value().connector_transaction_id == "pi_RcSbPay0004");
}

BOOST_AUTO_TEST_CASE(basil_cancels)
{
    const auto voided = accept(own_payload("invoice.voided.basil.json"));
    BOOST_TEST((voided.event_type == incoming_webhook_event::recovery_invoice_cancel));
    BOOST_TEST(voided.object_reference_id == "in_RcSbInv0006");
    BOOST_TEST(voided.invoice.value().amount == 8000);
    BOOST_TEST(!voided.attempt.has_value());

    const auto uncollectible = accept(own_payload("invoice.marked_uncollectible.basil.json"));
    BOOST_TEST((uncollectible.event_type == incoming_webhook_event::recovery_invoice_cancel));
    BOOST_TEST(uncollectible.invoice.value().amount == 1200);
    BOOST_TEST(uncollectible.invoice.value().currency.str() == "JPY");
    BOOST_TEST(uncollectible.invoice.value().retry_count == 4);
}

BOOST_AUTO_TEST_CASE(own_unconsumed_event_is_not_supported)
{
    const auto n = accept(own_payload("customer.created.json"));
    BOOST_TEST((n.event_type == incoming_webhook_event::event_not_supported));
    BOOST_TEST(n.event_id.value() == "evt_RcSbCust0009");
    // Any object with a type parses: no invoice field is required of it.
    const auto minimal = normalize(unsigned_request(R"({"type":"customer.subscription.updated"})"));
    BOOST_TEST_REQUIRE(!minimal.has_error());
    BOOST_TEST((minimal->event_type == incoming_webhook_event::event_not_supported));
    BOOST_TEST(!minimal->event_id.has_value());
}

BOOST_AUTO_TEST_CASE(amount_falls_back_to_amount_due)
{
    const auto body = edit(own_payload("invoice.payment_failed.basil_no_payments.json"),
                           [](boost::json::object& i) { i.erase("amount_remaining"); i["amount_due"] = 1750; });
    const auto n = normalize(unsigned_request(body));
    BOOST_TEST_REQUIRE(!n.has_error());
    BOOST_TEST(n->invoice.value().amount == 1750);
    BOOST_TEST(n->attempt.value().amount == 1750);
}

BOOST_AUTO_TEST_CASE(expanded_ids_and_customer_address_are_read, *recoup_test::needs_shared_fixtures())
{
    const auto body = edit(shared_payload("invoice.payment_failed.json"), [](boost::json::object& i) {
        i["payment_intent"] = boost::json::object{{"id", "pi_RcSbExpanded"}, {"object", "payment_intent"}};
        i["customer"] = boost::json::object{{"id", "cus_RcSbExpanded"}, {"object", "customer"}};
        i["customer_address"] = boost::json::object{{"line1", "1 Main St"}, {"city", "Springfield"},
                                                    {"postal_code", "12345"}, {"country", "US"}, {"state", "IL"}};
    });
    const auto n = normalize(unsigned_request(body));
    BOOST_TEST_REQUIRE(!n.has_error());
    BOOST_TEST(n->attempt.value().connector_transaction_id == "pi_RcSbExpanded");
    BOOST_TEST(n->attempt.value().connector_customer_id.value() == "cus_RcSbExpanded");
    const auto& addr = n->invoice.value().billing_address.value();
    BOOST_TEST(addr.zip.value() == "12345");
    BOOST_TEST(addr.state.value() == "IL");
    BOOST_TEST(!addr.line2.has_value());
}

// ---------------------------------------------------------------------------------------------
// Source verification

BOOST_AUTO_TEST_CASE(signed_bodies_verify)
{
    for (const auto* file : {"invoice.payment_failed.basil_payments.json", "invoice.paid.basil.json",
                             "invoice.payment_succeeded.basil.json", "invoice.voided.basil.json",
                             "invoice.marked_uncollectible.basil.json", "customer.created.json"})
        EXPECT_OK(verify(signed_request(own_payload(file))));
    // The header name is case-insensitive.
    auto r = signed_request(own_payload("invoice.paid.basil.json"));
    r.headers.front().first = "stripe-signature";
    EXPECT_OK(verify(r));
}

BOOST_AUTO_TEST_CASE(shared_signature_vector_verifies_with_tolerance_off, *recoup_test::needs_shared_fixtures())
{
    const auto vectors = boost::json::parse(recoup_test::read_fixture("RECOUP_SHARED_FIXTURES", "signature_vectors.json"));
    const auto& v = vectors.at("stripe").as_object();
    recoup::owned_request r;
    r.headers.emplace_back("Stripe-Signature", std::string(v.at("header_value").as_string()));
    r.body = std::string(v.at("body").as_string());
    account a;
    a.secrets = {std::string(v.at("secret").as_string())};
    a.settings["signature_tolerance_seconds"] = 0;
    EXPECT_OK(verify(r, a));
    EXPECT_FAILURE(verify(r, with_secrets(a.secrets)), error::timestamp_out_of_tolerance, "Stripe-Signature");
}

BOOST_AUTO_TEST_CASE(a_flipped_body_byte_fails)
{
    auto r = signed_request(own_payload("invoice.payment_failed.basil_payments.json"));
    r.body[r.body.size() / 2] ^= 0x01;
    EXPECT_FAILURE(verify(r), error::signature_mismatch, "Stripe-Signature");
}

BOOST_AUTO_TEST_CASE(a_wrong_secret_fails)
{
    const auto r = signed_request(own_payload("invoice.payment_failed.basil_payments.json"), "whsec_someone_else");
    EXPECT_FAILURE(verify(r), error::signature_mismatch, "Stripe-Signature");
    EXPECT_FAILURE(verify(r, with_secrets({})), error::no_secret_configured, "Stripe-Signature");
}

BOOST_AUTO_TEST_CASE(rotated_secrets_both_verify)
{
    const auto body = own_payload("invoice.paid.basil.json");
    const account rotating = with_secrets({old_secret, secret});
    EXPECT_OK(verify(signed_request(body, old_secret), rotating));
    EXPECT_OK(verify(signed_request(body, secret), rotating));
    EXPECT_OK(verify(signed_request(body), with_secrets({"whsec_wrong", secret})));

    // During a rotation Stripe sends one v1 per secret: any may match.
    auto r = signed_request(body);
    const auto sig_old = recoup::sign_stripe(body, old_secret, now);
    r.headers.front().second += "," + sig_old.substr(sig_old.find("v1="));
    EXPECT_OK(verify(r, with_secrets({old_secret})));
    EXPECT_OK(verify(r, with_secrets({secret})));
}

BOOST_AUTO_TEST_CASE(timestamps_outside_tolerance_fail_both_ways)
{
    const auto body = own_payload("invoice.payment_failed.basil_payments.json");
    EXPECT_FAILURE(verify(signed_request(body, secret, now - std::chrono::seconds(301))),
                   error::timestamp_out_of_tolerance, "Stripe-Signature");
    EXPECT_FAILURE(verify(signed_request(body, secret, now + std::chrono::seconds(301))),
                   error::timestamp_out_of_tolerance, "Stripe-Signature");
    EXPECT_OK(verify(signed_request(body, secret, now - std::chrono::seconds(300))));
    EXPECT_OK(verify(signed_request(body, secret, now + std::chrono::seconds(300))));
    account lenient;
    lenient.settings["signature_tolerance_seconds"] = 600;
    EXPECT_OK(verify(signed_request(body, secret, now - std::chrono::seconds(301)), lenient));
}

BOOST_AUTO_TEST_CASE(missing_and_duplicated_headers_fail)
{
    const auto body = own_payload("invoice.payment_failed.basil_payments.json");
    EXPECT_FAILURE(verify(unsigned_request(body)), error::missing_signature, "Stripe-Signature");
    auto twice = signed_request(body);
    twice.headers.emplace_back("stripe-signature", twice.headers.front().second);
    EXPECT_FAILURE(verify(twice), error::duplicate_signature_header, "Stripe-Signature");
}

BOOST_AUTO_TEST_CASE(only_v1_counts)
{
    const auto body = own_payload("invoice.payment_failed.basil_payments.json");
    auto r = signed_request(body);
    auto& value = r.headers.front().second;
    const auto v0 = "t=" + std::to_string(recoup::to_unix_seconds(now)) + ",v0=" + value.substr(value.find("v1=") + 3);
    value = v0; // a valid HMAC under another scheme name is a downgrade, not a signature
    EXPECT_FAILURE(verify(r), error::malformed_signature, "Stripe-Signature");
}

// ---------------------------------------------------------------------------------------------
// Malformed bodies

BOOST_AUTO_TEST_CASE(a_body_that_is_not_json_fails)
{
    EXPECT_FAILURE(normalize(unsigned_request("type=invoice.paid")), error::body_not_json, "");
    EXPECT_FAILURE(normalize(unsigned_request("[1,2]")), error::invalid_field, "");
}

BOOST_AUTO_TEST_CASE(missing_amounts_name_amount_due)
{
    EXPECT_FAILURE(normalize(signed_request(own_payload("invoice.payment_failed.missing_amounts.json"))),
                   error::missing_field, "data.object.amount_due");
}

BOOST_AUTO_TEST_CASE(required_fields_name_their_path, *recoup_test::needs_shared_fixtures())
{
    const auto failed = shared_payload("invoice.payment_failed.json");
    EXPECT_FAILURE(normalize(unsigned_request(edit(failed, [](boost::json::object& i) { i.erase("id"); }))),
                   error::missing_field, "data.object.id");
    EXPECT_FAILURE(normalize(unsigned_request(edit(failed, [](boost::json::object& i) { i["currency"] = nullptr; }))),
                   error::missing_field, "data.object.currency");
    EXPECT_FAILURE(normalize(unsigned_request(edit(failed, [](boost::json::object& i) { i["currency"] = "dollars"; }))),
                   error::invalid_field, "data.object.currency");
    EXPECT_FAILURE(normalize(unsigned_request(edit(failed, [](boost::json::object& i) { i["currency"] = "zzz"; }))),
                   error::unsupported_currency, "data.object.currency");
    EXPECT_FAILURE(normalize(unsigned_request(edit(failed, [](boost::json::object& i) { i["amount_remaining"] = -5; }))),
                   error::amount_out_of_range, "data.object.amount_remaining");
    EXPECT_FAILURE(normalize(unsigned_request(edit(failed, [](boost::json::object& i) { i["attempt_count"] = "1"; }))),
                   error::invalid_field, "data.object.attempt_count");
    EXPECT_FAILURE(normalize(unsigned_request(edit(failed, [](boost::json::object& i) { i["id"] = "in 1/../x"; }))),
                   error::invalid_field, "data.object.id");
    EXPECT_FAILURE(normalize(unsigned_request(edit(failed, [](boost::json::object& i) {
                       i["lines"].as_object()["data"].as_array()[0].as_object()["period"].as_object()["end"] = "soon";
                   }))),
                   error::invalid_field, "data.object.lines.data[0].period.end");
    EXPECT_FAILURE(normalize(unsigned_request(edit(failed, [](boost::json::object& i) { i["payment_intent"] = 7; }))),
                   error::invalid_field, "data.object.payment_intent");
    EXPECT_FAILURE(normalize(unsigned_request(R"({"id":"evt_1","type":"invoice.paid"})")), error::missing_field,
                   "data");
    EXPECT_FAILURE(normalize(unsigned_request(R"({"id":"evt_1","type":"invoice.paid","data":{}})")),
                   error::missing_field, "data.object");
    EXPECT_FAILURE(normalize(unsigned_request(R"({"id":"evt_1","data":{}})")), error::missing_field, "type");
}

BOOST_AUTO_TEST_CASE(methods_called_out_of_turn_say_not_supported)
{
    const auto cancel = stripe.parse(unsigned_request(own_payload("invoice.voided.basil.json")).view(),
                                     account{}.config(), {});
    BOOST_TEST_REQUIRE(!cancel.has_error());
    EXPECT_FAILURE(stripe.attempt_details(*cancel), error::not_supported, "type");
    const auto other = stripe.parse(unsigned_request(own_payload("customer.created.json")).view(),
                                    account{}.config(), {});
    BOOST_TEST_REQUIRE(!other.has_error());
    EXPECT_FAILURE(stripe.object_reference_id(*other), error::not_supported, "type");
    EXPECT_FAILURE(stripe.invoice_details(*other), error::not_supported, "type");
}

// ---------------------------------------------------------------------------------------------
// Charge sync

namespace {

account syncing()
{
    account a;
    a.settings["charge_sync"] = true;
    return a;
}

recoup::sync_exchange answered(const recoup::outbound_request& req, int status, std::string body)
{
    return {req, recoup::http_response{status, {{"Content-Type", "application/json"}}, std::move(body)}};
}

} // namespace

BOOST_AUTO_TEST_CASE(charge_sync_is_off_by_default)
{
    const auto n = normalize(signed_request(own_payload("invoice.payment_failed.basil_charge.json")));
    BOOST_TEST_REQUIRE(!n.has_error());
    BOOST_TEST(n->sync_requests.empty());
    BOOST_TEST(n->attempt.value().connector_transaction_id == "ch_RcSbChg0003");
    BOOST_TEST(n->attempt.value().charge_id.value() == "ch_RcSbChg0003");
    account not_bool;
    not_bool.settings["charge_sync"] = "yes";
    BOOST_TEST(normalize(signed_request(own_payload("invoice.payment_failed.basil_charge.json")), not_bool)
                   ->sync_requests.empty());
}

BOOST_AUTO_TEST_CASE(charge_sync_asks_for_the_charge_then_fills_the_attempt)
{
    const auto r = signed_request(own_payload("invoice.payment_failed.basil_charge.json"));
    const auto a = syncing();
    const auto first = normalize(r, a);
    BOOST_TEST_REQUIRE(!first.has_error());
    BOOST_TEST_REQUIRE(first->sync_requests.size() == 1u);
    const recoup::outbound_request expected{"GET", "/v1/charges/ch_RcSbChg0003",
                                            {{"Authorization", "Bearer sk_test_recoup"}}, ""};
    BOOST_TEST((first->sync_requests.front() == expected));
    BOOST_TEST(!first->attempt.has_value());

    const std::vector<recoup::sync_exchange> sync{answered(expected, 200, own_payload("charge.ch_RcSbChg0003.json"))};
    const auto second = normalize(r, a, sync);
    BOOST_TEST_REQUIRE(!second.has_error(), (second.has_error() ? second.error().what() : ""));
    BOOST_TEST(second->sync_requests.empty());
    BOOST_TEST(second->object_reference_id == "in_RcSbInv0003");
    const auto& att = second->attempt.value();
    BOOST_TEST(att.amount == 2500);
    BOOST_TEST(att.currency.str() == "GBP");
    BOOST_TEST(att.connector_transaction_id == "ch_RcSbChg0003");
    BOOST_TEST(att.charge_id.value() == "ch_RcSbChg0003");
    BOOST_TEST(att.error_code.value() == "card_declined");
    BOOST_TEST(att.error_message.value() == "Your card was declined.");
    BOOST_TEST(att.payment_method_type.value() == "card");
    BOOST_TEST(att.payment_method_subtype.value() == "debit");
    BOOST_TEST(att.processor_payment_method_token.value() == "pm_RcSbCard0003");
    BOOST_TEST(att.transaction_created_at.value() == 1767229260);
    BOOST_TEST(!att.connector_account_reference_id.has_value());
    BOOST_TEST((att.status == attempt_status::failure));
}

BOOST_AUTO_TEST_CASE(charge_sync_falls_back_to_outcome_reason_and_brand)
{
    auto charge = boost::json::parse(own_payload("charge.ch_RcSbChg0003.json")).as_object();
    charge["failure_code"] = nullptr;
    charge["payment_method_details"].as_object()["card"].as_object().erase("funding");
    const auto r = signed_request(own_payload("invoice.payment_failed.basil_charge.json"));
    const auto req = normalize(r, syncing())->sync_requests.at(0);
    const std::vector<recoup::sync_exchange> sync{answered(req, 200, boost::json::serialize(charge))};
    const auto n = normalize(r, syncing(), sync);
    BOOST_TEST_REQUIRE(!n.has_error());
    BOOST_TEST(n->attempt.value().error_code.value() == "do_not_honor");
    BOOST_TEST(n->attempt.value().payment_method_subtype.value() == "mastercard");
}

BOOST_AUTO_TEST_CASE(charge_sync_applies_to_transaction_events_with_a_charge_only, *recoup_test::needs_shared_fixtures())
{
    // 2020 shape: the top-level charge is synced for a success too.
    const auto paid = normalize(signed_request(shared_payload("invoice.paid.json")), syncing());
    BOOST_TEST_REQUIRE(!paid.has_error());
    BOOST_TEST_REQUIRE(paid->sync_requests.size() == 1u);
    BOOST_TEST(paid->sync_requests.front().path == "/v1/charges/ch_000000000000000000000000");
    // Cancels, unsupported events, and basil invoices naming no charge need no sync.
    for (const auto* body : {"invoice.voided.basil.json", "customer.created.json",
                             "invoice.payment_failed.basil_payments.json",
                             "invoice.payment_failed.basil_no_payments.json"}) {
        const auto n = normalize(signed_request(own_payload(body)), syncing());
        BOOST_TEST_REQUIRE(!n.has_error());
        BOOST_TEST(n->sync_requests.empty(), body);
    }
}

BOOST_AUTO_TEST_CASE(charge_sync_errors_name_the_path)
{
    const auto r = signed_request(own_payload("invoice.payment_failed.basil_charge.json"));
    const auto req = normalize(r, syncing())->sync_requests.at(0);
    const std::vector<recoup::sync_exchange> not_found{
        answered(req, 404, R"({"error":{"code":"resource_missing","type":"invalid_request_error"}})")};
    EXPECT_FAILURE(normalize(r, syncing(), not_found), error::sync_response_failed, "/v1/charges/ch_RcSbChg0003");

    auto other = req;
    other.path = "/v1/charges/ch_other";
    const std::vector<recoup::sync_exchange> unrelated{answered(other, 200, "{}")};
    EXPECT_FAILURE(normalize(r, syncing(), unrelated), error::sync_response_missing, "/v1/charges/ch_RcSbChg0003");

    const std::vector<recoup::sync_exchange> no_id{answered(req, 200, R"({"object":"charge"})")};
    EXPECT_FAILURE(normalize(r, syncing(), no_id), error::missing_field, "id");

    const std::vector<recoup::sync_exchange> wrong_id{answered(req, 200, R"({"id":"ch_other"})")};
    EXPECT_FAILURE(normalize(r, syncing(), wrong_id), error::invalid_field, "id");

    const std::vector<recoup::sync_exchange> not_json{answered(req, 200, "<html>")};
    EXPECT_FAILURE(normalize(r, syncing(), not_json), error::body_not_json, "");
}

// ---------------------------------------------------------------------------------------------
// Record-back

BOOST_AUTO_TEST_CASE(record_back_success_pays_out_of_band)
{
    recoup::record_back_request in;
    in.outcome = recoup::recovery_outcome::succeeded;
    in.invoice_id = "in_RcSbInv0001";
    in.amount = 4900;
    in.currency = *recoup::find_currency("EUR");
    in.connector_transaction_id = "pi_processor_1";
    const auto out = stripe.record_back(in, account{}.config());
    BOOST_TEST_REQUIRE(!out.has_error());
    const recoup::outbound_request expected{
        "POST",
        "/v1/invoices/in_RcSbInv0001/pay",
        {{"Authorization", "Bearer sk_test_recoup"}, {"Content-Type", "application/x-www-form-urlencoded"}},
        "paid_out_of_band=true"};
    BOOST_TEST((*out == expected));
}

BOOST_AUTO_TEST_CASE(record_back_failure_voids)
{
    recoup::record_back_request in;
    in.outcome = recoup::recovery_outcome::failed;
    in.invoice_id = "in_RcSbInv0002";
    const auto out = stripe.record_back(in, account{}.config());
    BOOST_TEST_REQUIRE(!out.has_error());
    const recoup::outbound_request expected{
        "POST",
        "/v1/invoices/in_RcSbInv0002/void",
        {{"Authorization", "Bearer sk_test_recoup"}, {"Content-Type", "application/x-www-form-urlencoded"}},
        ""};
    BOOST_TEST((*out == expected));
}

BOOST_AUTO_TEST_CASE(record_back_rejects_bad_input)
{
    recoup::record_back_request in;
    in.invoice_id = "in_1/../../v1/customers";
    EXPECT_FAILURE(stripe.record_back(in, account{}.config()), error::invalid_field, "invoice_id");
    in.invoice_id = "in_RcSbInv0001";
    account keyless;
    keyless.api_key.clear();
    EXPECT_FAILURE(stripe.record_back(in, keyless.config()), error::no_secret_configured, "api_key");
}

// Stripe counts ISK and UGX in hundredths and MGA in whole units; recoup uses ISO minor units.
BOOST_AUTO_TEST_CASE(stripe_amount_units_become_iso_minor_units)
{
    using recoup::connectors::stripe_billing::stripe_invoice;
    auto invoice = [](std::string_view currency, std::int64_t amount) {
        return recoup::wire::parse_as<stripe_invoice>(R"({"id":"in_units","currency":")" + std::string(currency) +
                                                      R"(","amount_due":)" + std::to_string(amount) + "}");
    };
    BOOST_TEST(invoice("isk", 50000)->amount_due.value() == 500);
    BOOST_TEST(invoice("ugx", 123400)->amount_due.value() == 1234);
    BOOST_TEST(invoice("mga", 500)->amount_due.value() == 50000);
    BOOST_TEST(invoice("usd", 1999)->amount_due.value() == 1999);
    BOOST_TEST(invoice("jpy", 500)->amount_due.value() == 500);
    const auto fractional = invoice("isk", 12345);
    BOOST_TEST_REQUIRE(fractional.has_error());
    BOOST_TEST((fractional.error().code == error::amount_out_of_range));
    BOOST_TEST(fractional.error().field == "amount_due");
    // And back: the processor sends Stripe's units.
    const auto isk = *recoup::find_currency("ISK");
    BOOST_TEST(recoup::connectors::stripe_common::to_stripe_amount(500, isk).value() == 50000);
    BOOST_TEST(recoup::connectors::stripe_common::from_stripe_amount(50000, isk).value() == 500);
}
