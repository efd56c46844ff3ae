// The plugin loader suite's scenarios (loader.cpp, loader_refusals.cpp: one executable,
// plugin_loader): webhook bodies, the normalize / verify / record-back cases run alike against the
// static test connector and every plugin build of it, and the checks that compare their outcomes.
#pragma once

#include <recoup/plugin/loader.hpp>

#include <boost/test/unit_test.hpp>

#include "plugin_env.hpp"
#include "test_connector.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace loader_test {

namespace json = boost::json;
namespace fs = std::filesystem;
using recoup::error;
using recoup::plugin::dynamic_connector;
using plugin_test::contains;
using plugin_test::expect_failure;
using plugin_test::plugin_path;
using plugin_test::require_path;

inline dynamic_connector require_connector(std::string_view name)
{
    auto c = recoup::plugin::load_connector(require_path(name));
    BOOST_TEST_REQUIRE(c.has_value(), (c ? "" : c.error().what()));
    return *c;
}

inline std::string version(unsigned major, unsigned minor) { return std::to_string(major) + "." + std::to_string(minor); }

// ---- scenarios, run alike against the static class and every plugin build of it -------------

inline const std::string invoice_json = R"({"merchant_reference_id":"inv_0042","amount":22400,"currency":"EUR",)"
                                 R"("billing_address":{"city":"M\u00fcnchen","zip":"80331"},"retry_count":2})";
inline const std::string attempt_json = R"({"amount":22400,"currency":"EUR","merchant_reference_id":"inv_0042",)"
                                 R"("connector_transaction_id":"txn_1","status":"failure",)"
                                 R"("error_code":"card_declined","error_message":"Declined \"hard\""})";

inline std::string body(std::string_view type, bool with_invoice = true, bool with_attempt = true)
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

inline std::vector<normalize_case> normalize_cases()
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

inline std::vector<verify_case> verify_cases()
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

inline std::vector<record_back_case> record_back_cases()
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

inline const recoup::time_point fixed_now = recoup::from_unix_seconds(1700000000);

// One text per outcome, so any difference between two builds shows in one comparison.
inline std::string describe(const recoup::failure& f)
{
    return "error " + std::string(recoup::to_string(f.code)) + " field=\"" + f.field + "\" detail=\"" + f.detail + "\"";
}

template <class T>
inline std::string describe(const recoup::result<T>& r)
{
    if (!r) return describe(r.error());
    if constexpr (std::is_void_v<T>) return "ok";
    else return "ok " + json::serialize(json::value_from(*r));
}

// The same calls a host makes, through the concept only.
template <recoup::billing_connector C>
inline std::string run_normalize(const C& c, const normalize_case& nc)
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
inline std::string run_verify(const C& c, const verify_case& vc)
{
    recoup::owned_request req;
    req.headers = vc.headers;
    req.body = body("failed");
    const auto settings = json::parse(vc.settings).as_object();
    const recoup::mca_config mca{vc.secrets, "key_123", &settings};
    return describe(c.verify_source(req.view(), mca, fixed_now));
}

template <recoup::has_record_back C>
inline std::string run_record_back(const C& c, const record_back_case& rc)
{
    const std::vector<std::string> secrets{"s3cret"};
    const auto settings = json::parse(rc.settings).as_object();
    const recoup::mca_config mca{secrets, "key_123", &settings};
    return describe(c.record_back(rc.request, mca));
}

// Every scenario's outcome for one connector; throwing ones only where the plugin boundary
// catches them.
template <class C>
inline std::vector<std::string> all_outcomes(const C& c, bool include_throwing)
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

inline void compare(const std::vector<std::string>& expected, const std::vector<std::string>& actual)
{
    BOOST_TEST_REQUIRE(expected.size() == actual.size());
    for (std::size_t i = 0; i < expected.size(); ++i) BOOST_TEST(actual[i] == expected[i]);
}

// The whole behaviour of a loaded test connector, as the host sees it.
inline void check_test_connector(const dynamic_connector& c, std::string_view expected_path)
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
inline std::string large_body()
{
    std::string long_message(200000, 'x');
    return R"({"id":"ev_big","type":"failed","invoice":)" + invoice_json +
           R"(,"attempt":{"amount":1,"currency":"EUR","merchant_reference_id":"inv_0042",)"
           R"("connector_transaction_id":"t","status":"failure","error_message":")" +
           long_message + R"("}})";
}

inline boost::test_tools::assertion_result clang_plugin_built(boost::unit_test::test_unit_id)
{
    boost::test_tools::assertion_result r(plugin_path("test_connector_clang").has_value());
    r.message() << "clang++ was not found at configure time (-Dclang_plugin_test=auto): nothing to load";
    return r;
}

} // namespace loader_test
