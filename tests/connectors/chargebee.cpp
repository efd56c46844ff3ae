#include <recoup/connectors/chargebee.hpp>
#define BOOST_TEST_MODULE connector_chargebee
#include <boost/test/unit_test.hpp>

#include "../support/test_support.hpp"
#include "../support/shared_fixtures.hpp"

#include <recoup/json.hpp>
#include <recoup/plugin/loader.hpp>
#include <recoup/signature.hpp>

#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

// Chargebee's webhook source check is HTTP Basic auth; the body is unsigned, so tests "sign" a
// delivery by adding the Authorization header a Chargebee site configured with the MCA's
// credentials would send.

using namespace recoup;
namespace cb = recoup::connectors::chargebee;
namespace json = boost::json;
using recoup_test::read_fixture;

namespace {

const cb::connector chargebee{};
const time_point now = from_unix_seconds(1740830460);
const std::string user = "recoup_hooks";
const std::string password = "s3cret-Pa55:with-colon";
const std::vector<std::string> secrets{user + ":" + password};

std::string shared(const std::string& name) { return read_fixture("RECOUP_SHARED_FIXTURES", "chargebee/" + name); }
std::string own(const std::string& name) { return read_fixture("RECOUP_TEST_FIXTURES", "chargebee/" + name); }

owned_request delivery(std::string body, std::optional<std::string> authorization = basic_auth_value(user, password))
{
    owned_request r;
    r.path = "/v2/webhooks/revenue_recovery/pro_demo/mca_chargebee";
    r.headers.emplace_back("Content-Type", "application/json");
    if (authorization) r.headers.emplace_back("Authorization", *authorization);
    r.body = std::move(body);
    return r;
}

mca_config account(const std::vector<std::string>& s = secrets, std::string_view api_key = "")
{
    mca_config mca;
    mca.secrets = s;
    mca.api_key = api_key;
    return mca;
}

result<void> verify(const owned_request& r, const std::vector<std::string>& s = secrets, time_point at = now)
{
    return chargebee.verify_source(r.view(), account(s), at);
}

result<normalized_webhook> normalized(const std::string& body)
{
    const auto r = delivery(body);
    return normalize(chargebee, r.view(), account());
}

// Verifies, then normalizes: what the flow does with one delivery.
normalized_webhook accepted(const std::string& body)
{
    const auto r = delivery(body);
    const auto verified = verify(r);
    BOOST_TEST_REQUIRE(verified.has_value(), (verified ? "" : verified.error().what()));
    auto n = normalize(chargebee, r.view(), account());
    BOOST_TEST_REQUIRE(n.has_value(), (n ? "" : n.error().what()));
    return std::move(*n);
}

failure rejected(const std::string& body)
{
    auto n = normalized(body);
    BOOST_TEST_REQUIRE(!n.has_value());
    return n.error();
}

// Edits one of our payloads: the mutation is the point of the test.
std::string edited(const std::string& body, const std::function<void(json::object&)>& edit)
{
    auto v = json::parse(body);
    edit(v.as_object());
    return json::serialize(v);
}

json::object& at(json::object& o, std::initializer_list<std::string_view> path)
{
    json::object* cur = &o;
    for (auto key : path) cur = &cur->at(key).as_object();
    return *cur;
}

// Printable optionals, so a mismatch shows both sides.
std::string opt(const std::optional<std::string>& v) { return v ? *v : "<none>"; }
std::string opt(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : "<none>"; }
std::string opt(const std::optional<std::int32_t>& v) { return v ? std::to_string(*v) : "<none>"; }
const std::string none = "<none>";

std::string event_name(const normalized_webhook& n) { return std::string(to_string(n.event_type)); }

struct expected_invoice {
    std::string reference;
    std::int64_t amount;
    std::string currency;
    std::int32_t retry_count;
    std::string next_billing_at;
};

void check_invoice(const recovery_invoice& i, const expected_invoice& e)
{
    BOOST_TEST(i.merchant_reference_id.str() == e.reference);
    BOOST_TEST(i.amount == e.amount);
    BOOST_TEST(i.currency.str() == e.currency);
    BOOST_TEST(i.retry_count == e.retry_count);
    BOOST_TEST(opt(i.next_billing_at) == e.next_billing_at);
}

struct expected_attempt {
    std::int64_t amount;
    std::string currency;
    std::string reference;
    std::string transaction_id;
    std::string error_code;
    std::string error_message;
    std::string token;
    std::string customer;
    std::string gateway_account;
    std::string created_at;
    attempt_status status;
    std::string payment_method_type;
    std::string payment_method_subtype;
    std::string retry_count;
};

void check_attempt(const recovery_attempt& a, const expected_attempt& e)
{
    BOOST_TEST(a.amount == e.amount);
    BOOST_TEST(a.currency.str() == e.currency);
    BOOST_TEST(a.merchant_reference_id.str() == e.reference);
    BOOST_TEST(a.connector_transaction_id == e.transaction_id);
    BOOST_TEST(opt(a.error_code) == e.error_code);
    BOOST_TEST(opt(a.error_message) == e.error_message);
    BOOST_TEST(opt(a.processor_payment_method_token) == e.token);
    BOOST_TEST(opt(a.connector_customer_id) == e.customer);
    BOOST_TEST(opt(a.connector_account_reference_id) == e.gateway_account);
    BOOST_TEST(opt(a.transaction_created_at) == e.created_at);
    BOOST_TEST(to_string(a.status) == to_string(e.status));
    BOOST_TEST(opt(a.payment_method_type) == e.payment_method_type);
    BOOST_TEST(opt(a.payment_method_subtype) == e.payment_method_subtype);
    BOOST_TEST(opt(a.retry_count) == e.retry_count);
    BOOST_TEST(opt(a.charge_id) == none);
}

} // namespace

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(shared_payloads, *recoup_test::needs_shared_fixtures())

BOOST_AUTO_TEST_CASE(payment_failed_collects_amount_due_not_total)
{
    const auto n = accepted(shared("payment_failed.json"));
    BOOST_TEST(event_name(n) == "RecoveryPaymentFailure");
    BOOST_TEST(opt(n.event_id) == "ev_3Nl7oGgQqGG8UK4s");
    BOOST_TEST(n.object_reference_id == "6");
    BOOST_TEST_REQUIRE(n.invoice.has_value());
    // total 1095, credits 871: only 224 is still to collect (unlike the reference's 1095).
    check_invoice(*n.invoice, {"6", 224, "USD", 1, "1367437254"});
    BOOST_TEST_REQUIRE(n.invoice->billing_address.has_value());
    BOOST_TEST((*n.invoice->billing_address == address{"Joe", "Ross", {}, {}, {}, {}, {}, {}, {}}));
    BOOST_TEST_REQUIRE(n.attempt.has_value());
    // reference_id "tok_..." has no '/': a bare token, no customer id.
    check_attempt(*n.attempt, {224, "USD", "6", "cb_3Nl7oGgQqGG8Q24n", "3001", "Insufficient funds",
                               "tok_3Nl7oGgQqGG6Jl41", none, "gw_3Nl7oGgQqGFlba2", "1364845255",
                               attempt_status::failure, "card", none, "1"});
}

BOOST_AUTO_TEST_CASE(payment_succeeded_falls_back_to_transaction_id)
{
    const auto n = accepted(shared("payment_succeeded.json"));
    BOOST_TEST(event_name(n) == "RecoveryPaymentSuccess");
    BOOST_TEST(opt(n.event_id) == "ev_AzqYRySIstMN16O");
    BOOST_TEST(n.object_reference_id == "22");
    BOOST_TEST_REQUIRE(n.invoice.has_value());
    // Paid: nothing is left to collect.
    check_invoice(*n.invoice, {"22", 0, "USD", 1, "1639241376"});
    BOOST_TEST((n.invoice->billing_address ==
                address{"Tax", "Customer", {}, {}, {}, {}, "Ohio", "44145", "US"}));
    BOOST_TEST_REQUIRE(n.attempt.has_value());
    // Offline cash payment: no id_at_gateway, no gateway account, no stored payment method.
    check_attempt(*n.attempt, {450000, "USD", "22", "txn_AzqYRySIstMLf6N", none, none, none, none, none,
                               "1607700898", attempt_status::charged, "cash", none, "1"});
}

BOOST_AUTO_TEST_CASE(payment_initiated_is_pending)
{
    const auto n = accepted(shared("payment_initiated.json"));
    BOOST_TEST(event_name(n) == "RecoveryPaymentPending");
    BOOST_TEST(opt(n.event_id) == "ev_3Nl7oGgQqGG6Bo3o");
    BOOST_TEST(n.object_reference_id == "4");
    BOOST_TEST_REQUIRE(n.invoice.has_value());
    check_invoice(*n.invoice, {"4", 1000, "USD", 1, "1364931667"});
    BOOST_TEST((n.invoice->billing_address == address{"createSubs", {}, {}, {}, {}, {}, {}, {}, {}}));
    BOOST_TEST_REQUIRE(n.attempt.has_value());
    // Authorize.Net: "<customer profile>/<payment profile>".
    check_attempt(*n.attempt, {1000, "USD", "4", "60102328511", none, none, "1827223617", "1913346832",
                               "gw_3Nl7oGgQqGFoyZ6", "1362253285", attempt_status::pending, "direct_debit",
                               none, "1"});
}

BOOST_AUTO_TEST_CASE(invoice_deleted_cancels_without_customer_or_attempt)
{
    const auto n = accepted(shared("invoice_deleted.json"));
    BOOST_TEST(event_name(n) == "RecoveryInvoiceCancel");
    BOOST_TEST(opt(n.event_id) == "ev_AzqYRASIsZ0lFid");
    BOOST_TEST(n.object_reference_id == "21");
    BOOST_TEST_REQUIRE(n.invoice.has_value());
    check_invoice(*n.invoice, {"21", 32400, "USD", 0, none});
    BOOST_TEST((n.invoice->billing_address ==
                address{"Tax", "Customer", {}, {}, {}, {}, "Ohio", "44145", "US"}));
    BOOST_TEST(!n.attempt.has_value());
}

BOOST_AUTO_TEST_CASE(invoice_updated_in_dunning_is_not_supported)
{
    const auto n = accepted(shared("invoice_updated.json"));
    BOOST_TEST(event_name(n) == "EventNotSupported");
    BOOST_TEST(opt(n.event_id) == "ev_16BgNRSDmSfQB2sPm");
    BOOST_TEST(!n.invoice.has_value());
    BOOST_TEST(!n.attempt.has_value());
    BOOST_TEST(n.response.status == 200);
    BOOST_TEST(n.response.body == "{}");
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(own_payloads)

BOOST_AUTO_TEST_CASE(payment_failed_with_card_details_and_scheduled_webhooks_array)
{
    const auto body = own("payment_failed_card.json");
    BOOST_TEST(json::parse(body).at("webhooks").as_array().size() == 1u);
    const auto n = accepted(body);
    BOOST_TEST(event_name(n) == "RecoveryPaymentFailure");
    BOOST_TEST(opt(n.event_id) == "ev_rc_PayFail0001");
    BOOST_TEST(n.object_reference_id == "inv_rc_2041");
    BOOST_TEST_REQUIRE(n.invoice.has_value());
    check_invoice(*n.invoice, {"inv_rc_2041", 3900, "EUR", 2, "1743465600"});
    BOOST_TEST((n.invoice->billing_address == address{"Ada", "Example", "12 Sample Street", "Floor 3", {}, "Lyon",
                                                      "Auvergne-Rhone-Alpes", "69002", "FR"}));
    BOOST_TEST_REQUIRE(n.attempt.has_value());
    check_attempt(*n.attempt, {3900, "EUR", "inv_rc_2041", "ch_rc_3QxFail002", "card_declined",
                               "Your card was declined.", "pm_RcCard0002", "cus_RcAda0001", "gw_rc_stripe_eu",
                               "1740830400", attempt_status::failure, "card", "credit", "2"});
}

BOOST_AUTO_TEST_CASE(payment_succeeded_invoice_without_amount_due_uses_total)
{
    const auto n = accepted(own("payment_succeeded_total_only.json"));
    BOOST_TEST(event_name(n) == "RecoveryPaymentSuccess");
    BOOST_TEST_REQUIRE(n.invoice.has_value());
    check_invoice(*n.invoice, {"inv_rc_2042", 12500, "USD", 1, none});
    BOOST_TEST_REQUIRE(n.attempt.has_value());
    check_attempt(*n.attempt, {12500, "USD", "inv_rc_2042", "bt_rc_9k2m4p", none, none, "tok_rc_SingleToken9", none,
                               "gw_rc_braintree_us", "1740900300", attempt_status::charged, "card", "debit", "1"});
}

BOOST_AUTO_TEST_CASE(payment_initiated_direct_debit)
{
    const auto n = accepted(own("payment_initiated_direct_debit.json"));
    BOOST_TEST(event_name(n) == "RecoveryPaymentPending");
    BOOST_TEST_REQUIRE(n.invoice.has_value());
    check_invoice(*n.invoice, {"inv_rc_2043", 2000, "GBP", 1, "1743600000"});
    BOOST_TEST(!n.invoice->billing_address.has_value());
    BOOST_TEST_REQUIRE(n.attempt.has_value());
    check_attempt(*n.attempt, {2000, "GBP", "inv_rc_2043", "PM_rc00AB12", none, none, "MD_rc0001", "CU_rc0001",
                               "gw_rc_gocardless", "1741000000", attempt_status::pending, "direct_debit", none, "1"});
}

BOOST_AUTO_TEST_CASE(invoice_deleted_without_linked_payments)
{
    const auto n = accepted(own("invoice_deleted.json"));
    BOOST_TEST(event_name(n) == "RecoveryInvoiceCancel");
    BOOST_TEST(n.object_reference_id == "inv_rc_2044");
    BOOST_TEST_REQUIRE(n.invoice.has_value());
    check_invoice(*n.invoice, {"inv_rc_2044", 750, "GBP", 0, none});
    BOOST_TEST(!n.attempt.has_value());
}

BOOST_AUTO_TEST_CASE(invoice_updated_voided_cancels)
{
    const auto n = accepted(own("invoice_voided.json"));
    BOOST_TEST(event_name(n) == "RecoveryInvoiceCancel");
    BOOST_TEST(opt(n.event_id) == "ev_rc_InvVoid0001");
    BOOST_TEST(n.object_reference_id == "inv_rc_2045");
    BOOST_TEST_REQUIRE(n.invoice.has_value());
    check_invoice(*n.invoice, {"inv_rc_2045", 0, "USD", 3, "1743800000"});
    BOOST_TEST((n.invoice->billing_address == address{"Ed", "Placeholder", {}, {}, {}, {}, {}, {}, "DE"}));
    BOOST_TEST(!n.attempt.has_value());
}

BOOST_AUTO_TEST_CASE(unconsumed_event_is_acknowledged_not_an_error)
{
    const auto n = accepted(own("customer_changed.json"));
    BOOST_TEST(event_name(n) == "EventNotSupported");
    BOOST_TEST(opt(n.event_id) == "ev_rc_CustChg0001");
    BOOST_TEST(!n.invoice.has_value());
    BOOST_TEST(n.sync_requests.empty());
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(event_classification)

BOOST_AUTO_TEST_CASE(transaction_status_maps_exhaustively)
{
    const std::pair<const char*, attempt_status> cases[] = {
        {"success", attempt_status::charged},          {"failure", attempt_status::failure},
        {"timeout", attempt_status::failure},          {"late_failure", attempt_status::failure},
        {"in_progress", attempt_status::pending},      {"needs_attention", attempt_status::pending},
    };
    for (const auto& [status, expected] : cases) {
        BOOST_TEST_CONTEXT("status " << status)
        {
            // (A named copy: clang 14 cannot capture a structured binding.)
            const auto body = edited(own("payment_failed_card.json"), [&, status = status](json::object& o) {
                at(o, {"content", "transaction"})["status"] = status;
            });
            const auto n = accepted(body);
            BOOST_TEST_REQUIRE(n.attempt.has_value());
            BOOST_TEST(to_string(n.attempt->status) == to_string(expected));
        }
    }
}

BOOST_AUTO_TEST_CASE(unknown_transaction_status_names_its_path)
{
    const auto f = rejected(edited(own("payment_failed_card.json"),
                                   [](json::object& o) { at(o, {"content", "transaction"})["status"] = "voided"; }));
    BOOST_TEST(to_string(f.code) == "invalid_field");
    BOOST_TEST(f.field == "content.transaction.status");
}

BOOST_AUTO_TEST_CASE(invoice_updated_other_than_void_needs_no_content)
{
    for (const char* status : {"paid", "posted", "not_paid", "pending"}) {
        BOOST_TEST_CONTEXT("invoice status " << status)
        {
            const auto body = edited(own("invoice_voided.json"),
                                     [&](json::object& o) { at(o, {"content", "invoice"})["status"] = status; });
            BOOST_TEST(event_name(accepted(body)) == "EventNotSupported");
        }
    }
    // Without content at all, an invoice_updated cannot be a void.
    const auto bare = edited(own("invoice_voided.json"), [](json::object& o) { o.erase("content"); });
    BOOST_TEST(event_name(accepted(bare)) == "EventNotSupported");
}

BOOST_AUTO_TEST_CASE(unconsumed_event_with_odd_content_still_parses)
{
    const auto body = edited(own("customer_changed.json"), [](json::object& o) { o["content"] = 42; });
    BOOST_TEST(event_name(accepted(body)) == "EventNotSupported");
    BOOST_TEST(event_name(accepted(R"({"event_type":"subscription_created"})")) == "EventNotSupported");
}

BOOST_AUTO_TEST_CASE(payment_event_without_customer_has_no_token)
{
    const auto body =
        edited(own("payment_failed_card.json"), [](json::object& o) { at(o, {"content"}).erase("customer"); });
    const auto n = accepted(body);
    BOOST_TEST_REQUIRE(n.attempt.has_value());
    BOOST_TEST(opt(n.attempt->processor_payment_method_token) == none);
    BOOST_TEST(opt(n.attempt->connector_customer_id) == none);
}

BOOST_AUTO_TEST_CASE(reference_id_splits_first_and_last_part)
{
    const auto three = cb::split_reference_id("cus_A/src_B/pm_C");
    BOOST_TEST(opt(three.customer_id) == "cus_A");
    BOOST_TEST(opt(three.token) == "pm_C");
    const auto bare = cb::split_reference_id("tok_only");
    BOOST_TEST(opt(bare.customer_id) == none);
    BOOST_TEST(opt(bare.token) == "tok_only");
}

BOOST_AUTO_TEST_CASE(malformed_payment_method_details_string_is_invalid)
{
    const auto f = rejected(edited(own("payment_failed_card.json"), [](json::object& o) {
        at(o, {"content", "transaction"})["payment_method_details"] = "{\"card\":{\"funding_type\":";
    }));
    BOOST_TEST(to_string(f.code) == "invalid_field");
    BOOST_TEST(f.field == "content.transaction.payment_method_details");

    const auto g = rejected(edited(own("payment_failed_card.json"), [](json::object& o) {
        at(o, {"content", "transaction"})["payment_method_details"] = "{\"card\":\"visa\"}";
    }));
    BOOST_TEST(to_string(g.code) == "invalid_field");
    BOOST_TEST(g.field == "content.transaction.payment_method_details");
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(malformed_bodies)

BOOST_AUTO_TEST_CASE(missing_transaction_amount_names_its_path)
{
    const auto f = rejected(own("payment_failed_missing_amount.json"));
    BOOST_TEST(to_string(f.code) == "missing_field");
    BOOST_TEST(f.field == "content.transaction.amount");
}

BOOST_AUTO_TEST_CASE(every_required_field_names_its_path)
{
    struct field_case {
        const char* file;
        std::function<void(json::object&)> edit;
        const char* code;
        const char* field;
    };
    const field_case cases[] = {
        {"payment_failed_card.json", [](json::object& o) { o.erase("event_type"); }, "missing_field", "event_type"},
        {"payment_failed_card.json", [](json::object& o) { o.erase("content"); }, "missing_field", "content"},
        {"payment_failed_card.json", [](json::object& o) { at(o, {"content"}).erase("transaction"); },
         "missing_field", "content.transaction"},
        {"payment_failed_card.json", [](json::object& o) { at(o, {"content"}).erase("invoice"); },
         "missing_field", "content.invoice"},
        {"payment_failed_card.json", [](json::object& o) { at(o, {"content", "invoice"}).erase("id"); },
         "missing_field", "content.invoice.id"},
        {"payment_failed_card.json", [](json::object& o) { at(o, {"content", "invoice"})["id"] = "inv 2041"; },
         "invalid_field", "content.invoice.id"},
        {"payment_failed_card.json", [](json::object& o) { at(o, {"content", "invoice"})["currency_code"] = "ZZZ"; },
         "unsupported_currency", "content.invoice.currency_code"},
        {"payment_failed_card.json",
         [](json::object& o) {
             at(o, {"content", "invoice"}).erase("amount_due");
             at(o, {"content", "invoice"}).erase("total");
         },
         "missing_field", "content.invoice.amount_due"},
        {"payment_failed_card.json", [](json::object& o) { at(o, {"content", "invoice"})["amount_due"] = -1; },
         "amount_out_of_range", "content.invoice.amount_due"},
        {"payment_failed_card.json", [](json::object& o) { at(o, {"content", "invoice"})["linked_payments"] = "x"; },
         "invalid_field", "content.invoice.linked_payments"},
        {"payment_failed_card.json", [](json::object& o) { at(o, {"content", "transaction"}).erase("id"); },
         "missing_field", "content.transaction.id"},
        {"payment_failed_card.json", [](json::object& o) { at(o, {"content", "transaction"})["amount"] = "3900"; },
         "invalid_field", "content.transaction.amount"},
        {"payment_failed_card.json", [](json::object& o) { at(o, {"content", "transaction"})["amount"] = 39.5; },
         "invalid_field", "content.transaction.amount"},
        {"payment_failed_card.json", [](json::object& o) { at(o, {"content", "transaction"}).erase("currency_code"); },
         "missing_field", "content.transaction.currency_code"},
        {"payment_failed_card.json", [](json::object& o) { at(o, {"content", "transaction"}).erase("status"); },
         "missing_field", "content.transaction.status"},
        {"payment_failed_card.json",
         [](json::object& o) { at(o, {"content", "customer", "payment_method"})["reference_id"] = 7; },
         "invalid_field", "content.customer.payment_method.reference_id"},
        {"payment_failed_card.json",
         [](json::object& o) { at(o, {"content", "subscription"})["next_billing_at"] = "soon"; },
         "invalid_field", "content.subscription.next_billing_at"},
        {"invoice_deleted.json", [](json::object& o) { at(o, {"content", "invoice"}).erase("currency_code"); },
         "missing_field", "content.invoice.currency_code"},
        {"invoice_voided.json", [](json::object& o) { at(o, {"content", "invoice"})["billing_address"] = "DE"; },
         "invalid_field", "content.invoice.billing_address"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.file << " -> " << c.field)
        {
            const auto f = rejected(edited(own(c.file), c.edit));
            BOOST_TEST(to_string(f.code) == c.code);
            BOOST_TEST(f.field == c.field);
        }
    }
}

BOOST_AUTO_TEST_CASE(not_json_body)
{
    for (const char* body : {"", "not json", "{\"id\":", "event_type=payment_failed"}) {
        BOOST_TEST_CONTEXT("body " << body)
        {
            BOOST_TEST(to_string(rejected(body).code) == "body_not_json");
        }
    }
}

BOOST_AUTO_TEST_CASE(json_that_is_not_an_object)
{
    for (const char* body : {"[]", "\"payment_failed\"", "null", "42"}) {
        BOOST_TEST_CONTEXT("body " << body)
        {
            BOOST_TEST(to_string(rejected(body).code) == "invalid_field");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(source_verification)

BOOST_AUTO_TEST_CASE(sdk_test_vector)
{
    // chargebee-node test/webhook.test.ts: testuser:testpass.
    const auto r = delivery("{}", std::string("Basic dGVzdHVzZXI6dGVzdHBhc3M="));
    BOOST_TEST(verify(r, {"testuser:testpass"}).has_value());
}

BOOST_AUTO_TEST_CASE(every_shared_payload_verifies, *recoup_test::needs_shared_fixtures())
{
    for (const char* name : {"payment_failed.json", "payment_succeeded.json", "payment_initiated.json",
                             "invoice_deleted.json", "invoice_updated.json"}) {
        BOOST_TEST_CONTEXT(name) { BOOST_TEST(verify(delivery(shared(name))).has_value()); }
    }
}

BOOST_AUTO_TEST_CASE(header_name_is_case_insensitive_and_scheme_too)
{
    auto r = delivery(own("invoice_deleted.json"), std::nullopt);
    r.headers.emplace_back("authorization", "basic " + basic_auth_value(user, password).substr(6));
    BOOST_TEST(verify(r).has_value());
}

BOOST_AUTO_TEST_CASE(wrong_credentials_are_rejected)
{
    const auto body = own("payment_failed_card.json");
    for (const auto& [u, p] : std::vector<std::pair<std::string, std::string>>{
             {user, "wrong"}, {"someone", password}, {user, password + "x"}, {user, ""}, {"", ""}}) {
        BOOST_TEST_CONTEXT(u << ":" << p)
        {
            const auto v = verify(delivery(body, basic_auth_value(u, p)));
            BOOST_TEST_REQUIRE(!v.has_value());
            BOOST_TEST(to_string(v.error().code) == "signature_mismatch");
            BOOST_TEST(v.error().field == "Authorization");
        }
    }
}

BOOST_AUTO_TEST_CASE(flipped_credential_byte_is_rejected)
{
    auto header = basic_auth_value(user, password);
    header[10] = header[10] == 'A' ? 'B' : 'A';
    const auto v = verify(delivery(own("payment_failed_card.json"), header));
    BOOST_TEST_REQUIRE(!v.has_value());
    BOOST_TEST(to_string(v.error().code) == "signature_mismatch");
}

BOOST_AUTO_TEST_CASE(flipped_body_byte_is_not_covered_by_basic_auth)
{
    // Basic auth authenticates the sender, not the bytes: Chargebee offers no body signature.
    // A flipped byte still verifies; the parse is what catches damage to the JSON.
    auto body = own("payment_failed_card.json");
    auto damaged = body;
    damaged[damaged.find("\"amount\": 3900")] = '\'';
    BOOST_TEST(verify(delivery(damaged)).has_value());
    BOOST_TEST(to_string(rejected(damaged).code) == "body_not_json");

    auto changed = body;
    changed[changed.find("\"amount\": 3900") + 11] = '8';
    BOOST_TEST(verify(delivery(changed)).has_value());
    const auto n = accepted(changed);
    BOOST_TEST_REQUIRE(n.attempt.has_value());
    BOOST_TEST(n.attempt->amount == 3800);
}

BOOST_AUTO_TEST_CASE(rotation_accepts_old_and_new)
{
    const std::vector<std::string> rotating{"old_user:old-pass", "new_user:new-pass"};
    const auto body = own("payment_failed_card.json");
    BOOST_TEST(verify(delivery(body, basic_auth_value("old_user", "old-pass")), rotating).has_value());
    BOOST_TEST(verify(delivery(body, basic_auth_value("new_user", "new-pass")), rotating).has_value());
    const std::vector<std::string> wrong_then_right{"nobody:nothing", user + ":" + password};
    BOOST_TEST(verify(delivery(body), wrong_then_right).has_value());
    const std::vector<std::string> with_empty{"", user + ":" + password};
    BOOST_TEST(verify(delivery(body), with_empty).has_value());
    // A mix of one credential's user and the other's password is neither.
    const auto mixed = verify(delivery(body, basic_auth_value("old_user", "new-pass")), rotating);
    BOOST_TEST(!mixed.has_value());
}

BOOST_AUTO_TEST_CASE(no_timestamp_so_the_clock_does_not_matter)
{
    // Nothing stale or future to reject: replays are caught by event-id dedup in the flow.
    const auto r = delivery(own("payment_failed_card.json"));
    BOOST_TEST(verify(r, secrets, from_unix_seconds(0)).has_value());
    BOOST_TEST(verify(r, secrets, from_unix_seconds(4102444800)).has_value());
}

BOOST_AUTO_TEST_CASE(missing_header)
{
    const auto v = verify(delivery(own("payment_failed_card.json"), std::nullopt));
    BOOST_TEST_REQUIRE(!v.has_value());
    BOOST_TEST(to_string(v.error().code) == "missing_signature");
    BOOST_TEST(v.error().field == "Authorization");
}

BOOST_AUTO_TEST_CASE(duplicated_header)
{
    auto r = delivery(own("payment_failed_card.json"));
    r.headers.emplace_back("AUTHORIZATION", basic_auth_value(user, password));
    const auto v = verify(r);
    BOOST_TEST_REQUIRE(!v.has_value());
    BOOST_TEST(to_string(v.error().code) == "duplicate_signature_header");
    BOOST_TEST(v.error().field == "Authorization");
}

BOOST_AUTO_TEST_CASE(malformed_header)
{
    for (const char* value : {"Bearer abc", "Basic", "Basic !!!", "Basic dGVzdHVzZXI=", ""}) {
        BOOST_TEST_CONTEXT("Authorization: " << value)
        {
            const auto v = verify(delivery(own("payment_failed_card.json"), std::string(value)));
            BOOST_TEST_REQUIRE(!v.has_value());
            BOOST_TEST(to_string(v.error().code) == "malformed_signature");
        }
    }
}

BOOST_AUTO_TEST_CASE(no_credentials_configured)
{
    const auto v = verify(delivery(own("payment_failed_card.json")), {});
    BOOST_TEST_REQUIRE(!v.has_value());
    BOOST_TEST(to_string(v.error().code) == "no_secret_configured");
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(record_back)

const std::string api_key = "test_cbKey_42";
// base64("test_cbKey_42:"), computed independently (python3 base64).
const std::string expected_auth = "Basic dGVzdF9jYktleV80Mjo=";

BOOST_AUTO_TEST_CASE(success)
{
    record_back_request r;
    r.outcome = recovery_outcome::succeeded;
    r.invoice_id = "inv_rc_2041";
    r.amount = 3900;
    r.currency = *find_currency("EUR");
    r.connector_transaction_id = "pi_3RcRetry0001";
    r.payment_method_type = "card";
    r.occurred_at = 1741003200;
    const auto out = chargebee.record_back(r, account(secrets, api_key));
    BOOST_TEST_REQUIRE(out.has_value(), (out ? "" : out.error().what()));
    BOOST_TEST(out->method == "POST");
    BOOST_TEST(out->path == "/v2/invoices/inv_rc_2041/record_payment");
    BOOST_TEST_REQUIRE(out->headers.size() == 2u);
    BOOST_TEST(out->headers[0].name == "Authorization");
    BOOST_TEST(out->headers[0].value == expected_auth);
    BOOST_TEST(out->headers[1].name == "Content-Type");
    BOOST_TEST(out->headers[1].value == "application/x-www-form-urlencoded");
    BOOST_TEST(out->body == "transaction[amount]=3900&transaction[payment_method]=other&transaction[status]=success"
                            "&transaction[date]=1741003200&transaction[id_at_gateway]=pi_3RcRetry0001");
}

BOOST_AUTO_TEST_CASE(failure_without_transaction_id)
{
    record_back_request r;
    r.outcome = recovery_outcome::failed;
    r.invoice_id = "6";
    r.amount = 224;
    r.currency = *find_currency("USD");
    r.occurred_at = 1364931655;
    const auto out = chargebee.record_back(r, account(secrets, api_key));
    BOOST_TEST_REQUIRE(out.has_value());
    const outbound_request expected{
        "POST",
        "/v2/invoices/6/record_payment",
        {{"Authorization", expected_auth}, {"Content-Type", "application/x-www-form-urlencoded"}},
        "transaction[amount]=224&transaction[payment_method]=other&transaction[status]=failure"
        "&transaction[date]=1364931655",
    };
    BOOST_TEST((*out == expected));
}

BOOST_AUTO_TEST_CASE(values_are_percent_encoded)
{
    record_back_request r;
    r.invoice_id = "inv-1";
    r.amount = 1;
    r.connector_transaction_id = "a b&c=d/\xC3\xA9+~";
    const auto out = chargebee.record_back(r, account(secrets, api_key));
    BOOST_TEST_REQUIRE(out.has_value());
    BOOST_TEST(out->body.ends_with("&transaction[id_at_gateway]=a%20b%26c%3Dd%2F%C3%A9%2B~"));
}

BOOST_AUTO_TEST_CASE(rejects_what_it_cannot_send)
{
    record_back_request r;
    r.invoice_id = "../customers/x";
    r.amount = 100;
    auto out = chargebee.record_back(r, account(secrets, api_key));
    BOOST_TEST_REQUIRE(!out.has_value());
    BOOST_TEST(to_string(out.error().code) == "invalid_field");
    BOOST_TEST(out.error().field == "invoice_id");

    r.invoice_id = "inv-1";
    r.amount = -5;
    out = chargebee.record_back(r, account(secrets, api_key));
    BOOST_TEST_REQUIRE(!out.has_value());
    BOOST_TEST(to_string(out.error().code) == "amount_out_of_range");

    r.amount = 5;
    out = chargebee.record_back(r, account(secrets, ""));
    BOOST_TEST_REQUIRE(!out.has_value());
    BOOST_TEST(to_string(out.error().code) == "no_secret_configured");
    BOOST_TEST(out.error().field == "api_key");
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
// The built plugin (meson: build/plugins/recoup_chargebee.so) gives what the class gives.
BOOST_AUTO_TEST_CASE(plugin_matches_static_connector, *recoup_test::needs_shared_fixtures())
{
    const char* dir = std::getenv("RECOUP_TEST_PLUGIN_DIR");
    const auto path = dir ? std::filesystem::path(dir) / "recoup_chargebee.so" : std::filesystem::path();
    if (!dir || !std::filesystem::exists(path)) {
        BOOST_TEST_MESSAGE("recoup_chargebee.so not built: plugin check skipped");
        return;
    }
    auto loaded = plugin::load_connector(path);
    BOOST_TEST_REQUIRE(loaded.has_value(), (loaded ? "" : loaded.error().what()));
    BOOST_TEST(loaded->info().name == "chargebee");
    BOOST_TEST(loaded->info().can_record_back());
    BOOST_TEST(!loaded->info().can_sync());
    for (const char* name : {"payment_failed.json", "payment_succeeded.json", "payment_initiated.json",
                             "invoice_deleted.json", "invoice_updated.json"}) {
        BOOST_TEST_CONTEXT(name)
        {
            const auto r = delivery(shared(name));
            BOOST_TEST(loaded->verify_source(r.view(), account(), now).has_value());
            const auto dynamic = normalize(*loaded, r.view(), account());
            const auto statically = normalize(chargebee, r.view(), account());
            BOOST_TEST_REQUIRE(dynamic.has_value());
            BOOST_TEST_REQUIRE(statically.has_value());
            BOOST_TEST(json::serialize(json::value_from(*dynamic)) == json::serialize(json::value_from(*statically)));
        }
    }
    const auto bad = loaded->verify_source(delivery("{}", basic_auth_value(user, "nope")).view(), account(), now);
    BOOST_TEST_REQUIRE(!bad.has_value());
    BOOST_TEST(to_string(bad.error().code) == "signature_mismatch");
    const auto missing = normalize(*loaded, delivery(own("payment_failed_missing_amount.json")).view(), account());
    BOOST_TEST_REQUIRE(!missing.has_value());
    BOOST_TEST(missing.error().field == "content.transaction.amount");
}
