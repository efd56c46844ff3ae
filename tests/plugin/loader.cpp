// The plugin loader: the test connector through dlopen, as the static class and as a clang++ build
// (this file); refusals in loader_refusals.cpp; the shared scenarios in loader_scenarios.hpp.
// Test that the header is self-contained: it comes first.
#include <recoup/plugin/loader.hpp>

#define BOOST_TEST_MODULE plugin_loader
#include <boost/test/unit_test.hpp>

#include "loader_scenarios.hpp"
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

using namespace loader_test;

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
