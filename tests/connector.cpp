// Test that the header is self-contained: it comes first.
#include <recoup/connector.hpp>

#define BOOST_TEST_MODULE connector
#include <boost/test/unit_test.hpp>

#include <recoup/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace json = boost::json;
namespace wire = recoup::wire;
using recoup::error;
using recoup::incoming_webhook_event;

namespace toy {

// A static connector: its webhook is {"id","type","ref","sync","invoice":{...},"attempt":{...}}
// with the invoice and attempt already in recoup's JSON form. With "sync": true and no invoice,
// the invoice must be fetched from GET /invoices/<ref>. It counts its calls so the tests can see
// what normalize() asked for.
struct connector {
    struct webhook {
        std::string id;
        std::string type;
        std::string ref;
        bool sync = false;
        std::optional<json::value> invoice;
        std::optional<json::value> attempt;
    };

    struct counters {
        int parse = 0, event_type = 0, event_id = 0, object_reference_id = 0, invoice_details = 0,
            attempt_details = 0, sync_requests = 0, api_response = 0;
    };
    mutable counters calls;

    recoup::result<void> verify_source(const recoup::webhook_request& req, const recoup::mca_config& mca,
                                       recoup::time_point) const
    {
        const auto sig = req.header("x-toy-signature");
        if (!sig) return recoup::fail(error::missing_signature, "x-toy-signature");
        for (const auto& s : mca.secrets)
            if (*sig == s) return {};
        return recoup::fail(error::signature_mismatch, "x-toy-signature");
    }

    recoup::result<webhook> parse(const recoup::webhook_request& req, const recoup::mca_config&,
                                  std::span<const recoup::sync_exchange> sync) const
    {
        ++calls.parse;
        auto w = wire::parse_as<webhook>(req.body);
        if (!w) return w;
        for (const auto& x : sync) {
            if (x.request.path != "/invoices/" + w->ref) continue;
            if (x.response.status != 200)
                return recoup::fail(error::sync_response_failed, "", "GET " + x.request.path + " answered " +
                                                                         std::to_string(x.response.status));
            boost::system::error_code ec;
            auto body = json::parse(x.response.body, ec);
            if (ec) return recoup::fail(error::body_not_json, "", "GET " + x.request.path);
            w->invoice = std::move(body);
        }
        return w;
    }

    incoming_webhook_event event_type(const webhook& w) const
    {
        ++calls.event_type;
        if (w.type == "failed") return incoming_webhook_event::recovery_payment_failure;
        if (w.type == "succeeded") return incoming_webhook_event::recovery_payment_success;
        if (w.type == "pending") return incoming_webhook_event::recovery_payment_pending;
        if (w.type == "cancelled") return incoming_webhook_event::recovery_invoice_cancel;
        return incoming_webhook_event::event_not_supported;
    }

    std::optional<std::string> event_id(const webhook& w) const
    {
        ++calls.event_id;
        if (w.id.empty()) return std::nullopt;
        return w.id;
    }

    recoup::result<std::string> object_reference_id(const webhook& w) const
    {
        ++calls.object_reference_id;
        if (w.ref.empty()) return recoup::fail(error::missing_field, "ref");
        return w.ref;
    }

    recoup::result<recoup::recovery_invoice> invoice_details(const webhook& w) const
    {
        ++calls.invoice_details;
        return nested<recoup::recovery_invoice>(w.invoice, "invoice");
    }

    recoup::result<recoup::recovery_attempt> attempt_details(const webhook& w) const
    {
        ++calls.attempt_details;
        return nested<recoup::recovery_attempt>(w.attempt, "attempt");
    }

    std::vector<recoup::outbound_request> sync_requests(const webhook& w, const recoup::mca_config& mca) const
    {
        ++calls.sync_requests;
        if (!w.sync || w.invoice) return {};
        return {{"GET", "/invoices/" + w.ref, {{"Authorization", "Bearer " + std::string(mca.api_key)}}, ""}};
    }

    recoup::api_response api_response(const webhook& w) const
    {
        ++calls.api_response;
        return {200, json::serialize(json::object{{"received", w.id}})};
    }

private:
    template <class T>
    static recoup::result<T> nested(const std::optional<json::value>& v, std::string_view key)
    {
        if (!v) return recoup::fail(error::missing_field, std::string(key));
        auto r = wire::convert<T>(*v);
        if (!r) {
            auto f = r.error();
            f.field = f.field.empty() ? std::string(key) : std::string(key) + "." + f.field;
            return f;
        }
        return r;
    }
};

connector::webhook tag_invoke(const json::value_to_tag<connector::webhook>&, const json::value& v)
{
    const auto& o = wire::as_object(v);
    connector::webhook w;
    w.id = wire::optional<std::string>(o, "id").value_or("");
    w.type = wire::required<std::string>(o, "type");
    w.ref = wire::optional<std::string>(o, "ref").value_or("");
    w.sync = wire::optional<bool>(o, "sync").value_or(false);
    w.invoice = wire::optional<json::value>(o, "invoice");
    w.attempt = wire::optional<json::value>(o, "attempt");
    return w;
}

// The least a connector must have: no sync, no record-back, no api_response.
struct minimal {
    struct webhook {};
    recoup::result<void> verify_source(const recoup::webhook_request&, const recoup::mca_config&,
                                       recoup::time_point) const
    {
        return {};
    }
    recoup::result<webhook> parse(const recoup::webhook_request&, const recoup::mca_config&,
                                  std::span<const recoup::sync_exchange>) const
    {
        return webhook{};
    }
    incoming_webhook_event event_type(const webhook&) const { return incoming_webhook_event::recovery_invoice_cancel; }
    std::optional<std::string> event_id(const webhook&) const { return std::nullopt; }
    recoup::result<std::string> object_reference_id(const webhook&) const { return std::string("inv_1"); }
    recoup::result<recoup::recovery_invoice> invoice_details(const webhook&) const
    {
        recoup::recovery_invoice i;
        i.merchant_reference_id = recoup::merchant_reference_id::make("inv_1").value();
        i.amount = 100;
        i.currency = recoup::find_currency("USD").value();
        return i;
    }
    recoup::result<recoup::recovery_attempt> attempt_details(const webhook&) const
    {
        return recoup::fail(error::not_supported, "attempt_details");
    }
};

// Almost a connector: verify_source answers bool.
struct wrong_signature {
    struct webhook {};
    bool verify_source(const recoup::webhook_request&, const recoup::mca_config&, recoup::time_point) const;
    recoup::result<webhook> parse(const recoup::webhook_request&, const recoup::mca_config&,
                                  std::span<const recoup::sync_exchange>) const;
    incoming_webhook_event event_type(const webhook&) const;
    std::optional<std::string> event_id(const webhook&) const;
    recoup::result<std::string> object_reference_id(const webhook&) const;
    recoup::result<recoup::recovery_invoice> invoice_details(const webhook&) const;
    recoup::result<recoup::recovery_attempt> attempt_details(const webhook&) const;
};

// A record_back whose return type is not a result: not the optional trait.
struct bad_record_back : minimal {
    recoup::outbound_request record_back(const recoup::record_back_request&, const recoup::mca_config&) const;
};

struct good_record_back : minimal {
    recoup::result<recoup::outbound_request> record_back(const recoup::record_back_request&,
                                                         const recoup::mca_config&) const;
};

} // namespace toy

static_assert(recoup::billing_connector<toy::connector>);
static_assert(recoup::has_sync_requests<toy::connector>);
static_assert(recoup::has_api_response<toy::connector>);
static_assert(!recoup::has_record_back<toy::connector>);
static_assert(recoup::billing_connector<toy::minimal>);
static_assert(!recoup::has_sync_requests<toy::minimal>);
static_assert(!recoup::has_api_response<toy::minimal>);
static_assert(!recoup::billing_connector<toy::wrong_signature>);
static_assert(!recoup::has_record_back<toy::bad_record_back>);
static_assert(recoup::has_record_back<toy::good_record_back>);

namespace {

const std::string invoice_json = R"({"merchant_reference_id":"inv_1","amount":2240,"currency":"USD"})";
const std::string attempt_json = R"({"amount":2240,"currency":"USD","merchant_reference_id":"inv_1",)"
                                 R"("connector_transaction_id":"txn_1","status":"failure","error_code":"do_not_honor"})";

struct fixture {
    toy::connector connector;
    std::vector<std::string> secrets{"s3cret"};
    recoup::mca_config mca{secrets, "api_key_1", nullptr};
    recoup::owned_request request;

    recoup::result<recoup::normalized_webhook> normalize(std::string body,
                                                         std::span<const recoup::sync_exchange> sync = {})
    {
        request.body = std::move(body);
        return recoup::normalize(connector, request.view(), mca, sync);
    }
};

std::string transaction_body(std::string_view type)
{
    return R"({"id":"ev_1","type":")" + std::string(type) + R"(","ref":"inv_1","invoice":)" + invoice_json +
           R"(,"attempt":)" + attempt_json + "}";
}

template <class T>
void expect_failure(const recoup::result<T>& r, error code, std::string_view field)
{
    if (r) {
        BOOST_ERROR("expected " << recoup::to_string(code) << ", got a value");
        return;
    }
    BOOST_TEST(recoup::to_string(r.error().code) == recoup::to_string(code));
    BOOST_TEST(r.error().field == field);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(normalize, fixture)

BOOST_AUTO_TEST_CASE(transaction_event_has_invoice_and_attempt)
{
    for (auto [type, event] : {std::pair{"failed", "RecoveryPaymentFailure"},
                               std::pair{"succeeded", "RecoveryPaymentSuccess"},
                               std::pair{"pending", "RecoveryPaymentPending"}}) {
        BOOST_TEST_CONTEXT(type)
        {
            const auto r = normalize(transaction_body(type));
            BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().what()));
            BOOST_TEST(recoup::to_string(r->event_type) == event);
            BOOST_TEST(r->event_id.value_or("") == "ev_1");
            BOOST_TEST(r->object_reference_id == "inv_1");
            BOOST_TEST_REQUIRE(r->invoice.has_value());
            BOOST_TEST(r->invoice->amount == 2240);
            BOOST_TEST_REQUIRE(r->attempt.has_value());
            BOOST_TEST(r->attempt->connector_transaction_id == "txn_1");
            BOOST_TEST(r->attempt->error_code.value_or("") == "do_not_honor");
            BOOST_TEST(r->sync_requests.empty());
            BOOST_TEST(r->response.status == 200);
            BOOST_TEST(r->response.body == R"({"received":"ev_1"})");
        }
    }
    BOOST_TEST(connector.calls.parse == 3);
    BOOST_TEST(connector.calls.attempt_details == 3);
}

BOOST_AUTO_TEST_CASE(cancel_carries_no_attempt)
{
    const auto r = normalize(transaction_body("cancelled"));
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(recoup::to_string(r->event_type) == "RecoveryInvoiceCancel");
    BOOST_TEST(r->invoice.has_value());
    BOOST_TEST(!r->attempt.has_value());
    BOOST_TEST(connector.calls.invoice_details == 1);
    BOOST_TEST(connector.calls.attempt_details == 0); // not even asked
}

BOOST_AUTO_TEST_CASE(event_not_supported_short_circuits)
{
    // The rest of the body is broken: nothing after the classification may look at it.
    const auto r = normalize(R"({"id":"ev_9","type":"subscription_created","sync":true,"invoice":{"amount":"x"}})");
    BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().what()));
    BOOST_TEST(recoup::to_string(r->event_type) == "EventNotSupported");
    BOOST_TEST(r->event_id.value_or("") == "ev_9");
    BOOST_TEST(r->object_reference_id.empty());
    BOOST_TEST(!r->invoice.has_value());
    BOOST_TEST(!r->attempt.has_value());
    BOOST_TEST(r->sync_requests.empty());
    BOOST_TEST(r->response.body == R"({"received":"ev_9"})"); // still answered the connector's way
    BOOST_TEST(connector.calls.event_type == 1);
    BOOST_TEST(connector.calls.api_response == 1);
    BOOST_TEST(connector.calls.sync_requests == 0);
    BOOST_TEST(connector.calls.object_reference_id == 0);
    BOOST_TEST(connector.calls.invoice_details == 0);
    BOOST_TEST(connector.calls.attempt_details == 0);
}

BOOST_AUTO_TEST_CASE(event_without_id)
{
    const auto r = normalize(R"({"type":"other"})");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(!r->event_id.has_value());
}

BOOST_AUTO_TEST_CASE(sync_loop_requests_then_answers)
{
    const std::string body = R"({"id":"ev_2","type":"failed","ref":"inv_1","sync":true,"attempt":)" + attempt_json + "}";
    const auto first = normalize(body);
    BOOST_TEST_REQUIRE(first.has_value());
    BOOST_TEST_REQUIRE(first->sync_requests.size() == 1u);
    const auto& req = first->sync_requests.front();
    BOOST_TEST(req.method == "GET");
    BOOST_TEST(req.path == "/invoices/inv_1");
    BOOST_TEST(recoup::find_header(req.headers, "authorization").value_or("") == "Bearer api_key_1");
    // Details are not known yet, so they are not asked for.
    BOOST_TEST(!first->invoice.has_value());
    BOOST_TEST(!first->attempt.has_value());
    BOOST_TEST(first->object_reference_id.empty());
    BOOST_TEST(connector.calls.invoice_details == 0);
    BOOST_TEST(recoup::to_string(first->event_type) == "RecoveryPaymentFailure");

    // The host performs it and normalizes again with the answer.
    const std::vector<recoup::sync_exchange> sync{{req, {200, {{"Content-Type", "application/json"}}, invoice_json}}};
    const auto second = normalize(body, sync);
    BOOST_TEST_REQUIRE(second.has_value(), (second ? "" : second.error().what()));
    BOOST_TEST(second->sync_requests.empty());
    BOOST_TEST_REQUIRE(second->invoice.has_value());
    BOOST_TEST(second->invoice->amount == 2240);
    BOOST_TEST(second->attempt.has_value());
    BOOST_TEST(second->object_reference_id == "inv_1");
    BOOST_TEST(connector.calls.sync_requests == 2);
}

BOOST_AUTO_TEST_CASE(sync_loop_driven_to_completion)
{
    // A fake platform answers whatever the connector asks for, as the host would.
    const std::map<std::string, std::string> platform{{"/invoices/inv_1", invoice_json}};
    const std::string body = R"({"id":"ev_3","type":"cancelled","ref":"inv_1","sync":true})";
    std::vector<recoup::sync_exchange> performed;
    int rounds = 0;
    recoup::result<recoup::normalized_webhook> r = recoup::fail(error::sync_response_missing);
    for (; rounds < 5; ++rounds) {
        r = normalize(body, performed);
        if (!r || r->sync_requests.empty()) break;
        for (const auto& q : r->sync_requests) performed.push_back({q, {200, {}, platform.at(q.path)}});
    }
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(rounds == 1);
    BOOST_TEST(r->invoice.has_value());
}

BOOST_AUTO_TEST_CASE(sync_failure_is_propagated)
{
    const std::string body = R"({"id":"ev_2","type":"failed","ref":"inv_1","sync":true})";
    const std::vector<recoup::sync_exchange> sync{{{"GET", "/invoices/inv_1", {}, ""}, {503, {}, "busy"}}};
    const auto r = normalize(body, sync);
    expect_failure(r, error::sync_response_failed, "");
    BOOST_TEST_REQUIRE(!r);
    BOOST_TEST(r.error().detail == "GET /invoices/inv_1 answered 503");
}

BOOST_AUTO_TEST_CASE(parse_error_is_propagated)
{
    expect_failure(normalize("{not json"), error::body_not_json, "");
    expect_failure(normalize(R"({"id":"ev_1"})"), error::missing_field, "type");
    BOOST_TEST(connector.calls.event_type == 0);
}

BOOST_AUTO_TEST_CASE(reference_error_is_propagated)
{
    expect_failure(normalize(R"({"id":"ev_1","type":"failed"})"), error::missing_field, "ref");
    BOOST_TEST(connector.calls.invoice_details == 0);
}

BOOST_AUTO_TEST_CASE(invoice_error_is_propagated)
{
    expect_failure(normalize(R"({"type":"failed","ref":"inv_1"})"), error::missing_field, "invoice");
    expect_failure(normalize(R"({"type":"failed","ref":"inv_1","invoice":{"merchant_reference_id":"inv_1",)"
                             R"("currency":"USD"}})"),
                   error::missing_field, "invoice.amount");
    expect_failure(normalize(R"({"type":"cancelled","ref":"inv_1","invoice":{"merchant_reference_id":"inv_1",)"
                             R"("amount":1,"currency":"XQQ"}})"),
                   error::unsupported_currency, "invoice.currency");
    BOOST_TEST(connector.calls.attempt_details == 0);
}

BOOST_AUTO_TEST_CASE(attempt_error_is_propagated)
{
    expect_failure(normalize(R"({"type":"failed","ref":"inv_1","invoice":)" + invoice_json + "}"),
                   error::missing_field, "attempt");
    expect_failure(normalize(R"({"type":"succeeded","ref":"inv_1","invoice":)" + invoice_json +
                             R"(,"attempt":{"amount":1,"currency":"USD","merchant_reference_id":"inv_1",)"
                             R"("connector_transaction_id":"t","status":"refunded"}})"),
                   error::invalid_field, "attempt.status");
}

BOOST_AUTO_TEST_CASE(verify_source_through_the_concept)
{
    request.headers = {{"X-Toy-Signature", "s3cret"}};
    BOOST_TEST(connector.verify_source(request.view(), mca, {}).has_value());
    request.headers = {{"X-Toy-Signature", "nope"}};
    expect_failure(connector.verify_source(request.view(), mca, {}), error::signature_mismatch, "x-toy-signature");
    request.headers.clear();
    expect_failure(connector.verify_source(request.view(), mca, {}), error::missing_signature, "x-toy-signature");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(optional_traits)

BOOST_AUTO_TEST_CASE(default_api_response)
{
    const toy::minimal c;
    const recoup::owned_request req;
    const recoup::mca_config mca{};
    const auto r = recoup::normalize(c, req.view(), mca);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->response.status == 200);
    BOOST_TEST(r->response.body == "{}");
    BOOST_TEST(r->sync_requests.empty());
    BOOST_TEST(r->object_reference_id == "inv_1");
    BOOST_TEST(!r->attempt.has_value()); // a cancel: attempt_details (which would fail) is not called
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(helpers)

BOOST_AUTO_TEST_CASE(find_header_any_case)
{
    const std::vector<recoup::http_header> h{{"Content-Type", "a"}, {"ETag", "1"}, {"etag", "2"}};
    BOOST_TEST(recoup::find_header(h, "content-type").value_or("-") == "a");
    BOOST_TEST(recoup::find_header(h, "ETAG").value_or("-") == "1");
    BOOST_TEST(!recoup::find_header(h, "Location").has_value());
    BOOST_TEST(!recoup::find_header({}, "etag").has_value());
}

BOOST_AUTO_TEST_CASE(signature_tolerance_setting)
{
    auto tolerance = [](const char* settings) {
        const auto o = json::parse(settings).as_object();
        recoup::mca_config mca;
        mca.settings = &o;
        return mca.signature_tolerance();
    };
    BOOST_TEST(recoup::mca_config{}.signature_tolerance().value().count() == RECOUP_DEFAULT_TOLERANCE_SECONDS);
    BOOST_TEST(tolerance("{}").value().count() == RECOUP_DEFAULT_TOLERANCE_SECONDS);
    BOOST_TEST(tolerance(R"({"signature_tolerance_seconds":60})").value().count() == 60);
    BOOST_TEST(!tolerance(R"({"signature_tolerance_seconds":0})").has_value());
    BOOST_TEST(!tolerance(R"({"signature_tolerance_seconds":-5})").has_value());
    BOOST_TEST(tolerance(R"({"signature_tolerance_seconds":"60"})").value().count() ==
               RECOUP_DEFAULT_TOLERANCE_SECONDS);
}

BOOST_AUTO_TEST_CASE(settings_lookup)
{
    const recoup::mca_config none;
    BOOST_TEST(none.setting("x") == nullptr);
    const auto o = json::parse(R"({"retry_threshold":3})").as_object();
    recoup::mca_config mca;
    mca.settings = &o;
    BOOST_TEST_REQUIRE(mca.setting("retry_threshold") != nullptr);
    BOOST_TEST(mca.setting("retry_threshold")->as_int64() == 3);
    BOOST_TEST(mca.setting("missing") == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
