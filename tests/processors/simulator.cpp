#include "simulator/processor.hpp"
#define BOOST_TEST_MODULE processor_simulator
#include <boost/test/unit_test.hpp>

#include "../support/test_support.hpp"

#include <recoup/crypto.hpp>
#include <recoup/plugin/loader.hpp>

#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

using recoup::charge_request;
using recoup::charge_result;
using recoup::charge_status;
using recoup::decline_kind;
using recoup::error;
using recoup::processors::simulator::processor;

namespace {

const processor simulator;
const recoup::mca_config no_account{};

charge_request charge(std::string token, std::string key = "pay_1:att_1")
{
    charge_request c;
    c.payment_id = "pay_1";
    c.attempt_id = "att_1";
    c.amount = 1999;
    c.currency = *recoup::find_currency("USD");
    c.payment_method_token = std::move(token);
    c.customer_id = "cus_1";
    c.idempotency_key = std::move(key);
    return c;
}

std::string json_of(const charge_result& r) { return boost::json::serialize(boost::json::value_from(r)); }

std::string expected_id(const std::string& key)
{
    return "sim_" + recoup::hex_encode(recoup::sha256(key)).substr(0, 24);
}

recoup::plugin::dynamic_processor load_plugin()
{
    auto loaded = recoup::plugin::load_processor(recoup_test::bundled_plugin("simulator"));
    if (!loaded) throw std::runtime_error(loaded.error().what());
    return std::move(*loaded);
}

// The static class and the built plugin, through the same checks.
template <class P>
charge_result charged(const P& p, const charge_request& c)
{
    auto step = p.build_charge(c, no_account);
    BOOST_TEST_REQUIRE(step.has_value(), (step ? "" : step.error().what()));
    BOOST_TEST(!step->request.has_value()); // no network: never a request to perform
    BOOST_TEST_REQUIRE(step->result.has_value());
    return *step->result;
}

template <class P>
charge_result synced(const P& p, const charge_request& c, const std::string& transaction)
{
    auto step = p.build_status(recoup::status_request{transaction, c}, no_account);
    BOOST_TEST_REQUIRE(step.has_value(), (step ? "" : step.error().what()));
    BOOST_TEST(!step->request.has_value());
    BOOST_TEST_REQUIRE(step->result.has_value());
    return *step->result;
}

template <class P>
void check_outcomes(const P& p)
{
    auto r = charged(p, charge("tok_success"));
    BOOST_TEST((r.status == charge_status::succeeded));
    BOOST_TEST((!r.decline.has_value()));
    BOOST_TEST((!r.error_code.has_value()));
    BOOST_TEST((r.processor_transaction_id == expected_id("pay_1:att_1")));

    r = charged(p, charge("tok_insufficient_funds"));
    BOOST_TEST((r.status == charge_status::failed));
    BOOST_TEST((r.decline == decline_kind::soft));
    BOOST_TEST((r.error_code == "insufficient_funds"));
    BOOST_TEST(r.error_message.has_value());

    r = charged(p, charge("tok_stolen_card"));
    BOOST_TEST((r.status == charge_status::failed));
    BOOST_TEST((r.decline == decline_kind::hard));
    BOOST_TEST((r.error_code == "stolen_card"));

    r = charged(p, charge("tok_pending"));
    BOOST_TEST((r.status == charge_status::pending));
    BOOST_TEST((!r.decline.has_value()));
    BOOST_TEST((r.processor_transaction_id == expected_id("pay_1:att_1")));

    r = charged(p, charge("tok_typo"));
    BOOST_TEST((r.status == charge_status::failed));
    BOOST_TEST((r.decline == decline_kind::hard));
    BOOST_TEST((r.error_code == "unknown_token"));
    BOOST_TEST_REQUIRE(r.error_message.has_value());
    BOOST_TEST(r.error_message->find("\"tok_typo\"") != std::string::npos);
}

template <class P>
void check_pending_then_success(const P& p)
{
    const auto c = charge("tok_pending", "pay_2:att_7");
    const auto first = charged(p, c);
    BOOST_TEST_REQUIRE((first.status == charge_status::pending));
    BOOST_TEST_REQUIRE(first.processor_transaction_id.has_value());
    const auto later = synced(p, c, *first.processor_transaction_id);
    BOOST_TEST((later.status == charge_status::succeeded));
    BOOST_TEST((later.processor_transaction_id == first.processor_transaction_id));
}

template <class P>
void check_parse_not_supported(const P& p)
{
    const auto c = charge("tok_success");
    const recoup::http_response response{200, {}, "{}"};
    const auto a = p.parse_charge(c, response);
    BOOST_TEST_REQUIRE(a.has_error());
    BOOST_TEST((a.error().code == error::not_supported));
    BOOST_TEST(a.error().field == "parse_charge");
    BOOST_TEST(a.error().detail.find("parse_charge") != std::string::npos);
    const auto b = p.parse_status(recoup::status_request{expected_id(c.idempotency_key), c}, response);
    BOOST_TEST_REQUIRE(b.has_error());
    BOOST_TEST((b.error().code == error::not_supported));
    BOOST_TEST(b.error().field == "parse_status");
    BOOST_TEST(b.error().detail.find("parse_status") != std::string::npos);
}

} // namespace

BOOST_AUTO_TEST_SUITE(static_class)

BOOST_AUTO_TEST_CASE(token_outcomes) { check_outcomes(simulator); }

BOOST_AUTO_TEST_CASE(pending_then_success) { check_pending_then_success(simulator); }

BOOST_AUTO_TEST_CASE(parse_is_not_supported) { check_parse_not_supported(simulator); }

BOOST_AUTO_TEST_CASE(transaction_id_follows_the_idempotency_key)
{
    const auto a = charged(simulator, charge("tok_success", "key-A"));
    const auto again = charged(simulator, charge("tok_success", "key-A")); // a retried charge
    const auto b = charged(simulator, charge("tok_success", "key-B"));
    BOOST_TEST((a.processor_transaction_id == again.processor_transaction_id));
    BOOST_TEST((a.processor_transaction_id != b.processor_transaction_id));
    BOOST_TEST_REQUIRE(a.processor_transaction_id.has_value());
    BOOST_TEST(a.processor_transaction_id->size() == 4u + 24u);
    BOOST_TEST(*a.processor_transaction_id == expected_id("key-A"));
    // Declines carry the id too: the host records the attempt against it.
    BOOST_TEST((charged(simulator, charge("tok_stolen_card", "key-A")).processor_transaction_id == expected_id("key-A")));
}

BOOST_AUTO_TEST_CASE(status_of_a_settled_charge_is_unchanged)
{
    for (const char* token : {"tok_success", "tok_insufficient_funds", "tok_stolen_card", "tok_typo"}) {
        BOOST_TEST_CONTEXT(token)
        {
            const auto c = charge(token);
            BOOST_TEST(json_of(synced(simulator, c, expected_id(c.idempotency_key))) ==
                       json_of(charged(simulator, c)));
        }
    }
}

BOOST_AUTO_TEST_CASE(status_of_another_transaction_is_refused)
{
    const auto r = simulator.build_status(recoup::status_request{"sim_000000000000000000000000", charge("tok_pending")},
                                          no_account);
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().code == error::invalid_field));
    BOOST_TEST(r.error().field == "processor_transaction_id");
}

BOOST_AUTO_TEST_CASE(charge_needs_a_key_and_an_amount)
{
    auto c = charge("tok_success", "");
    auto r = simulator.build_charge(c, no_account);
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().code == error::missing_field));
    BOOST_TEST(r.error().field == "idempotency_key");

    c = charge("tok_success");
    c.amount = 0;
    r = simulator.build_charge(c, no_account);
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().code == error::amount_out_of_range));
    BOOST_TEST(r.error().field == "amount");
}

BOOST_AUTO_TEST_SUITE_END()

// The built plugin (build/plugins/recoup_simulator.so) through the loader gives what the class gives.
BOOST_AUTO_TEST_SUITE(plugin)

BOOST_AUTO_TEST_CASE(descriptor)
{
    const auto p = load_plugin();
    BOOST_TEST(p.info().name == "simulator");
    BOOST_TEST(p.info().version == "1.0.0");
    BOOST_TEST(recoup::plugin::kind_name(p.info().kind) == "payment_processor");

    const auto as_connector = recoup::plugin::load_connector(recoup_test::bundled_plugin("simulator"));
    BOOST_TEST_REQUIRE(as_connector.has_error());
    BOOST_TEST((as_connector.error().code == error::plugin_wrong_kind));
}

BOOST_AUTO_TEST_CASE(token_outcomes) { check_outcomes(load_plugin()); }

BOOST_AUTO_TEST_CASE(pending_then_success) { check_pending_then_success(load_plugin()); }

BOOST_AUTO_TEST_CASE(parse_is_not_supported) { check_parse_not_supported(load_plugin()); }

BOOST_AUTO_TEST_CASE(same_results_as_the_class)
{
    const auto p = load_plugin();
    for (const char* token : {"tok_success", "tok_insufficient_funds", "tok_stolen_card", "tok_pending", "tok_x"}) {
        BOOST_TEST_CONTEXT(token)
        {
            const auto c = charge(token);
            BOOST_TEST(json_of(charged(p, c)) == json_of(charged(simulator, c)));
            const auto id = expected_id(c.idempotency_key);
            BOOST_TEST(json_of(synced(p, c, id)) == json_of(synced(simulator, c, id)));
        }
    }
}

BOOST_AUTO_TEST_CASE(errors_cross_the_boundary)
{
    const auto r = load_plugin().build_charge(charge("tok_success", ""), no_account);
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().code == error::missing_field));
    BOOST_TEST(r.error().field == "idempotency_key");
}

BOOST_AUTO_TEST_SUITE_END()

// ---- issuer mode: "issuer_api": true --------------------------------------------------------------

namespace {

const boost::json::object issuer_settings{{"issuer_api", true}};

recoup::mca_config issuer_account()
{
    recoup::mca_config c;
    c.settings = &issuer_settings;
    return c;
}

template <class P>
void check_issuer_mode(const P& p)
{
    const auto c = charge("tok_sim_4_1", "pay_1:att_3");
    const auto step = p.build_charge(c, issuer_account());
    BOOST_TEST_REQUIRE(step.has_value(), (step ? "" : step.error().what()));
    BOOST_TEST(!step->result.has_value());
    BOOST_TEST_REQUIRE(step->request.has_value());
    BOOST_TEST(step->request->method == "POST");
    BOOST_TEST(step->request->path == "/v1/charges");
    BOOST_TEST(boost::json::parse(step->request->body) ==
               boost::json::parse(R"({"token":"tok_sim_4_1","amount":1999,"currency":"USD","idempotency_key":"pay_1:att_3"})"));

    auto ok = p.parse_charge(c, recoup::http_response{200, {}, R"({"status":"succeeded","network":"visa"})"});
    BOOST_TEST_REQUIRE(ok.has_value(), (ok ? "" : ok.error().what()));
    BOOST_TEST((ok->status == charge_status::succeeded));
    BOOST_TEST((ok->processor_transaction_id == expected_id("pay_1:att_3")));

    auto nsf = p.parse_charge(c, recoup::http_response{200, {}, R"({"status":"declined","decline_code":"insufficient_funds","network":"visa","network_code":"51"})"});
    BOOST_TEST_REQUIRE(nsf.has_value(), (nsf ? "" : nsf.error().what()));
    BOOST_TEST((nsf->status == charge_status::failed));
    BOOST_TEST((nsf->decline == decline_kind::soft));
    BOOST_TEST((nsf->decline_class == recoup::decline_class::insufficient_funds));
    BOOST_TEST((nsf->network == recoup::card_network::visa));
    BOOST_TEST((nsf->network_decline_code == "51"));
    BOOST_TEST((nsf->error_code == "insufficient_funds"));
    BOOST_TEST((nsf->processor_transaction_id == expected_id("pay_1:att_3")));

    // The network's stop advice makes the decline hard whatever the code says.
    auto lost = p.parse_charge(c, recoup::http_response{200, {}, R"({"status":"declined","decline_code":"do_not_honor","network":"mastercard","network_code":"05","advice_code":"03"})"});
    BOOST_TEST_REQUIRE(lost.has_value(), (lost ? "" : lost.error().what()));
    BOOST_TEST((lost->decline == decline_kind::hard));
    BOOST_TEST((lost->decline_class == recoup::decline_class::hard));
    BOOST_TEST((lost->network_advice_code == "03"));

    auto refused = p.parse_charge(c, recoup::http_response{500, {}, R"({"status":"declined"})"});
    BOOST_TEST(refused.has_error());
    auto odd = p.parse_charge(c, recoup::http_response{200, {}, R"({"status":"maybe"})"});
    BOOST_TEST(odd.has_error());
}

} // namespace

BOOST_AUTO_TEST_CASE(issuer_mode_static_class) { check_issuer_mode(simulator); }

BOOST_AUTO_TEST_CASE(issuer_mode_through_the_plugin)
{
    const auto plugin = load_plugin();
    check_issuer_mode(plugin);
}

BOOST_AUTO_TEST_CASE(without_the_setting_the_token_decides_as_before)
{
    const boost::json::object off{{"issuer_api", false}};
    recoup::mca_config c;
    c.settings = &off;
    const auto step = simulator.build_charge(charge("tok_success"), c);
    BOOST_TEST_REQUIRE(step.has_value());
    BOOST_TEST(!step->request.has_value());
    BOOST_TEST((step->result->status == charge_status::succeeded));
}
