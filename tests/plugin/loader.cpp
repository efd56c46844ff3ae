// Test that the header is self-contained: it comes first.
#include <recoup/plugin/loader.hpp>

#define BOOST_TEST_MODULE plugin_loader
#include <boost/test/unit_test.hpp>

#include "plugin_env.hpp"
#include "test_connector.hpp"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <unistd.h>

namespace json = boost::json;
namespace fs = std::filesystem;
using recoup::error;
using recoup::plugin::dynamic_connector;
using plugin_test::contains;
using plugin_test::expect_failure;
using plugin_test::plugin_path;
using plugin_test::require_path;

namespace {

dynamic_connector require_connector(std::string_view name)
{
    auto c = recoup::plugin::load_connector(require_path(name));
    BOOST_TEST_REQUIRE(c.has_value(), (c ? "" : c.error().what()));
    return *c;
}

std::string version(unsigned major, unsigned minor) { return std::to_string(major) + "." + std::to_string(minor); }

// ---- scenarios, run alike against the static class and every plugin build of it -------------

const std::string invoice_json = R"({"merchant_reference_id":"inv_0042","amount":22400,"currency":"EUR",)"
                                 R"("billing_address":{"city":"M\u00fcnchen","zip":"80331"},"retry_count":2})";
const std::string attempt_json = R"({"amount":22400,"currency":"EUR","merchant_reference_id":"inv_0042",)"
                                 R"("connector_transaction_id":"txn_1","status":"failure",)"
                                 R"("error_code":"card_declined","error_message":"Declined \"hard\""})";

std::string body(std::string_view type, bool with_invoice = true, bool with_attempt = true)
{
    std::string b = R"({"id":"ev_1","type":")" + std::string(type) + "\"";
    if (with_invoice) b += R"(,"invoice":)" + invoice_json;
    if (with_attempt) b += R"(,"attempt":)" + attempt_json;
    return b + "}";
}

struct normalize_case {
    std::string name;
    std::string body;
    std::vector<recoup::sync_exchange> sync;
    bool throws_statically = false; // the plugin catches it; a static class would let it out
};

std::vector<normalize_case> normalize_cases()
{
    const recoup::outbound_request invoice_get{"GET", "/invoices/ev_2", {}, ""};
    const std::string sync_body = R"({"id":"ev_2","type":"failed","sync":true,"attempt":)" + attempt_json + "}";
    return {
        {"failure", body("failed"), {}},
        {"success", body("succeeded"), {}},
        {"pending", body("pending"), {}},
        {"cancel", body("cancelled", true, false), {}},
        {"not_supported", R"({"id":"ev_9","type":"customer_created","invoice":{"amount":"broken"}})", {}},
        {"sync_first_round", sync_body, {}},
        {"sync_answered", sync_body,
         {{invoice_get, {200, {{"Content-Type", "application/json"}, {"X-Dup", "a"}, {"x-dup", "b"}}, invoice_json}}}},
        {"sync_failed", sync_body, {{invoice_get, {503, {}, "busy"}}}},
        {"invoice_missing_amount",
         R"({"id":"ev_1","type":"failed","invoice":{"merchant_reference_id":"inv_1","currency":"USD"}})", {}},
        {"invoice_bad_currency",
         R"({"id":"ev_1","type":"cancelled","invoice":{"merchant_reference_id":"inv_1","amount":1,"currency":"QQQ"}})",
         {}},
        {"missing_attempt", body("failed", true, false), {}},
        {"attempt_bad_status",
         R"({"id":"ev_1","type":"failed","invoice":)" + invoice_json +
             R"(,"attempt":{"amount":1,"currency":"EUR","merchant_reference_id":"inv_0042",)"
             R"("connector_transaction_id":"t","status":"refunded"}})",
         {}},
        {"not_json", "{not json", {}},
        {"missing_type", R"({"id":"ev_1"})", {}},
        {"explode", body("explode"), {}, true},
        {"explode_unknown", body("explode_unknown"), {}, true},
    };
}

struct verify_case {
    std::string name;
    std::vector<std::pair<std::string, std::string>> headers;
    std::vector<std::string> secrets;
    std::string settings = "{}";
    bool throws_statically = false;
};

std::vector<verify_case> verify_cases()
{
    return {
        {"match", {{"x-test-signature", "s3cret"}}, {"s3cret"}},
        {"header_any_case", {{"X-Test-Signature", "s3cret"}}, {"s3cret"}},
        {"rotated_secret", {{"x-test-signature", "new"}}, {"old", "new"}},
        {"mismatch", {{"x-test-signature", "s3cre7"}}, {"s3cret"}},
        {"prefix_is_not_a_match", {{"x-test-signature", "s3cre"}}, {"s3cret"}},
        {"missing", {{"x-other", "s3cret"}}, {"s3cret"}},
        {"duplicate", {{"x-test-signature", "s3cret"}, {"X-TEST-SIGNATURE", "s3cret"}}, {"s3cret"}},
        {"no_secret", {{"x-test-signature", "s3cret"}}, {}},
        {"fresh_timestamp", {{"x-test-signature", "s"}, {"x-test-timestamp", "1700000100"}}, {"s"}},
        {"stale_timestamp", {{"x-test-signature", "s"}, {"x-test-timestamp", "1699999000"}}, {"s"}},
        {"future_timestamp", {{"x-test-signature", "s"}, {"x-test-timestamp", "1700000301"}}, {"s"}},
        {"tolerance_off",
         {{"x-test-signature", "s"}, {"x-test-timestamp", "1000"}},
         {"s"},
         R"({"signature_tolerance_seconds":0})"},
        {"tolerance_wide",
         {{"x-test-signature", "s"}, {"x-test-timestamp", "1699999000"}},
         {"s"},
         R"({"signature_tolerance_seconds":3600})"},
        {"timestamp_not_a_number", {{"x-test-signature", "s"}, {"x-test-timestamp", "soon"}}, {"s"}, "{}", true},
    };
}

struct record_back_case {
    std::string name;
    recoup::record_back_request request;
    std::string settings = "{}";
    bool throws_statically = false;
};

std::vector<record_back_case> record_back_cases()
{
    const auto usd = recoup::find_currency("USD").value();
    const auto bhd = recoup::find_currency("BHD").value();
    return {
        {"succeeded", {recoup::recovery_outcome::succeeded, "inv_1", 1010, usd, "pi_1", "card", 1700000000}},
        {"failed", {recoup::recovery_outcome::failed, "inv_1", 5, bhd, std::nullopt, std::nullopt, 0}},
        {"with_settings",
         {recoup::recovery_outcome::succeeded, "inv_2", 1, usd, std::nullopt, std::nullopt, 0},
         R"({"api_version":"2021-02-25"})"},
        {"missing_invoice", {recoup::recovery_outcome::failed, "", 1, usd, std::nullopt, std::nullopt, 0}},
        {"explode", {recoup::recovery_outcome::failed, "explode", 1, usd, std::nullopt, std::nullopt, 0}, "{}", true},
    };
}

const recoup::time_point fixed_now = recoup::from_unix_seconds(1700000000);

// One text per outcome, so any difference between two builds shows in one comparison.
std::string describe(const recoup::failure& f)
{
    return "error " + std::string(recoup::to_string(f.code)) + " field=\"" + f.field + "\" detail=\"" + f.detail + "\"";
}

template <class T>
std::string describe(const recoup::result<T>& r)
{
    if (!r) return describe(r.error());
    if constexpr (std::is_void_v<T>) return "ok";
    else return "ok " + json::serialize(json::value_from(*r));
}

// The same calls a host makes, through the concept only.
template <recoup::billing_connector C>
std::string run_normalize(const C& c, const normalize_case& nc)
{
    recoup::owned_request req;
    req.path = "/v2/webhooks/revenue_recovery/pro_1/mca_1";
    req.headers = {{"Content-Type", "application/json"}};
    req.body = nc.body;
    const std::vector<std::string> secrets{"s3cret"};
    const recoup::mca_config mca{secrets, "key_123", nullptr};
    return describe(recoup::normalize(c, req.view(), mca, nc.sync));
}

template <recoup::billing_connector C>
std::string run_verify(const C& c, const verify_case& vc)
{
    recoup::owned_request req;
    req.headers = vc.headers;
    req.body = body("failed");
    const auto settings = json::parse(vc.settings).as_object();
    const recoup::mca_config mca{vc.secrets, "key_123", &settings};
    return describe(c.verify_source(req.view(), mca, fixed_now));
}

template <recoup::has_record_back C>
std::string run_record_back(const C& c, const record_back_case& rc)
{
    const std::vector<std::string> secrets{"s3cret"};
    const auto settings = json::parse(rc.settings).as_object();
    const recoup::mca_config mca{secrets, "key_123", &settings};
    return describe(c.record_back(rc.request, mca));
}

// Every scenario's outcome for one connector; throwing ones only where the plugin boundary
// catches them.
template <class C>
std::vector<std::string> all_outcomes(const C& c, bool include_throwing)
{
    std::vector<std::string> out;
    for (const auto& nc : normalize_cases())
        if (include_throwing || !nc.throws_statically) out.push_back("normalize " + nc.name + ": " + run_normalize(c, nc));
    for (const auto& vc : verify_cases())
        if (include_throwing || !vc.throws_statically) out.push_back("verify " + vc.name + ": " + run_verify(c, vc));
    for (const auto& rc : record_back_cases())
        if (include_throwing || !rc.throws_statically)
            out.push_back("record_back " + rc.name + ": " + run_record_back(c, rc));
    return out;
}

void compare(const std::vector<std::string>& expected, const std::vector<std::string>& actual)
{
    BOOST_TEST_REQUIRE(expected.size() == actual.size());
    for (std::size_t i = 0; i < expected.size(); ++i) BOOST_TEST(actual[i] == expected[i]);
}

// The whole behaviour of a loaded test connector, as the host sees it.
void check_test_connector(const dynamic_connector& c, std::string_view expected_path)
{
    const auto& info = c.info();
    BOOST_TEST(info.path == expected_path);
    BOOST_TEST(info.name == "test_connector");
    BOOST_TEST(info.version == "1.2.3");
    BOOST_TEST(info.abi_major == RECOUP_ABI_VERSION_MAJOR);
    BOOST_TEST(info.abi_minor == RECOUP_ABI_VERSION_MINOR);
    BOOST_TEST(info.kind == RECOUP_PLUGIN_KIND_BILLING_CONNECTOR);
    BOOST_TEST(recoup::plugin::kind_name(info.kind) == "billing_connector");
    BOOST_TEST(info.can_sync());
    BOOST_TEST(info.can_record_back());

    // Identical to the same class used statically, scenario by scenario (the scenarios that throw
    // cannot run statically: the plugin boundary is what catches them).
    const recoup_test::test_connector reference;
    compare(all_outcomes(reference, false), all_outcomes(c, false));
}

// A payload long enough to be truncated by the C error struct must still come back intact when it
// is output, not an error: the host buffer grows as the plugin appends.
std::string large_body()
{
    std::string long_message(200000, 'x');
    return R"({"id":"ev_big","type":"failed","invoice":)" + invoice_json +
           R"(,"attempt":{"amount":1,"currency":"EUR","merchant_reference_id":"inv_0042",)"
           R"("connector_transaction_id":"t","status":"failure","error_message":")" +
           long_message + R"("}})";
}

boost::test_tools::assertion_result clang_plugin_built(boost::unit_test::test_unit_id)
{
    boost::test_tools::assertion_result r(plugin_path("test_connector_clang").has_value());
    r.message() << "clang++ was not found at configure time (-Dclang_plugin_test=auto): nothing to load";
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(test_connector_plugin)

BOOST_AUTO_TEST_CASE(loads_and_behaves_like_the_static_class)
{
    const auto path = require_path("test_connector");
    check_test_connector(require_connector("test_connector"), path);
}

BOOST_AUTO_TEST_CASE(normalize_through_the_concept)
{
    const auto c = require_connector("test_connector");
    recoup::owned_request req;
    req.body = body("failed");
    const std::vector<std::string> secrets{"s3cret"};
    const recoup::mca_config mca{secrets, "key_123", nullptr};
    const auto r = recoup::normalize(c, req.view(), mca);
    BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().what()));
    BOOST_TEST(recoup::to_string(r->event_type) == "RecoveryPaymentFailure");
    BOOST_TEST(r->event_id.value_or("") == "ev_1");
    BOOST_TEST(r->object_reference_id == "inv_0042");
    BOOST_TEST_REQUIRE(r->invoice.has_value());
    BOOST_TEST(r->invoice->amount == 22400);
    BOOST_TEST(r->invoice->currency.str() == "EUR");
    BOOST_TEST_REQUIRE(r->invoice->billing_address.has_value());
    BOOST_TEST(r->invoice->billing_address->city.value_or("") == "M\xC3\xBCnchen");
    BOOST_TEST_REQUIRE(r->attempt.has_value());
    BOOST_TEST(r->attempt->connector_transaction_id == "txn_1");
    BOOST_TEST(r->attempt->error_message.value_or("") == "Declined \"hard\"");
    BOOST_TEST(r->response.body == R"({"received":"ev_1"})");
}

BOOST_AUTO_TEST_CASE(verify_source_through_the_plugin)
{
    const auto c = require_connector("test_connector");
    recoup::owned_request req;
    req.headers = {{"X-Test-Signature", "s3cret"}};
    const std::vector<std::string> secrets{"other", "s3cret"};
    const recoup::mca_config mca{secrets, "", nullptr};
    BOOST_TEST(c.verify_source(req.view(), mca, fixed_now).has_value());
    req.headers = {{"X-Test-Signature", "wrong"}};
    const auto bad = c.verify_source(req.view(), mca, fixed_now);
    expect_failure(bad, error::signature_mismatch);
    BOOST_TEST(bad.error().field == "x-test-signature");
}

BOOST_AUTO_TEST_CASE(sync_loop_across_the_boundary)
{
    const auto c = require_connector("test_connector");
    const auto cases = normalize_cases();
    recoup::owned_request req;
    req.body = cases[5].body; // sync_first_round
    const std::vector<std::string> secrets{"s3cret"};
    const recoup::mca_config mca{secrets, "key_123", nullptr};
    const auto first = recoup::normalize(c, req.view(), mca);
    BOOST_TEST_REQUIRE(first.has_value());
    BOOST_TEST_REQUIRE(first->sync_requests.size() == 1u);
    const auto& q = first->sync_requests.front();
    BOOST_TEST(q.method == "GET");
    BOOST_TEST(q.path == "/invoices/ev_2");
    BOOST_TEST(recoup::find_header(q.headers, "authorization").value_or("") == "Bearer key_123");
    BOOST_TEST(!first->invoice.has_value());

    const std::vector<recoup::sync_exchange> sync{{q, {200, {}, invoice_json}}};
    const auto second = recoup::normalize(c, req.view(), mca, sync);
    BOOST_TEST_REQUIRE(second.has_value(), (second ? "" : second.error().what()));
    BOOST_TEST(second->sync_requests.empty());
    BOOST_TEST_REQUIRE(second->invoice.has_value());
    BOOST_TEST(second->invoice->merchant_reference_id.str() == "inv_0042");
    BOOST_TEST(second->attempt.has_value());
}

BOOST_AUTO_TEST_CASE(large_output_crosses_intact)
{
    const auto c = require_connector("test_connector");
    recoup::owned_request req;
    req.body = large_body();
    const recoup::mca_config mca{};
    const auto r = recoup::normalize(c, req.view(), mca);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST_REQUIRE(r->attempt.has_value());
    BOOST_TEST(r->attempt->error_message.value_or("").size() == 200000u);
}

BOOST_AUTO_TEST_CASE(throwing_method_returns_an_error_and_the_host_survives)
{
    const auto c = require_connector("test_connector");
    recoup::owned_request req;
    const recoup::mca_config mca{};
    for (int round = 0; round < 3; ++round) {
        req.body = body("explode");
        const auto r = recoup::normalize(c, req.view(), mca);
        expect_failure(r, error::plugin_exception);
        if (!r) BOOST_TEST(r.error().detail == "boom from plugin");

        req.body = body("explode_unknown");
        const auto u = recoup::normalize(c, req.view(), mca);
        expect_failure(u, error::plugin_exception);
        if (!u) BOOST_TEST(u.error().detail == "unknown exception");

        req.headers = {{"x-test-signature", "s"}, {"x-test-timestamp", "soon"}};
        const std::vector<std::string> secrets{"s"};
        const auto v = c.verify_source(req.view(), recoup::mca_config{secrets, "", nullptr}, fixed_now);
        expect_failure(v, error::plugin_exception);
        if (!v) BOOST_TEST(v.error().detail == "stoll");
        req.headers.clear();

        // Still alive and well.
        req.body = body("failed");
        BOOST_TEST(recoup::normalize(c, req.view(), mca).has_value());
    }
}

BOOST_AUTO_TEST_CASE(record_back_through_the_plugin)
{
    const auto c = require_connector("test_connector");
    const std::vector<std::string> secrets{"s3cret"};
    const auto settings = json::parse(R"({"api_version":"v7"})").as_object();
    const recoup::mca_config mca{secrets, "key_123", &settings};
    recoup::record_back_request in;
    in.outcome = recoup::recovery_outcome::succeeded;
    in.invoice_id = "inv_0042";
    in.amount = 1010;
    in.currency = recoup::find_currency("USD").value();
    in.connector_transaction_id = "pi_1";
    const auto r = c.record_back(in, mca);
    BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().what()));
    BOOST_TEST(r->method == "PUT");
    BOOST_TEST(r->path == "/invoices/inv_0042/mark_successful");
    BOOST_TEST(recoup::find_header(r->headers, "authorization").value_or("") == "Bearer key_123");
    BOOST_TEST(recoup::find_header(r->headers, "x-api-version").value_or("") == "v7");
    BOOST_TEST(r->body == R"({"amount":"10.10","currency":"USD","transaction_id":"pi_1"})");

    in.invoice_id = "explode";
    const auto e = c.record_back(in, mca);
    expect_failure(e, error::plugin_exception);
    if (!e) BOOST_TEST(e.error().detail == "boom from plugin");
    in.invoice_id = "";
    const auto m = c.record_back(in, mca);
    expect_failure(m, error::missing_field);
    if (!m) BOOST_TEST(m.error().field == "invoice_id");
}

// A host that has the settings as stored text hands that text over as is (the plugin parses it,
// whatever its spacing); without it the loader serializes the object, as before.
BOOST_AUTO_TEST_CASE(settings_cross_as_the_stored_text)
{
    const auto c = require_connector("test_connector");
    const std::vector<std::string> secrets{"s3cret"};
    recoup::record_back_request in;
    in.outcome = recoup::recovery_outcome::succeeded;
    in.invoice_id = "inv_0042";
    in.amount = 1010;
    in.currency = recoup::find_currency("USD").value();
    auto version_sent = [&](const recoup::mca_config& mca) {
        const auto r = c.record_back(in, mca);
        BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().what()));
        return std::string(recoup::find_header(r->headers, "x-api-version").value_or(""));
    };
    const json::object none;
    recoup::mca_config as_text{secrets, "key_123", &none};
    as_text.settings_json = R"( { "api_version" :  "v9" , "other" : [1, 2] } )";
    BOOST_TEST(version_sent(as_text) == "v9"); // the text crossed, not the (empty) object

    const auto settings = json::parse(R"({"api_version":"v8"})").as_object();
    BOOST_TEST(version_sent(recoup::mca_config{secrets, "key_123", &settings}) == "v8");
}

BOOST_AUTO_TEST_CASE(connector_keeps_its_library_loaded)
{
    std::optional<dynamic_connector> copy;
    {
        const auto first = require_connector("test_connector");
        copy = first;
        const auto second = require_connector("test_connector"); // loaded twice: both work
        recoup::owned_request req;
        req.body = body("cancelled", true, false);
        BOOST_TEST(recoup::normalize(second, req.view(), recoup::mca_config{}).has_value());
    }
    recoup::owned_request req;
    req.body = body("failed");
    const auto r = recoup::normalize(*copy, req.view(), recoup::mca_config{});
    BOOST_TEST(r.has_value());
    BOOST_TEST(copy->info().name == "test_connector");
}

BOOST_AUTO_TEST_CASE(plugin_without_record_back)
{
    const auto c = require_connector("test_connector_basic");
    BOOST_TEST(c.info().name == "test_connector_basic");
    BOOST_TEST(!c.info().can_record_back());
    BOOST_TEST(c.info().can_sync());
    recoup::record_back_request in;
    in.invoice_id = "inv_1";
    in.currency = recoup::find_currency("USD").value();
    const auto r = c.record_back(in, recoup::mca_config{});
    expect_failure(r, error::not_supported);
    if (!r) {
        BOOST_TEST(r.error().field == "record_back");
        BOOST_TEST(contains(r.error().detail, "\"test_connector_basic\""));
    }
    // The rest of it works.
    recoup::owned_request req;
    req.body = body("succeeded");
    BOOST_TEST(recoup::normalize(c, req.view(), recoup::mca_config{}).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(clang_built_plugin)

// The C boundary is what lets a clang++-built plugin run in this g++-built process.
BOOST_AUTO_TEST_CASE(loads_and_behaves_identically, *boost::unit_test::precondition(clang_plugin_built))
{
    const auto clang_path = require_path("test_connector_clang");
    const auto clang = require_connector("test_connector_clang");
    check_test_connector(clang, clang_path);
    // Every scenario, the throwing ones included, gives the same text as the g++ build.
    compare(all_outcomes(require_connector("test_connector"), true), all_outcomes(clang, true));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(refusals)

BOOST_AUTO_TEST_CASE(next_abi_major_is_refused)
{
    const auto path = require_path("abi_next_major");
    const std::string expected = "incompatible plugin \"" + path + "\": ABI version mismatch\nHost ABI is " +
                                 version(RECOUP_ABI_VERSION_MAJOR, RECOUP_ABI_VERSION_MINOR) + ", plugin ABI is " +
                                 version(RECOUP_ABI_VERSION_MAJOR + 1, 0) + ".";
    for (const auto& f : {recoup::plugin::load_library(path).error(), recoup::plugin::load_connector(path).error()}) {
        BOOST_TEST(recoup::to_string(f.code) == "plugin_abi_mismatch");
        BOOST_TEST(f.field == path);
        BOOST_TEST(f.detail == expected);
    }
    // Spelled out for today's ABI major, as an operator reads it.
    if (RECOUP_ABI_VERSION_MAJOR == 1) {
        BOOST_TEST(contains(expected, "\nHost ABI is 1."));
        BOOST_TEST(contains(expected, ", plugin ABI is 2.0."));
    }
}

BOOST_AUTO_TEST_CASE(descriptor_smaller_than_the_abi_is_refused)
{
    const auto path = require_path("small_descriptor");
    const auto r = recoup::plugin::load_connector(path);
    expect_failure(r, error::plugin_abi_mismatch);
    if (!r) {
        BOOST_TEST(r.error().field == path);
        BOOST_TEST(contains(r.error().detail, "incompatible plugin \"" + path + "\": descriptor too small"));
        BOOST_TEST(contains(r.error().detail, "It declares 24 bytes, ABI " +
                                                  version(RECOUP_ABI_VERSION_MAJOR, RECOUP_ABI_VERSION_MINOR) +
                                                  " needs at least 56."));
    }
}

// A newer host loads an older plugin of the same major, reading only what struct_size covers.
BOOST_AUTO_TEST_CASE(older_minor_plugin_loads)
{
    const auto path = require_path("abi_1_0_connector");
    const auto c = recoup::plugin::load_connector(path);
    if (RECOUP_ABI_VERSION_MAJOR != 1) { // a 1.0 plugin is then another major
        expect_failure(c, error::plugin_abi_mismatch);
        return;
    }
    BOOST_TEST_REQUIRE(c.has_value(), (c ? "" : c.error().what()));
    BOOST_TEST(c->info().name == "abi_1_0");
    BOOST_TEST(c->info().abi_major == 1u);
    BOOST_TEST(c->info().abi_minor == 0u);
    BOOST_TEST(!c->info().can_record_back());

    recoup::owned_request req;
    req.body = "ok";
    BOOST_TEST(c->verify_source(req.view(), recoup::mca_config{}, fixed_now).has_value());
    req.body = "nope";
    const auto bad = c->verify_source(req.view(), recoup::mca_config{}, fixed_now);
    expect_failure(bad, error::signature_mismatch);
    if (!bad) {
        BOOST_TEST(bad.error().field == "body");
        BOOST_TEST(bad.error().detail == "not ok");
    }
    const auto w = recoup::normalize(*c, req.view(), recoup::mca_config{});
    BOOST_TEST_REQUIRE(w.has_value(), (w ? "" : w.error().what()));
    BOOST_TEST(recoup::to_string(w->event_type) == "EventNotSupported");
    BOOST_TEST(w->event_id.value_or("") == "old_1");
    recoup::record_back_request in;
    in.invoice_id = "inv_1";
    expect_failure(c->record_back(in, recoup::mca_config{}), error::not_supported);

    // The fields past its struct_size read as absent, not as whatever follows in its memory.
    const auto lib = recoup::plugin::load_library(path);
    BOOST_TEST_REQUIRE(lib.has_value());
    const auto& d = (*lib)->descriptor();
    const auto* bytes = reinterpret_cast<const unsigned char*>(&d);
    bool tail_is_zero = true;
    for (std::size_t i = d.struct_size; i < sizeof d; ++i) tail_is_zero &= bytes[i] == 0;
    BOOST_TEST(tail_is_zero);
}

BOOST_AUTO_TEST_CASE(missing_entry_symbol_is_refused_with_a_hint)
{
    const auto path = require_path("no_entry");
    const auto r = recoup::plugin::load_connector(path);
    expect_failure(r, error::plugin_missing_entry);
    if (!r) {
        BOOST_TEST(r.error().field == path);
        BOOST_TEST(contains(r.error().detail, "incompatible plugin \"" + path + "\": missing entry symbol"));
        BOOST_TEST(contains(r.error().detail, RECOUP_PLUGIN_ENTRY_NAME));
        BOOST_TEST(contains(r.error().detail, "\nHint: "));
        BOOST_TEST(contains(r.error().detail, "RECOUP_EXPORT_CONNECTOR"));
        BOOST_TEST(contains(r.error().detail, "<recoup/plugin/export.hpp>"));
    }
}

BOOST_AUTO_TEST_CASE(missing_file)
{
    const std::string path = "/nonexistent/recoup/plugins/recoup_nothing.so";
    const auto r = recoup::plugin::load_connector(path);
    expect_failure(r, error::plugin_load_failed);
    if (!r) {
        BOOST_TEST(r.error().field == path);
        BOOST_TEST(r.error().detail == "could not access file \"" + path + "\": no such file");
    }
    expect_failure(recoup::plugin::load_library(""), error::plugin_load_failed);
}

BOOST_AUTO_TEST_CASE(file_that_is_not_a_library)
{
    const auto path = (fs::temp_directory_path() / ("recoup_not_a_plugin_" + std::to_string(::getpid()) + ".so")).string();
    {
        std::ofstream out(path, std::ios::binary);
        out << "this is not an ELF file, just text pretending to be one\n";
    }
    const auto r = recoup::plugin::load_connector(path);
    fs::remove(path);
    expect_failure(r, error::plugin_load_failed);
    if (!r) {
        BOOST_TEST(r.error().field == path);
        BOOST_TEST(contains(r.error().detail, "could not load library \"" + path + "\": "));
        BOOST_TEST(!contains(r.error().detail, "unknown reason"), r.error().detail);
    }
}

BOOST_AUTO_TEST_CASE(unresolved_symbol_fails_at_load)
{
    const auto path = require_path("unresolved");
    const auto r = recoup::plugin::load_connector(path);
    expect_failure(r, error::plugin_load_failed);
    if (!r) {
        BOOST_TEST(contains(r.error().detail, "could not load library \"" + path + "\": "));
        BOOST_TEST(contains(r.error().detail, "recoup_test_symbol_nobody_defines"), r.error().detail);
    }
}

BOOST_AUTO_TEST_CASE(processor_is_not_a_connector)
{
    const auto path = require_path("processor_kind");
    const auto lib = recoup::plugin::load_library(path);
    BOOST_TEST_REQUIRE(lib.has_value(), (lib ? "" : lib.error().what()));
    BOOST_TEST((*lib)->info().name == "test_processor");
    BOOST_TEST((*lib)->info().kind == RECOUP_PLUGIN_KIND_PAYMENT_PROCESSOR);
    BOOST_TEST(recoup::plugin::kind_name((*lib)->info().kind) == "payment_processor");

    const auto r = recoup::plugin::load_connector(path);
    expect_failure(r, error::plugin_wrong_kind);
    if (!r) {
        BOOST_TEST(r.error().field == path);
        BOOST_TEST(r.error().detail == "plugin \"" + path + "\" is a payment_processor, not a billing connector");
    }
    BOOST_TEST(recoup::plugin::kind_name(0) == "unknown");
    BOOST_TEST(recoup::plugin::kind_name(77) == "unknown");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(misbehaving_plugin)

BOOST_AUTO_TEST_CASE(undeclared_error_code)
{
    const auto c = require_connector("misbehaving");
    recoup::owned_request req;
    const auto r = c.verify_source(req.view(), recoup::mca_config{}, fixed_now);
    expect_failure(r, error::plugin_exception);
    if (!r) BOOST_TEST(r.error().detail == "plugin \"misbehaving\" returned unknown error code 12345");
}

BOOST_AUTO_TEST_CASE(output_that_is_not_json)
{
    const auto c = require_connector("misbehaving");
    recoup::owned_request req;
    req.body = body("failed");
    const auto r = recoup::normalize(c, req.view(), recoup::mca_config{});
    expect_failure(r, error::plugin_invalid_output);
    if (!r) BOOST_TEST(contains(r.error().detail, "plugin \"misbehaving\": body is not json"), r.error().detail);
}

BOOST_AUTO_TEST_SUITE_END()
