#include <recoup/connectors/recurly.hpp>

#define BOOST_TEST_MODULE connector_recurly
#include <boost/test/unit_test.hpp>

#include "../support/test_support.hpp"
#include "../support/shared_fixtures.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using recoup::error;
using recoup::incoming_webhook_event;
namespace rq = recoup::connectors::recurly;

namespace {

constexpr std::string_view secret = "rq_whsec_5b2d8e1f0a9c4e7b";
constexpr std::string_view old_secret = "rq_whsec_old_77c1e2a3f4b5";
constexpr std::string_view api_key = "rq_test_api_key_5d8e";
constexpr std::string_view expected_authorization = "Basic cnFfdGVzdF9hcGlfa2V5XzVkOGU6"; // "rq_test_api_key_5d8e:"
constexpr std::string_view accept = "application/vnd.recurly.v2021-02-25";
const recoup::time_point now = recoup::from_unix_seconds(1709712960);

// Shared payloads are read in place, never copied into the project.
std::string shared(const std::string& name) { return recoup_test::read_fixture("RECOUP_SHARED_FIXTURES", "recurly/" + name); }
std::string own(const std::string& name) { return recoup_test::read_fixture("RECOUP_TEST_FIXTURES", "recurly/" + name); }

std::string opt(const std::optional<std::string>& s) { return s.value_or("<none>"); }
std::int64_t opt(const std::optional<std::int64_t>& v) { return v.value_or(-999); }

// Owns what an mca_config points into.
struct account {
    std::vector<std::string> secrets{std::string(secret)};
    boost::json::object settings;
    recoup::mca_config config() const { return {secrets, api_key, &settings}; }
};

recoup::owned_request request_with(std::string body, std::vector<std::pair<std::string, std::string>> headers)
{
    recoup::owned_request r;
    r.path = "/v2/webhooks/revenue_recovery/pro_demo/mca_recurly";
    r.headers = std::move(headers);
    r.headers.insert(r.headers.begin(), {"Content-Type", "application/json"});
    r.body = std::move(body);
    return r;
}

recoup::owned_request signed_request(std::string body, std::string_view key = secret, recoup::time_point at = now)
{
    auto signature = recoup::sign_recurly(body, key, at);
    return request_with(std::move(body), {{"recurly-signature", signature}});
}

recoup::result<void> verify(const recoup::owned_request& req, const account& acc = {}, recoup::time_point at = now)
{
    return rq::connector{}.verify_source(req.view(), acc.config(), at);
}

recoup::http_response ok(std::string body) { return {200, {}, std::move(body)}; }

using answers = std::map<std::string, recoup::http_response>; // "GET /path" -> response

// Drives normalize() like the host: each round's requests are answered from `responses`, and
// normalize() runs again with every exchange so far, until nothing is requested or unanswered.
struct drive_result {
    recoup::result<recoup::normalized_webhook> last;
    std::vector<std::vector<recoup::outbound_request>> rounds;
};

drive_result drive(const recoup::owned_request& req, const answers& responses, const account& acc = {})
{
    const rq::connector c;
    std::vector<recoup::sync_exchange> exchanges;
    std::vector<std::vector<recoup::outbound_request>> rounds;
    for (int round = 0;; ++round) {
        auto n = recoup::normalize(c, req.view(), acc.config(), exchanges);
        if (!n || n->sync_requests.empty() || round == 5) return {std::move(n), std::move(rounds)};
        rounds.push_back(n->sync_requests);
        for (const auto& r : n->sync_requests) {
            auto it = responses.find(r.method + " " + r.path);
            if (it == responses.end()) return {std::move(n), std::move(rounds)};
            exchanges.push_back({r, it->second});
        }
    }
}

recoup::outbound_request get(std::string path)
{
    return {"GET", std::move(path), {{"Accept", std::string(accept)}, {"Authorization", std::string(expected_authorization)}}, ""};
}

const std::string failed_uuid = "5f0a1b2c3d4e5f60718293a4b5c6d7e8";     // own payment_failed
const std::string succeeded_uuid = "5f0a1b2c3d4e5f60718293a4b5c6d7e9";  // own payment_succeeded
const std::string pending_uuid = "5f0a1b2c3d4e5f60718293a4b5c6d7ea";    // own processing/scheduled
const std::string shared_failed_uuid = "63abcf806e29cbfb3ec9c84e658777be";
const std::string shared_other_uuid = "63b068f7d409d4b4478dea4e6aba58ae"; // succeeded, scheduled, processing

answers declined_answers(const std::string& uuid)
{
    return {{"GET /transactions/uuid-" + uuid, ok(own("transaction_declined.json"))},
            {"GET /invoices/rqinv0000002", ok(own("invoice_with_balance.json"))}};
}

answers success_answers(const std::string& uuid)
{
    return {{"GET /transactions/uuid-" + uuid, ok(own("transaction_success.json"))},
            {"GET /invoices/rqinv0000001", ok(own("invoice_without_balance.json"))}};
}

answers processing_answers(const std::string& uuid)
{
    return {{"GET /transactions/uuid-" + uuid, ok(own("transaction_processing.json"))},
            {"GET /invoices/rqinv0000003", ok(own("invoice_processing.json"))}};
}

// The declined transaction on the invoice with a balance, as the README-level contract states it.
void check_declined(const recoup::normalized_webhook& n)
{
    BOOST_TEST((n.event_type == incoming_webhook_event::recovery_payment_failure));
    BOOST_TEST(n.object_reference_id == "rqinv0000002");
    BOOST_TEST_REQUIRE(n.invoice.has_value());
    const auto& i = *n.invoice;
    BOOST_TEST(i.merchant_reference_id.str() == "rqinv0000002");
    BOOST_TEST(i.amount == 4999); // balance 49.99 after 10.00 paid of 59.99
    BOOST_TEST(i.currency.str() == "USD");
    BOOST_TEST(i.retry_count == 2);
    BOOST_TEST(!i.next_billing_at.has_value());
    BOOST_TEST_REQUIRE(i.billing_address.has_value());
    const auto& a = *i.billing_address;
    BOOST_TEST(opt(a.first_name) == "Dana");
    BOOST_TEST(opt(a.last_name) == "Whitfield");
    BOOST_TEST(opt(a.line1) == "12 Harbor Lane");
    BOOST_TEST(opt(a.line2) == "Suite 4");
    BOOST_TEST(opt(a.line3) == "<none>");
    BOOST_TEST(opt(a.city) == "Portland");
    BOOST_TEST(opt(a.state) == "OR");
    BOOST_TEST(opt(a.zip) == "97205");
    BOOST_TEST(opt(a.country) == "US");

    BOOST_TEST_REQUIRE(n.attempt.has_value());
    const auto& t = *n.attempt;
    BOOST_TEST(t.amount == 4999);
    BOOST_TEST(t.currency.str() == "USD");
    BOOST_TEST(t.merchant_reference_id.str() == "rqinv0000002");
    BOOST_TEST(t.connector_transaction_id == "rqtxdec00002");
    BOOST_TEST(opt(t.error_code) == "insufficient_funds");
    BOOST_TEST(opt(t.error_message) == "The transaction was declined due to insufficient funds in the account.");
    BOOST_TEST(opt(t.processor_payment_method_token) == "pm_rq_declined_0002");
    BOOST_TEST(opt(t.connector_customer_id) == "rqacc0000002");
    BOOST_TEST(opt(t.connector_account_reference_id) == "rqgw00000002");
    BOOST_TEST(opt(t.transaction_created_at) == 1709712900); // 2024-03-06T08:15:00.123Z
    BOOST_TEST((t.status == recoup::attempt_status::failure));
    BOOST_TEST(opt(t.payment_method_type) == "credit_card");
    BOOST_TEST(opt(t.payment_method_subtype) == "debit");
    BOOST_TEST(!t.retry_count.has_value());
    BOOST_TEST(!t.charge_id.has_value());
}

void check_succeeded(const recoup::normalized_webhook& n)
{
    BOOST_TEST((n.event_type == incoming_webhook_event::recovery_payment_success));
    BOOST_TEST(n.object_reference_id == "rqinv0000001");
    BOOST_TEST_REQUIRE(n.invoice.has_value());
    const auto& i = *n.invoice;
    BOOST_TEST(i.merchant_reference_id.str() == "rqinv0000001");
    BOOST_TEST(i.amount == 1010); // no balance: total 10.1
    BOOST_TEST(i.currency.str() == "USD");
    BOOST_TEST(i.retry_count == 1);
    BOOST_TEST_REQUIRE(i.billing_address.has_value());
    BOOST_TEST(opt(i.billing_address->first_name) == "Lee Okafor"); // name_on_account only
    BOOST_TEST(opt(i.billing_address->last_name) == "<none>");
    BOOST_TEST(opt(i.billing_address->line1) == "400 Market Street");
    BOOST_TEST(opt(i.billing_address->line2) == "<none>");
    BOOST_TEST(opt(i.billing_address->city) == "San Francisco");
    BOOST_TEST(opt(i.billing_address->state) == "CA");
    BOOST_TEST(opt(i.billing_address->zip) == "94111");
    BOOST_TEST(opt(i.billing_address->country) == "US");

    BOOST_TEST_REQUIRE(n.attempt.has_value());
    const auto& t = *n.attempt;
    BOOST_TEST(t.amount == 1010); // 10.1 USD, exactly
    BOOST_TEST(t.currency.str() == "USD");
    BOOST_TEST(t.merchant_reference_id.str() == "rqinv0000001");
    BOOST_TEST(t.connector_transaction_id == "rqtx5ucc0001");
    BOOST_TEST(opt(t.error_code) == "<none>");
    BOOST_TEST(opt(t.error_message) == "<none>");
    BOOST_TEST(opt(t.processor_payment_method_token) == "pm_rq_success_0001");
    BOOST_TEST(opt(t.connector_customer_id) == "rqacc0000001");
    BOOST_TEST(opt(t.connector_account_reference_id) == "rqgw00000001");
    BOOST_TEST(opt(t.transaction_created_at) == 1709634030); // 2024-03-05T10:20:30Z
    BOOST_TEST((t.status == recoup::attempt_status::charged));
    BOOST_TEST(opt(t.payment_method_type) == "credit_card");
    BOOST_TEST(opt(t.payment_method_subtype) == "credit");
}

void check_pending(const recoup::normalized_webhook& n)
{
    BOOST_TEST((n.event_type == incoming_webhook_event::recovery_payment_pending));
    BOOST_TEST(n.object_reference_id == "rqinv0000003");
    BOOST_TEST_REQUIRE(n.invoice.has_value());
    BOOST_TEST(n.invoice->merchant_reference_id.str() == "rqinv0000003");
    BOOST_TEST(n.invoice->amount == 12000);
    BOOST_TEST(n.invoice->currency.str() == "USD");
    BOOST_TEST(n.invoice->retry_count == 1);
    BOOST_TEST(!n.invoice->billing_address.has_value());
    BOOST_TEST_REQUIRE(n.attempt.has_value());
    const auto& t = *n.attempt;
    BOOST_TEST(t.amount == 12000); // JSON integer 120
    BOOST_TEST(t.connector_transaction_id == "rqtxpro00003");
    BOOST_TEST((t.status == recoup::attempt_status::pending));
    BOOST_TEST(opt(t.error_code) == "<none>");
    BOOST_TEST(opt(t.processor_payment_method_token) == "ba_rq_ach_0003");
    BOOST_TEST(opt(t.connector_customer_id) == "rqacc0000003");
    BOOST_TEST(opt(t.connector_account_reference_id) == "rqgw00000003");
    BOOST_TEST(opt(t.transaction_created_at) == 1709794800); // 2024-03-07T09:00:00+02:00
    BOOST_TEST(opt(t.payment_method_type) == "bank_account");
    BOOST_TEST(opt(t.payment_method_subtype) == "<none>");
}

struct shared_case {
    const char* file;
    incoming_webhook_event event;
    const char* event_id;
};

// docs/behaviour.md §3 "Recurly": payments failed/succeeded/scheduled/processing are consumed, the rest is not.
const shared_case shared_cases[] = {
    {"account_created.json", incoming_webhook_event::event_not_supported, "rjxwmwedwqug"},
    {"charge_invoice_created.json", incoming_webhook_event::event_not_supported, "ra8fzs41jdxd"},
    {"charge_invoice_failed.json", incoming_webhook_event::event_not_supported, "ra8fzs41jdxd"},
    {"charge_invoice_paid.json", incoming_webhook_event::event_not_supported, "ra8fzs41jdxd"},
    {"charge_invoice_past_due.json", incoming_webhook_event::event_not_supported, "ra8fzs41jdxd"},
    {"dunning_event_created.json", incoming_webhook_event::event_not_supported, "radnhqhipxkw"},
    {"invoice_closed.json", incoming_webhook_event::event_not_supported, "radnhqhipxkw"},
    {"invoice_past_due.json", incoming_webhook_event::event_not_supported, "radnhqhipxkw"},
    {"payment_failed.json", incoming_webhook_event::recovery_payment_failure, "ra93x2i8g69t"},
    {"payment_processing.json", incoming_webhook_event::recovery_payment_pending, "rafhdbbf41mc"},
    {"payment_scheduled.json", incoming_webhook_event::recovery_payment_pending, "rafhdbbf41mc"},
    {"payment_succeeded.json", incoming_webhook_event::recovery_payment_success, "rafhdbbf41mc"},
    {"payment_voided.json", incoming_webhook_event::event_not_supported, "radnhmaoszxc"},
};

boost::json::object load_vector()
{
    return boost::json::parse(recoup_test::read_fixture("RECOUP_SHARED_FIXTURES", "signature_vectors.json")).at("recurly").as_object();
}

std::string str(const boost::json::object& o, std::string_view key) { return std::string(o.at(key).as_string()); }

} // namespace

// ---- shared payloads ----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(every_shared_payload_verifies_and_classifies, *recoup_test::needs_shared_fixtures())
{
    for (const auto& c : shared_cases) {
        BOOST_TEST_CONTEXT(c.file)
        {
            const auto req = signed_request(shared(c.file));
            EXPECT_OK(verify(req));
            const auto d = drive(req, {});
            BOOST_TEST_REQUIRE(!d.last.has_error(), (d.last.has_error() ? d.last.error().what() : ""));
            BOOST_TEST((d.last->event_type == c.event));
            BOOST_TEST(opt(d.last->event_id) == c.event_id);
            // Only a consumed event asks for the transaction.
            BOOST_TEST(d.rounds.size() == (c.event == incoming_webhook_event::event_not_supported ? 0u : 1u));
        }
    }
}

BOOST_AUTO_TEST_CASE(shared_payment_failed_normalizes_in_two_sync_rounds, *recoup_test::needs_shared_fixtures())
{
    const auto req = signed_request(shared("payment_failed.json"));
    EXPECT_OK(verify(req));
    const auto d = drive(req, declined_answers(shared_failed_uuid));
    BOOST_TEST_REQUIRE(!d.last.has_error(), (d.last.has_error() ? d.last.error().what() : ""));
    BOOST_TEST_REQUIRE(d.rounds.size() == 2u);
    BOOST_TEST((d.rounds[0] == std::vector{get("/transactions/uuid-" + shared_failed_uuid)}));
    BOOST_TEST((d.rounds[1] == std::vector{get("/invoices/rqinv0000002")}));
    BOOST_TEST(d.last->sync_requests.empty());
    BOOST_TEST(opt(d.last->event_id) == "ra93x2i8g69t");
    check_declined(*d.last);
}

BOOST_AUTO_TEST_CASE(shared_payment_succeeded_normalizes, *recoup_test::needs_shared_fixtures())
{
    const auto req = signed_request(shared("payment_succeeded.json"));
    EXPECT_OK(verify(req));
    const auto d = drive(req, success_answers(shared_other_uuid));
    BOOST_TEST_REQUIRE(!d.last.has_error(), (d.last.has_error() ? d.last.error().what() : ""));
    BOOST_TEST(d.rounds.size() == 2u);
    BOOST_TEST(opt(d.last->event_id) == "rafhdbbf41mc");
    check_succeeded(*d.last);
}

BOOST_AUTO_TEST_CASE(shared_payment_processing_and_scheduled_normalize_as_pending, *recoup_test::needs_shared_fixtures())
{
    for (const char* file : {"payment_processing.json", "payment_scheduled.json"}) {
        BOOST_TEST_CONTEXT(file)
        {
            const auto req = signed_request(shared(file));
            EXPECT_OK(verify(req));
            const auto d = drive(req, processing_answers(shared_other_uuid));
            BOOST_TEST_REQUIRE(!d.last.has_error(), (d.last.has_error() ? d.last.error().what() : ""));
            BOOST_TEST(d.rounds.size() == 2u);
            check_pending(*d.last);
        }
    }
}

BOOST_AUTO_TEST_CASE(shared_signature_vector_verifies_only_without_tolerance, *recoup_test::needs_shared_fixtures())
{
    const auto v = load_vector();
    const auto body = shared("account_created.json");
    BOOST_TEST(body == str(v, "body")); // byte-exact: the vector signs these bytes
    const auto signed_at = recoup::from_unix_seconds(1663103925);
    account acc;
    acc.secrets = {str(v, "secret")};
    const auto req = request_with(body, {{"recurly-signature", str(v, "header_value")}});
    EXPECT_OK(verify(req, acc, signed_at));
    EXPECT_FAILURE(verify(req, acc, now), error::timestamp_out_of_tolerance, "recurly-signature");
    acc.settings["signature_tolerance_seconds"] = 0; // replaying an old capture
    EXPECT_OK(verify(req, acc, now));

    // The SDK's rotation case: old-key and new-key signatures in one header, upper-case hex.
    const auto& rotation = v.at("rotation_case").as_object();
    const auto rotated = request_with(body, {{"recurly-signature", str(rotation, "header_value")}});
    acc.secrets = {str(rotation, "secret_alt")};
    EXPECT_OK(verify(rotated, acc, now));
}

// ---- own payloads: the flow ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(sync_rounds_are_exact_and_end)
{
    const rq::connector c;
    const account acc;
    const auto req = signed_request(own("notification_payment_failed.json"));

    auto round1 = recoup::normalize(c, req.view(), acc.config());
    BOOST_TEST_REQUIRE(!round1.has_error());
    BOOST_TEST((round1->event_type == incoming_webhook_event::recovery_payment_failure));
    BOOST_TEST(opt(round1->event_id) == "rq4fa1ntf0a1");
    BOOST_TEST_REQUIRE(round1->sync_requests.size() == 1u);
    const auto& r1 = round1->sync_requests[0];
    BOOST_TEST(r1.method == "GET");
    BOOST_TEST(r1.path == "/transactions/uuid-" + failed_uuid);
    BOOST_TEST_REQUIRE(r1.headers.size() == 2u);
    BOOST_TEST(r1.headers[0].name == "Accept");
    BOOST_TEST(r1.headers[0].value == accept);
    BOOST_TEST(r1.headers[1].name == "Authorization");
    BOOST_TEST(r1.headers[1].value == expected_authorization);
    BOOST_TEST(r1.body.empty());
    BOOST_TEST(!round1->invoice.has_value());
    BOOST_TEST(!round1->attempt.has_value());

    std::vector<recoup::sync_exchange> exchanges{{r1, ok(own("transaction_declined.json"))}};
    auto round2 = recoup::normalize(c, req.view(), acc.config(), exchanges);
    BOOST_TEST_REQUIRE(!round2.has_error());
    BOOST_TEST((round2->sync_requests == std::vector{get("/invoices/rqinv0000002")}));

    exchanges.push_back({round2->sync_requests[0], ok(own("invoice_with_balance.json"))});
    auto round3 = recoup::normalize(c, req.view(), acc.config(), exchanges);
    BOOST_TEST_REQUIRE(!round3.has_error(), (round3.has_error() ? round3.error().what() : ""));
    BOOST_TEST(round3->sync_requests.empty());
    check_declined(*round3);
}

BOOST_AUTO_TEST_CASE(own_notifications_normalize)
{
    {
        const auto d = drive(signed_request(own("notification_payment_succeeded.json")), success_answers(succeeded_uuid));
        BOOST_TEST_REQUIRE(!d.last.has_error());
        BOOST_TEST(opt(d.last->event_id) == "rq5ucntf0b02");
        check_succeeded(*d.last);
    }
    for (const char* file : {"notification_payment_processing.json", "notification_payment_scheduled.json"}) {
        BOOST_TEST_CONTEXT(file)
        {
            const auto d = drive(signed_request(own(file)), processing_answers(pending_uuid));
            BOOST_TEST_REQUIRE(!d.last.has_error());
            check_pending(*d.last);
        }
    }
}

BOOST_AUTO_TEST_CASE(object_reference_id_before_and_after_sync)
{
    const rq::connector c;
    const account acc;
    const auto req = signed_request(own("notification_payment_failed.json"));
    auto bare = c.parse(req.view(), acc.config(), {});
    BOOST_TEST_REQUIRE(!bare.has_error());
    // Before the transaction is known there is no invoice id: say which response is missing.
    EXPECT_FAILURE(c.object_reference_id(*bare), error::sync_response_missing, "GET /transactions/uuid-" + failed_uuid);
    EXPECT_FAILURE(c.attempt_details(*bare), error::sync_response_missing, "GET /transactions/uuid-" + failed_uuid);
    EXPECT_FAILURE(c.invoice_details(*bare), error::sync_response_missing, "GET /transactions/uuid-" + failed_uuid);

    const std::vector<recoup::sync_exchange> one{{get("/transactions/uuid-" + failed_uuid), ok(own("transaction_declined.json"))}};
    auto half = c.parse(req.view(), acc.config(), one);
    BOOST_TEST_REQUIRE(!half.has_error());
    BOOST_TEST(c.object_reference_id(*half).value() == "rqinv0000002");
    EXPECT_OK(c.attempt_details(*half));
    EXPECT_FAILURE(c.invoice_details(*half), error::sync_response_missing, "GET /invoices/rqinv0000002");

    auto unsupported = c.parse(signed_request(own("notification_payment_voided.json")).view(), acc.config(), {});
    BOOST_TEST_REQUIRE(!unsupported.has_error());
    EXPECT_FAILURE(c.object_reference_id(*unsupported), error::not_supported, "object_type");
    BOOST_TEST(c.sync_requests(*unsupported, acc.config()).empty());
}

BOOST_AUTO_TEST_CASE(amounts_convert_exactly_per_currency)
{
    const auto req = signed_request(own("notification_payment_failed.json"));
    const auto key = "GET /transactions/uuid-" + failed_uuid;
    {
        const auto d = drive(req, {{key, ok(own("transaction_declined_jpy.json"))},
                                   {"GET /invoices/rqinv0000004", ok(own("invoice_jpy.json"))}});
        BOOST_TEST_REQUIRE(!d.last.has_error());
        BOOST_TEST(d.last->attempt->amount == 1234); // 0 decimals
        BOOST_TEST(d.last->attempt->currency.str() == "JPY");
        BOOST_TEST(opt(d.last->attempt->error_code) == "do_not_honor");
        BOOST_TEST(opt(d.last->attempt->transaction_created_at) == 1710032523);
        BOOST_TEST(d.last->invoice->amount == 1234);
        BOOST_TEST(d.last->invoice->retry_count == 0); // empty transactions array
        BOOST_TEST(opt(d.last->invoice->billing_address->first_name) == "Aiko");
        BOOST_TEST(opt(d.last->invoice->billing_address->last_name) == "Tanaka");
    }
    {
        const auto d = drive(req, {{key, ok(own("transaction_error_kwd.json"))},
                                   {"GET /invoices/rqinv0000005", ok(own("invoice_kwd.json"))}});
        BOOST_TEST_REQUIRE(!d.last.has_error());
        BOOST_TEST(d.last->attempt->amount == 1005); // 1.005 KWD, 3 decimals
        BOOST_TEST(d.last->attempt->currency.str() == "KWD");
        BOOST_TEST((d.last->attempt->status == recoup::attempt_status::failure)); // status "error"
        BOOST_TEST(opt(d.last->attempt->error_code) == "gateway_timeout");
        BOOST_TEST(opt(d.last->attempt->transaction_created_at) == 1710221399); // -05:30, fraction dropped
        BOOST_TEST(d.last->invoice->amount == 1005); // balance 1.005, not total 2.5
        BOOST_TEST(d.last->invoice->retry_count == 0); // no transactions key
        BOOST_TEST(!d.last->invoice->billing_address.has_value()); // "address": null
    }
}

BOOST_AUTO_TEST_CASE(transaction_status_maps_exhaustively)
{
    using S = rq::recurly_transaction_status;
    using A = recoup::attempt_status;
    const std::pair<S, A> table[] = {
        {S::success, A::charged},     {S::declined, A::failure},  {S::error, A::failure},
        {S::voided, A::failure},      {S::chargeback, A::failure}, {S::pending, A::pending},
        {S::scheduled, A::pending},   {S::processing, A::pending},
    };
    for (const auto& [status, attempt] : table)
        BOOST_TEST((rq::to_attempt_status(status) == attempt), recoup::to_string(status));
}

BOOST_AUTO_TEST_CASE(iso8601_is_parsed_exactly)
{
    BOOST_TEST(opt(rq::parse_iso8601("2022-09-13T21:18:40Z")) == 1663103920);
    BOOST_TEST(opt(rq::parse_iso8601("2024-03-06T08:15:00.123Z")) == 1709712900);
    BOOST_TEST(opt(rq::parse_iso8601("2024-03-07T09:00:00+02:00")) == 1709794800);
    BOOST_TEST(opt(rq::parse_iso8601("2024-03-11T23:59:59.999999-05:30")) == 1710221399);
    BOOST_TEST(opt(rq::parse_iso8601("1969-12-31T23:59:59Z")) == -1);
    BOOST_TEST(opt(rq::parse_iso8601("2000-02-29T12:00:00Z")) == 951825600);
    BOOST_TEST(opt(rq::parse_iso8601("2100-03-01T00:00:00Z")) == 4107542400);
    for (const char* bad : {"", "2022-09-13", "2022-09-13T21:18:40", "2022-09-13 21:18:40Z",
                            "2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2022-13-01T00:00:00Z",
                            "2022-00-10T00:00:00Z", "2022-04-31T00:00:00Z", "2022-09-13T24:00:00Z",
                            "2022-09-13T21:60:00Z", "2022-09-13T21:18:60Z", "2022-09-13T21:18:40.Z",
                            "2022-09-13T21:18:40+0200", "2022-09-13T21:18:40Zjunk", "22-09-13T21:18:40Z",
                            "2022-09-13T21:18:40+24:00"})
        BOOST_TEST(!rq::parse_iso8601(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(exchanges_match_by_method_and_path)
{
    const rq::connector c;
    const account acc;
    const auto req = signed_request(own("notification_payment_failed.json"));
    // A POST to the same path, or a GET elsewhere, is not the transaction.
    const std::vector<recoup::sync_exchange> wrong{
        {{"POST", "/transactions/uuid-" + failed_uuid, {}, ""}, ok(own("transaction_declined.json"))},
        {{"GET", "/transactions/uuid-other", {}, ""}, ok(own("transaction_declined.json"))}};
    auto n = recoup::normalize(c, req.view(), acc.config(), wrong);
    BOOST_TEST_REQUIRE(!n.has_error());
    BOOST_TEST((n->sync_requests == std::vector{get("/transactions/uuid-" + failed_uuid)}));
}

// ---- negative cases -----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(signature_negative_cases)
{
    const auto body = own("notification_payment_failed.json");

    auto flipped = signed_request(body);
    flipped.body[10] ^= 0x01;
    EXPECT_FAILURE(verify(flipped), error::signature_mismatch, "recurly-signature");

    EXPECT_FAILURE(verify(signed_request(body, "rq_whsec_wrong_000000")), error::signature_mismatch, "recurly-signature");

    // Stale and future timestamps, just outside and just inside the default 300 s.
    EXPECT_FAILURE(verify(signed_request(body, secret, now - 301s)), error::timestamp_out_of_tolerance, "recurly-signature");
    EXPECT_FAILURE(verify(signed_request(body, secret, now + 301s)), error::timestamp_out_of_tolerance, "recurly-signature");
    EXPECT_OK(verify(signed_request(body, secret, now - 299s)));
    EXPECT_OK(verify(signed_request(body, secret, now + 299s)));

    EXPECT_FAILURE(verify(request_with(body, {})), error::missing_signature, "recurly-signature");
    const auto sig = recoup::sign_recurly(body, secret, now);
    EXPECT_FAILURE(verify(request_with(body, {{"recurly-signature", sig}, {"Recurly-Signature", sig}})),
                   error::duplicate_signature_header, "recurly-signature");
    EXPECT_FAILURE(verify(request_with(body, {{"recurly-signature", "not-a-signature"}})),
                   error::malformed_signature, "recurly-signature");
    EXPECT_OK(verify(request_with(body, {{"RECURLY-SIGNATURE", sig}}))); // header names are case-insensitive

    account none;
    none.secrets.clear();
    EXPECT_FAILURE(verify(signed_request(body), none), error::no_secret_configured, "recurly-signature");
}

BOOST_AUTO_TEST_CASE(rotated_secrets)
{
    const auto body = own("notification_payment_failed.json");
    account both;
    both.secrets = {std::string(old_secret), std::string(secret)};
    EXPECT_OK(verify(signed_request(body, old_secret), both));
    EXPECT_OK(verify(signed_request(body, secret), both));

    account wrong_then_right;
    wrong_then_right.secrets = {"rq_whsec_wrong_000000", std::string(secret)};
    EXPECT_OK(verify(signed_request(body, secret), wrong_then_right));

    // During a rotation Recurly lists both signatures; either secret alone accepts the header.
    const auto old_sig = recoup::sign_recurly(body, old_secret, now);
    const auto new_sig = recoup::sign_recurly(body, secret, now);
    const auto header = old_sig + "," + new_sig.substr(new_sig.find(',') + 1);
    account only_new, only_old;
    only_old.secrets = {std::string(old_secret)};
    EXPECT_OK(verify(request_with(body, {{"recurly-signature", header}}), only_new));
    EXPECT_OK(verify(request_with(body, {{"recurly-signature", header}}), only_old));
}

BOOST_AUTO_TEST_CASE(missing_and_invalid_fields_name_their_path)
{
    const auto req = signed_request(own("notification_payment_failed.json"));
    const auto txn_key = "GET /transactions/uuid-" + failed_uuid;
    const auto prefix = "sync:" + txn_key;

    // The transaction sync lacks `amount`.
    EXPECT_FAILURE(drive(req, {{txn_key, ok(own("transaction_missing_amount.json"))}}).last,
                   error::missing_field, prefix + ".amount");

    // Nested and typed failures keep their whole path.
    auto txn = boost::json::parse(own("transaction_declined.json")).as_object();
    auto with = [&](auto edit) {
        auto copy = txn;
        edit(copy);
        return drive(req, {{txn_key, ok(boost::json::serialize(copy))}}).last;
    };
    EXPECT_FAILURE(with([](auto& o) { o["invoice"].as_object().erase("id"); }), error::missing_field, prefix + ".invoice.id");
    EXPECT_FAILURE(with([](auto& o) { o.erase("invoice"); }), error::missing_field, prefix + ".invoice");
    EXPECT_FAILURE(with([](auto& o) { o["invoice"].as_object()["id"] = "../accounts"; }), error::invalid_field, prefix + ".invoice.id");
    EXPECT_FAILURE(with([](auto& o) { o["status"] = "refunded"; }), error::invalid_field, prefix + ".status");
    EXPECT_FAILURE(with([](auto& o) { o["amount"] = "49.99"; }), error::invalid_field, prefix + ".amount");
    EXPECT_FAILURE(with([](auto& o) { o["amount"] = 49.999; }), error::amount_out_of_range, prefix + ".amount");
    EXPECT_FAILURE(with([](auto& o) { o["currency"] = "XYZ"; }), error::unsupported_currency, prefix + ".currency");
    EXPECT_FAILURE(with([](auto& o) { o["created_at"] = "06/03/2024"; }), error::invalid_field, prefix + ".created_at");
    EXPECT_FAILURE(with([](auto& o) { o["payment_method"].as_object()["gateway_token"] = 7; }), error::invalid_field,
                   prefix + ".payment_method.gateway_token");

    // The invoice sync lacks both `balance` and `total`; or is another invoice.
    const auto inv_key = std::string("GET /invoices/rqinv0000002");
    auto inv = boost::json::parse(own("invoice_with_balance.json")).as_object();
    inv.erase("balance");
    inv.erase("total");
    EXPECT_FAILURE(drive(req, {{txn_key, ok(own("transaction_declined.json"))}, {inv_key, ok(boost::json::serialize(inv))}}).last,
                   error::missing_field, "sync:" + inv_key + ".total");
    EXPECT_FAILURE(drive(req, {{txn_key, ok(own("transaction_declined.json"))}, {inv_key, ok(own("invoice_jpy.json"))}}).last,
                   error::invalid_field, "sync:" + inv_key + ".id");

    // A consumed notification without its `uuid`, or with one unfit for a path.
    EXPECT_FAILURE(drive(signed_request(own("notification_payment_failed_no_uuid.json")), {}).last, error::missing_field, "uuid");
    auto bad_uuid = boost::json::parse(own("notification_payment_failed.json")).as_object();
    bad_uuid["uuid"] = "../../invoices/x";
    EXPECT_FAILURE(drive(signed_request(boost::json::serialize(bad_uuid)), {}).last, error::invalid_field, "uuid");
}

BOOST_AUTO_TEST_CASE(not_json_bodies)
{
    EXPECT_FAILURE(drive(signed_request("{\"id\": \"rq0\", "), {}).last, error::body_not_json, "");
    EXPECT_FAILURE(drive(signed_request("<xml/>"), {}).last, error::body_not_json, "");
    EXPECT_FAILURE(drive(signed_request("[1, 2]"), {}).last, error::invalid_field, "");

    const auto req = signed_request(own("notification_payment_failed.json"));
    const auto txn_key = "GET /transactions/uuid-" + failed_uuid;
    EXPECT_FAILURE(drive(req, {{txn_key, ok("<html>Bad gateway</html>")}}).last, error::body_not_json, "sync:" + txn_key);
    EXPECT_FAILURE(drive(req, {{txn_key, ok(own("transaction_declined.json"))}, {"GET /invoices/rqinv0000002", ok("")}}).last,
                   error::body_not_json, "sync:GET /invoices/rqinv0000002");
}

BOOST_AUTO_TEST_CASE(failed_sync_responses)
{
    const auto req = signed_request(own("notification_payment_failed.json"));
    const auto path = "/transactions/uuid-" + failed_uuid;
    const std::string not_found = R"({"error":{"type":"not_found","message":"Couldn't find Transaction"}})";
    EXPECT_FAILURE(drive(req, {{"GET " + path, {404, {}, not_found}}}).last, error::sync_response_failed, path);
    EXPECT_FAILURE(drive(req, {{"GET " + path, ok(own("transaction_declined.json"))},
                               {"GET /invoices/rqinv0000002", {503, {}, ""}}}).last,
                   error::sync_response_failed, "/invoices/rqinv0000002");
}

BOOST_AUTO_TEST_CASE(unconsumed_events_are_not_supported_not_errors)
{
    for (const char* file : {"notification_payment_voided.json", "notification_charge_invoice_past_due.json"}) {
        BOOST_TEST_CONTEXT(file)
        {
            const auto req = signed_request(own(file));
            EXPECT_OK(verify(req));
            const auto d = drive(req, {});
            BOOST_TEST_REQUIRE(!d.last.has_error());
            BOOST_TEST((d.last->event_type == incoming_webhook_event::event_not_supported));
            BOOST_TEST(d.rounds.empty());
            BOOST_TEST(!d.last->invoice.has_value());
            BOOST_TEST(!d.last->attempt.has_value());
            BOOST_TEST(d.last->response.status == 200);
            BOOST_TEST(d.last->response.body == "{}");
        }
    }
    // Any JSON object parses: nothing classifies it, so it is acknowledged.
    const auto d = drive(signed_request(R"({"object_type":"payment"})"), {});
    BOOST_TEST_REQUIRE(!d.last.has_error());
    BOOST_TEST((d.last->event_type == incoming_webhook_event::event_not_supported));
    BOOST_TEST(!d.last->event_id.has_value());
}

// ---- record back --------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(record_back_marks_the_invoice)
{
    const rq::connector c;
    const account acc;
    recoup::record_back_request r;
    r.invoice_id = "rqinv0000002";
    r.amount = 4999;
    r.currency = *recoup::find_currency("USD");
    r.connector_transaction_id = "pi_rq_0001";
    r.occurred_at = 1709712960;

    r.outcome = recoup::recovery_outcome::succeeded;
    const auto success = c.record_back(r, acc.config());
    BOOST_TEST_REQUIRE(!success.has_error());
    BOOST_TEST(success->method == "PUT");
    BOOST_TEST(success->path == "/invoices/rqinv0000002/mark_successful");
    BOOST_TEST_REQUIRE(success->headers.size() == 2u);
    BOOST_TEST(success->headers[0].name == "Accept");
    BOOST_TEST(success->headers[0].value == accept);
    BOOST_TEST(success->headers[1].name == "Authorization");
    BOOST_TEST(success->headers[1].value == expected_authorization);
    BOOST_TEST(success->body.empty());

    r.outcome = recoup::recovery_outcome::failed;
    const auto failure = c.record_back(r, acc.config());
    BOOST_TEST_REQUIRE(!failure.has_error());
    const recoup::outbound_request expected{
        "PUT", "/invoices/rqinv0000002/mark_failed",
        {{"Accept", std::string(accept)}, {"Authorization", std::string(expected_authorization)}}, ""};
    BOOST_TEST((*failure == expected));

    r.invoice_id = "rqinv0000002/../../accounts";
    EXPECT_FAILURE(c.record_back(r, acc.config()), error::invalid_field, "invoice_id");
    r.invoice_id = "";
    EXPECT_FAILURE(c.record_back(r, acc.config()), error::invalid_field, "invoice_id");
}
