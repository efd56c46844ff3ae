// Test that the header is self-contained: it comes first.
#include <recoup/json.hpp>

#define BOOST_TEST_MODULE json
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace json = boost::json;
namespace wire = recoup::wire;
using recoup::error;

// Small wire structs, built the way a connector builds its own (wire.hpp's recipe).
namespace shapes {

struct leaf {
    std::int64_t c = 0;
    std::optional<std::string> note;
};
struct mid {
    std::vector<leaf> b;
};
struct top {
    mid a;
};
struct scalars {
    std::string s;
    bool flag = false;
    std::int32_t i32 = 0;
    std::uint32_t u32 = 0;
    double d = 0;
    std::vector<std::vector<std::int64_t>> grid;
    std::optional<json::value> raw;
};
// Converted with Boost.JSON's throwing accessors instead of wire helpers.
struct careless {
    std::string s;
};

leaf tag_invoke(const json::value_to_tag<leaf>&, const json::value& v)
{
    const auto& o = wire::as_object(v);
    return {wire::required<std::int64_t>(o, "c"), wire::optional<std::string>(o, "note")};
}
mid tag_invoke(const json::value_to_tag<mid>&, const json::value& v)
{
    return {wire::required<std::vector<leaf>>(wire::as_object(v), "b")};
}
top tag_invoke(const json::value_to_tag<top>&, const json::value& v)
{
    return {wire::required<mid>(wire::as_object(v), "a")};
}
scalars tag_invoke(const json::value_to_tag<scalars>&, const json::value& v)
{
    const auto& o = wire::as_object(v);
    scalars s;
    s.s = wire::required<std::string>(o, "s");
    s.flag = wire::required<bool>(o, "flag");
    s.i32 = wire::required<std::int32_t>(o, "i32");
    s.u32 = wire::optional<std::uint32_t>(o, "u32").value_or(0);
    s.d = wire::optional<double>(o, "d").value_or(0);
    s.grid = wire::optional<std::vector<std::vector<std::int64_t>>>(o, "grid").value_or(s.grid);
    s.raw = wire::optional<json::value>(o, "raw");
    return s;
}
careless tag_invoke(const json::value_to_tag<careless>&, const json::value& v)
{
    return {std::string(v.as_object().at("s").as_string())};
}

} // namespace shapes

namespace {

template <class T>
void expect_failure(const recoup::result<T>& r, error code, std::string_view field)
{
    if (r) {
        BOOST_ERROR("expected " << recoup::to_string(code) << " at \"" << field << "\", got a value");
        return;
    }
    BOOST_TEST(recoup::to_string(r.error().code) == recoup::to_string(code));
    BOOST_TEST(r.error().field == field);
}

template <class T>
void expect_parse_failure(std::string_view body, error code, std::string_view field)
{
    BOOST_TEST_CONTEXT(body) { expect_failure(wire::parse_as<T>(body), code, field); }
}

recoup::currency cur(std::string_view code) { return recoup::find_currency(code).value(); }

recoup::merchant_reference_id ref(std::string_view id) { return recoup::merchant_reference_id::make(id).value(); }

std::string text(const json::value& v) { return json::serialize(v); }

// Converting back and forth reproduces the same document.
template <class T>
T round_trip(const T& x)
{
    const json::value first = json::value_from(x);
    auto back = wire::convert<T>(first);
    BOOST_TEST_REQUIRE(back.has_value(), (back ? "" : back.error().what()));
    BOOST_TEST(text(json::value_from(*back)) == text(first));
    // And through text, as the plugin boundary carries it.
    auto reparsed = wire::parse_as<T>(text(first));
    BOOST_TEST_REQUIRE(reparsed.has_value());
    BOOST_TEST(text(json::value_from(*reparsed)) == text(first));
    return *back;
}

recoup::recovery_invoice full_invoice()
{
    recoup::recovery_invoice i;
    i.merchant_reference_id = ref("inv_0042");
    i.amount = 22400;
    i.currency = cur("EUR");
    recoup::address a;
    a.first_name = "Ada";
    a.last_name = "Lovelace";
    a.line1 = "12 St James's Square";
    a.line2 = "Flat \"2\"";
    a.line3 = "";
    a.city = "London";
    a.state = "Greater London";
    a.zip = "SW1Y 4JH";
    a.country = "GB";
    i.billing_address = a;
    i.retry_count = 3;
    i.next_billing_at = 1735689600;
    return i;
}

recoup::recovery_attempt full_attempt()
{
    recoup::recovery_attempt a;
    a.amount = 500;
    a.currency = cur("BHD");
    a.merchant_reference_id = ref("inv_0042");
    a.connector_transaction_id = "txn_abc";
    a.error_code = "card_declined";
    a.error_message = "Your card was declined. \u00e9";
    a.processor_payment_method_token = "pm_123";
    a.connector_customer_id = "cus_9";
    a.connector_account_reference_id = "gw_stripe_1";
    a.transaction_created_at = 1700000000;
    a.status = recoup::attempt_status::pending;
    a.payment_method_type = "card";
    a.payment_method_subtype = "visa";
    a.retry_count = 2;
    a.charge_id = "ch_1";
    return a;
}

recoup::outbound_request sample_request()
{
    return {"GET", "/transactions/uuid-abc?expand=1",
            {{"Accept", "application/vnd.recurly.v2021-02-25"}, {"X-Dup", "1"}, {"x-dup", "2"}},
            ""};
}

} // namespace

BOOST_AUTO_TEST_SUITE(round_trips)

BOOST_AUTO_TEST_CASE(invoice_full)
{
    const auto i = round_trip(full_invoice());
    BOOST_TEST(i.merchant_reference_id.str() == "inv_0042");
    BOOST_TEST(i.amount == 22400);
    BOOST_TEST(i.currency.str() == "EUR");
    BOOST_TEST(i.currency.exponent == 2);
    BOOST_TEST_REQUIRE(i.billing_address.has_value());
    BOOST_TEST((*i.billing_address == *full_invoice().billing_address));
    BOOST_TEST(i.retry_count == 3);
    BOOST_TEST(i.next_billing_at.value_or(0) == 1735689600);
}

BOOST_AUTO_TEST_CASE(invoice_minimal)
{
    recoup::recovery_invoice in;
    in.merchant_reference_id = ref("x");
    in.currency = cur("JPY");
    const auto i = round_trip(in);
    BOOST_TEST(!i.billing_address.has_value());
    BOOST_TEST(!i.next_billing_at.has_value());
    BOOST_TEST(i.currency.exponent == 0);
    // Absent optionals are written as null, not left out: the shape is always the same.
    const auto v = json::value_from(in);
    BOOST_TEST(v.as_object().at("billing_address").is_null());
    BOOST_TEST(v.as_object().at("next_billing_at").is_null());
}

BOOST_AUTO_TEST_CASE(invoice_spec_field_names)
{
    const auto v = json::value_from(full_invoice());
    const auto& o = v.as_object();
    for (std::string_view k : {"merchant_reference_id", "amount", "currency", "billing_address", "retry_count",
                               "next_billing_at"})
        BOOST_TEST(o.contains(k), k);
    BOOST_TEST(o.size() == 6u);
    BOOST_TEST(o.at("currency").as_string() == "EUR");
    BOOST_TEST(o.at("amount").as_int64() == 22400);
}

BOOST_AUTO_TEST_CASE(invoice_from_text_with_defaults)
{
    const auto r = wire::parse_as<recoup::recovery_invoice>(
        R"({"merchant_reference_id":"inv_1","amount":1000,"currency":"usd"})");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->currency.str() == "USD"); // wire currencies are read in any case
    BOOST_TEST(r->retry_count == 0);
    BOOST_TEST(!r->billing_address.has_value());
    // An integer-valued double is an exact integer.
    const auto d = wire::parse_as<recoup::recovery_invoice>(
        R"({"merchant_reference_id":"inv_1","amount":224.0,"currency":"USD","retry_count":null})");
    BOOST_TEST_REQUIRE(d.has_value());
    BOOST_TEST(d->amount == 224);
}

BOOST_AUTO_TEST_CASE(attempt_full)
{
    const auto a = round_trip(full_attempt());
    const auto x = full_attempt();
    BOOST_TEST(a.amount == 500);
    BOOST_TEST(a.currency.str() == "BHD");
    BOOST_TEST(a.currency.exponent == 3);
    BOOST_TEST(a.merchant_reference_id.str() == "inv_0042");
    BOOST_TEST(a.connector_transaction_id == "txn_abc");
    BOOST_TEST((a.error_code == x.error_code));
    BOOST_TEST((a.error_message == x.error_message));
    BOOST_TEST((a.processor_payment_method_token == x.processor_payment_method_token));
    BOOST_TEST((a.connector_customer_id == x.connector_customer_id));
    BOOST_TEST((a.connector_account_reference_id == x.connector_account_reference_id));
    BOOST_TEST((a.transaction_created_at == x.transaction_created_at));
    BOOST_TEST(recoup::to_string(a.status) == "pending");
    BOOST_TEST((a.payment_method_type == x.payment_method_type));
    BOOST_TEST((a.payment_method_subtype == x.payment_method_subtype));
    BOOST_TEST((a.retry_count == x.retry_count));
    BOOST_TEST((a.charge_id == x.charge_id));
    BOOST_TEST(json::value_from(x).as_object().at("status").as_string() == "pending");
}

BOOST_AUTO_TEST_CASE(attempt_minimal_and_every_status)
{
    for (const auto& [status, name] : recoup::enum_names<recoup::attempt_status>::values) {
        BOOST_TEST_CONTEXT(name)
        {
            recoup::recovery_attempt in;
            in.currency = cur("USD");
            in.merchant_reference_id = ref("inv_1");
            in.connector_transaction_id = "t";
            in.status = status;
            const auto a = round_trip(in);
            BOOST_TEST((a.status == status));
            BOOST_TEST(!a.error_code.has_value());
            BOOST_TEST(!a.retry_count.has_value());
            BOOST_TEST(!a.charge_id.has_value());
        }
    }
}

BOOST_AUTO_TEST_CASE(outbound_request_keeps_header_order_and_repeats)
{
    const auto in = sample_request();
    const auto out = round_trip(in);
    BOOST_TEST((out == in));
    BOOST_TEST(text(json::value_from(in)) ==
               R"({"method":"GET","path":"/transactions/uuid-abc?expand=1","headers":)"
               R"([["Accept","application/vnd.recurly.v2021-02-25"],["X-Dup","1"],["x-dup","2"]],"body":""})");
    // Headers and body may be left out.
    const auto bare = wire::parse_as<recoup::outbound_request>(R"({"method":"PUT","path":"/a"})");
    BOOST_TEST_REQUIRE(bare.has_value());
    BOOST_TEST(bare->headers.empty());
    BOOST_TEST(bare->body.empty());
}

BOOST_AUTO_TEST_CASE(normalized_webhook_full)
{
    recoup::normalized_webhook in;
    in.event_type = recoup::incoming_webhook_event::recovery_payment_failure;
    in.event_id = "ev_1";
    in.object_reference_id = "inv_0042";
    in.invoice = full_invoice();
    in.attempt = full_attempt();
    in.sync_requests = {sample_request(), {"POST", "/b", {}, R"({"k":1})"}};
    in.response = {202, R"({"ok":true})"};
    const auto w = round_trip(in);
    BOOST_TEST(recoup::to_string(w.event_type) == "RecoveryPaymentFailure");
    BOOST_TEST(w.event_id.value_or("") == "ev_1");
    BOOST_TEST(w.object_reference_id == "inv_0042");
    BOOST_TEST_REQUIRE(w.invoice.has_value());
    BOOST_TEST(w.invoice->amount == 22400);
    BOOST_TEST_REQUIRE(w.attempt.has_value());
    BOOST_TEST(w.attempt->connector_transaction_id == "txn_abc");
    BOOST_TEST_REQUIRE(w.sync_requests.size() == 2u);
    BOOST_TEST((w.sync_requests == in.sync_requests));
    BOOST_TEST(w.response.status == 202);
    BOOST_TEST(w.response.body == R"({"ok":true})");
}

BOOST_AUTO_TEST_CASE(normalized_webhook_minimal)
{
    const recoup::normalized_webhook in;
    const auto w = round_trip(in);
    BOOST_TEST(recoup::to_string(w.event_type) == "EventNotSupported");
    BOOST_TEST(!w.invoice.has_value());
    BOOST_TEST(!w.attempt.has_value());

    const auto bare = wire::parse_as<recoup::normalized_webhook>(R"({"event_type":"RecoveryInvoiceCancel"})");
    BOOST_TEST_REQUIRE(bare.has_value());
    BOOST_TEST(recoup::to_string(bare->event_type) == "RecoveryInvoiceCancel");
    BOOST_TEST(!bare->event_id.has_value());
    BOOST_TEST(bare->object_reference_id.empty());
    BOOST_TEST(bare->sync_requests.empty());
    BOOST_TEST(bare->response.status == 200);
    BOOST_TEST(bare->response.body == "{}");
}

BOOST_AUTO_TEST_CASE(record_back_request_both_outcomes)
{
    recoup::record_back_request in;
    in.invoice_id = "inv_0042";
    in.amount = 1010;
    in.currency = cur("USD");
    in.connector_transaction_id = "pi_1";
    in.payment_method_type = "card";
    in.occurred_at = 1700000123;
    for (auto outcome : {recoup::recovery_outcome::succeeded, recoup::recovery_outcome::failed}) {
        in.outcome = outcome;
        const auto r = round_trip(in);
        BOOST_TEST((r.outcome == outcome));
        BOOST_TEST(r.invoice_id == "inv_0042");
        BOOST_TEST(r.amount == 1010);
        BOOST_TEST(r.currency.str() == "USD");
        BOOST_TEST(r.connector_transaction_id.value_or("") == "pi_1");
        BOOST_TEST(r.payment_method_type.value_or("") == "card");
        BOOST_TEST(r.occurred_at == 1700000123);
    }
    in.connector_transaction_id.reset();
    in.payment_method_type.reset();
    const auto r = round_trip(in);
    BOOST_TEST(!r.connector_transaction_id.has_value());
    BOOST_TEST(!r.payment_method_type.has_value());
    BOOST_TEST(json::value_from(in).as_object().at("outcome").as_string() == "failed");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(wire_paths)

BOOST_AUTO_TEST_CASE(nested_path_of_a_missing_field)
{
    expect_parse_failure<shapes::top>(R"({"a":{"b":[{"c":1},{"note":"x"}]}})", error::missing_field, "a.b[1].c");
    expect_parse_failure<shapes::top>(R"({"a":{"b":[{"c":1},{"c":null}]}})", error::missing_field, "a.b[1].c");
    expect_parse_failure<shapes::top>(R"({"a":{}})", error::missing_field, "a.b");
    expect_parse_failure<shapes::top>(R"({})", error::missing_field, "a");
    expect_parse_failure<shapes::top>(R"({"a":null})", error::missing_field, "a");
}

BOOST_AUTO_TEST_CASE(nested_path_of_a_mistyped_field)
{
    expect_parse_failure<shapes::top>(R"({"a":{"b":[{"c":1},{"c":"2"}]}})", error::invalid_field, "a.b[1].c");
    expect_parse_failure<shapes::top>(R"({"a":{"b":[{"c":1,"note":7}]}})", error::invalid_field, "a.b[0].note");
    expect_parse_failure<shapes::top>(R"({"a":{"b":[1]}})", error::invalid_field, "a.b[0]");
    expect_parse_failure<shapes::top>(R"({"a":{"b":{"c":1}}})", error::invalid_field, "a.b");
    expect_parse_failure<shapes::top>(R"({"a":5})", error::invalid_field, "a");
    expect_parse_failure<shapes::top>(R"([])", error::invalid_field, "");
}

BOOST_AUTO_TEST_CASE(top_level_array_and_nested_arrays)
{
    expect_failure(wire::convert<std::vector<shapes::leaf>>(json::parse(R"([{"c":1},{}])")), error::missing_field,
                   "[1].c");
    expect_parse_failure<shapes::scalars>(R"({"s":"","flag":true,"i32":0,"grid":[[1],[2,"x"]]})", error::invalid_field,
                                          "grid[1][1]");
    expect_parse_failure<shapes::scalars>(R"({"s":"","flag":true,"i32":0,"grid":[[1],3]})", error::invalid_field,
                                          "grid[1]");
}

BOOST_AUTO_TEST_CASE(scalars_are_read_exactly)
{
    const auto r = wire::parse_as<shapes::scalars>(
        R"({"s":"h\u00e9","flag":false,"i32":-2147483648,"u32":4294967295,"d":1.5,"grid":[[1,2],[]],"raw":{"x":[1]}})");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->s == "h\xC3\xA9");
    BOOST_TEST(!r->flag);
    BOOST_TEST(r->i32 == -2147483648);
    BOOST_TEST(r->u32 == 4294967295u);
    BOOST_TEST(r->d == 1.5);
    BOOST_TEST(r->grid.size() == 2u);
    BOOST_TEST(r->grid[0].size() == 2u);
    BOOST_TEST(r->grid[1].empty());
    BOOST_TEST_REQUIRE(r->raw.has_value());
    BOOST_TEST(text(*r->raw) == R"({"x":[1]})");
}

BOOST_AUTO_TEST_CASE(mistyped_scalars_are_invalid)
{
    expect_parse_failure<shapes::scalars>(R"({"s":1,"flag":true,"i32":1})", error::invalid_field, "s");
    expect_parse_failure<shapes::scalars>(R"({"s":"","flag":"true","i32":1})", error::invalid_field, "flag");
    expect_parse_failure<shapes::scalars>(R"({"s":"","flag":1,"i32":1})", error::invalid_field, "flag");
    expect_parse_failure<shapes::scalars>(R"({"s":"","flag":true,"i32":"1"})", error::invalid_field, "i32");
    expect_parse_failure<shapes::scalars>(R"({"s":"","flag":true,"i32":1.5})", error::invalid_field, "i32");
    expect_parse_failure<shapes::scalars>(R"({"s":"","flag":true,"i32":2147483648})", error::invalid_field, "i32");
    expect_parse_failure<shapes::scalars>(R"({"s":"","flag":true,"i32":true})", error::invalid_field, "i32");
    expect_parse_failure<shapes::scalars>(R"({"s":"","flag":true,"i32":1,"u32":-1})", error::invalid_field, "u32");
    expect_parse_failure<shapes::scalars>(R"({"s":"","flag":true,"i32":1,"d":"1.5"})", error::invalid_field, "d");
    const auto r = wire::parse_as<shapes::scalars>(R"({"s":"","flag":true,"i32":"1"})");
    BOOST_TEST_REQUIRE(!r);
    BOOST_TEST(r.error().detail == "expected integer");
}

BOOST_AUTO_TEST_CASE(null_is_absent)
{
    expect_parse_failure<shapes::scalars>(R"({"s":null,"flag":true,"i32":1})", error::missing_field, "s");
    const auto r = wire::parse_as<shapes::scalars>(R"({"s":"","flag":true,"i32":1,"u32":null,"raw":null})");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->u32 == 0u);
    BOOST_TEST(!r->raw.has_value());
}

BOOST_AUTO_TEST_CASE(foreign_exceptions_become_invalid_field)
{
    const auto r = wire::convert<shapes::careless>(json::parse(R"({"s":1})"));
    BOOST_TEST_REQUIRE(!r);
    BOOST_TEST(recoup::to_string(r.error().code) == "invalid_field");
    BOOST_TEST(!r.error().detail.empty());
}

BOOST_AUTO_TEST_CASE(not_json)
{
    for (std::string_view body : {"", "not json", "{", R"({"c":1} trailing)", R"({"c":})", "{'c':1}"}) {
        BOOST_TEST_CONTEXT("\"" << body << "\"")
        {
            const auto r = wire::parse_as<shapes::leaf>(body);
            expect_failure(r, error::body_not_json, "");
            if (!r) BOOST_TEST(!r.error().detail.empty());
        }
    }
    expect_parse_failure<recoup::normalized_webhook>("<xml/>", error::body_not_json, "");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(domain_errors)

BOOST_AUTO_TEST_CASE(invoice)
{
    using I = recoup::recovery_invoice;
    expect_parse_failure<I>(R"({"merchant_reference_id":"i","currency":"USD"})", error::missing_field, "amount");
    expect_parse_failure<I>(R"({"merchant_reference_id":"i","amount":"10","currency":"USD"})", error::invalid_field,
                            "amount");
    expect_parse_failure<I>(R"({"merchant_reference_id":"i","amount":10.5,"currency":"USD"})", error::invalid_field,
                            "amount");
    expect_parse_failure<I>(R"({"merchant_reference_id":"i","amount":-1,"currency":"USD"})",
                            error::amount_out_of_range, "amount");
    expect_parse_failure<I>(R"({"merchant_reference_id":"i","amount":9223372036854775808,"currency":"USD"})",
                            error::invalid_field, "amount");
    expect_parse_failure<I>(R"({"merchant_reference_id":"i","amount":1})", error::missing_field, "currency");
    expect_parse_failure<I>(R"({"merchant_reference_id":"i","amount":1,"currency":"US"})", error::invalid_field,
                            "currency");
    expect_parse_failure<I>(R"({"merchant_reference_id":"i","amount":1,"currency":840})", error::invalid_field,
                            "currency");
    expect_parse_failure<I>(R"({"merchant_reference_id":"i","amount":1,"currency":"ZZZ"})",
                            error::unsupported_currency, "currency");
    expect_parse_failure<I>(R"({"amount":1,"currency":"USD"})", error::missing_field, "merchant_reference_id");
    expect_parse_failure<I>(R"({"merchant_reference_id":"inv 1","amount":1,"currency":"USD"})",
                            error::invalid_field, "merchant_reference_id");
    expect_parse_failure<I>(R"({"merchant_reference_id":"i","amount":1,"currency":"USD","billing_address":"x"})",
                            error::invalid_field, "billing_address");
    expect_parse_failure<I>(
        R"({"merchant_reference_id":"i","amount":1,"currency":"USD","billing_address":{"city":5}})",
        error::invalid_field, "billing_address.city");
    expect_parse_failure<I>(R"({"merchant_reference_id":"i","amount":1,"currency":"USD","retry_count":3000000000})",
                            error::invalid_field, "retry_count");
}

BOOST_AUTO_TEST_CASE(attempt)
{
    using A = recoup::recovery_attempt;
    const std::string head = R"({"amount":1,"currency":"USD","merchant_reference_id":"i",)";
    expect_parse_failure<A>(head + R"("connector_transaction_id":"t"})", error::missing_field, "status");
    expect_parse_failure<A>(head + R"("connector_transaction_id":"t","status":"refunded"})", error::invalid_field,
                            "status");
    expect_parse_failure<A>(head + R"("connector_transaction_id":"t","status":"Charged"})", error::invalid_field,
                            "status");
    expect_parse_failure<A>(head + R"("status":"charged"})", error::missing_field, "connector_transaction_id");
    expect_parse_failure<A>(R"({"amount":-5,"currency":"USD","merchant_reference_id":"i",)"
                            R"("connector_transaction_id":"t","status":"charged"})",
                            error::amount_out_of_range, "amount");
    expect_parse_failure<A>(head + R"("connector_transaction_id":"t","status":"charged","retry_count":"2"})",
                            error::invalid_field, "retry_count");
    const auto r = wire::parse_as<A>(head + R"("connector_transaction_id":"t","status":"refunded"})");
    BOOST_TEST_REQUIRE(!r);
    BOOST_TEST(r.error().detail.find("refunded") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(normalized_webhook_paths)
{
    using W = recoup::normalized_webhook;
    expect_parse_failure<W>(R"({})", error::missing_field, "event_type");
    expect_parse_failure<W>(R"({"event_type":"PaymentFailure"})", error::invalid_field, "event_type");
    expect_parse_failure<W>(R"({"event_type":"RecoveryPaymentFailure","invoice":{"merchant_reference_id":"i",)"
                            R"("currency":"USD"}})",
                            error::missing_field, "invoice.amount");
    expect_parse_failure<W>(R"({"event_type":"RecoveryPaymentFailure","attempt":{"amount":1,"currency":"usdx"}})",
                            error::invalid_field, "attempt.currency");
    expect_parse_failure<W>(R"({"event_type":"RecoveryPaymentFailure","invoice":{"merchant_reference_id":"i",)"
                            R"("amount":1,"currency":"USD","billing_address":{"zip":12345}}})",
                            error::invalid_field, "invoice.billing_address.zip");
    expect_parse_failure<W>(R"({"event_type":"EventNotSupported","sync_requests":[{"method":"GET","path":"/a"},)"
                            R"({"path":"/b"}]})",
                            error::missing_field, "sync_requests[1].method");
    expect_parse_failure<W>(R"({"event_type":"EventNotSupported","sync_requests":[{"method":"GET","path":"/a",)"
                            R"("headers":[["a","1"],[2,"b"]]}]})",
                            error::invalid_field, "sync_requests[0].headers[1][0]");
    expect_parse_failure<W>(R"({"event_type":"EventNotSupported","sync_requests":[{"method":"GET","path":"/a",)"
                            R"("headers":[["a","1","x"]]}]})",
                            error::invalid_field, "sync_requests[0].headers");
    expect_parse_failure<W>(R"({"event_type":"EventNotSupported","sync_requests":{}})", error::invalid_field,
                            "sync_requests");
    expect_parse_failure<W>(R"({"event_type":"EventNotSupported","api_response":{"status":"200"}})",
                            error::invalid_field, "api_response.status");
    expect_parse_failure<W>(R"({"event_type":"EventNotSupported","api_response":{"status":200,"body":{}}})",
                            error::invalid_field, "api_response.body");
    expect_parse_failure<W>(R"({"event_type":"EventNotSupported","api_response":"ok"})", error::invalid_field,
                            "api_response");
    for (const char* status : {"199", "300", "500"})
        expect_parse_failure<W>(std::string(R"({"event_type":"EventNotSupported","api_response":{"status":)") + status + "}}",
                                error::invalid_field, "api_response.status");
}

BOOST_AUTO_TEST_CASE(record_back_request)
{
    using R = recoup::record_back_request;
    expect_parse_failure<R>(R"({"outcome":"maybe","invoice_id":"i","amount":1,"currency":"USD"})",
                            error::invalid_field, "outcome");
    expect_parse_failure<R>(R"({"outcome":"failed","amount":1,"currency":"USD"})", error::missing_field,
                            "invoice_id");
    expect_parse_failure<R>(R"({"outcome":"failed","invoice_id":"i","amount":1,"currency":"USD",)"
                            R"("occurred_at":"yesterday"})",
                            error::invalid_field, "occurred_at");
}

BOOST_AUTO_TEST_SUITE_END()
