// The Stripe processor's declines in the taxonomy (recoup/decline.hpp): Stripe's decline_code,
// the issuer's network_decline_code, the network's network_advice_code and the card's brand, read
// by the processor class and, through real dlopen, by the built plugin (the plugin ABI's new
// charge_result keys). tests/processors/stripe.cpp covers the rest of the processor.
#include "stripe/processor.hpp"
#define BOOST_TEST_MODULE processor_stripe_declines
#include <boost/test/unit_test.hpp>

#include "../support/test_support.hpp"

#include <recoup/plugin/loader.hpp>
#include <recoup/storable.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

using recoup::card_network;
using recoup::charge_request;
using recoup::charge_result;
using recoup::charge_status;
using recoup::decline_class;
using recoup::decline_kind;
using recoup::http_response;

namespace {

const recoup::processors::stripe::processor stripe;

charge_request charge()
{
    charge_request c;
    c.payment_id = "pay_1";
    c.attempt_id = "att_1";
    c.amount = 1999;
    c.currency = *recoup::find_currency("USD");
    c.payment_method_token = "pm_1";
    c.idempotency_key = "pay_1:att_1";
    return c;
}

struct stripe_decline {
    std::string code = "card_declined";
    std::optional<std::string> decline_code;
    std::optional<std::string> network_decline_code;
    std::optional<std::string> network_advice_code;
    std::optional<std::string> brand; // payment_method.card.brand
};

std::string quoted(std::string_view key, const std::optional<std::string>& value)
{
    return value ? ",\"" + std::string(key) + "\":\"" + *value + "\"" : "";
}

// A card error as Stripe sends it on POST /v1/payment_intents (402).
std::string error_json(const stripe_decline& d)
{
    std::string e = R"({"error":{"type":"card_error","code":")" + d.code + "\"";
    e += quoted("decline_code", d.decline_code) + quoted("network_decline_code", d.network_decline_code) +
         quoted("network_advice_code", d.network_advice_code);
    if (d.brand)
        e += R"(,"payment_method":{"id":"pm_1","object":"payment_method","type":"card","card":{"brand":")" +
             *d.brand + R"(","last4":"4242","exp_month":12,"exp_year":2030}})";
    e += R"(,"message":"Your card was declined.","payment_intent":{"id":"pi_1","object":"payment_intent",)"
         R"("status":"requires_payment_method"}}})";
    return e;
}

charge_result parsed(const recoup::result<charge_result>& r)
{
    BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().what()));
    return *r;
}

recoup::plugin::dynamic_processor load_plugin()
{
    auto loaded = recoup::plugin::load_processor(recoup_test::bundled_plugin("stripe"));
    if (!loaded) throw std::runtime_error(loaded.error().what());
    return std::move(*loaded);
}

// The same answer from the class and from the plugin (its charge_result crossed the ABI as JSON).
template <class Processor>
charge_result decline_of(const Processor& p, const stripe_decline& d)
{
    return parsed(p.parse_charge(charge(), http_response{402, {}, error_json(d)}));
}

struct expected {
    decline_class cls;
    std::optional<card_network> network;
};

template <class Processor>
void check_table(const Processor& p)
{
    const std::pair<stripe_decline, expected> table[] = {
        {{"card_declined", "insufficient_funds", "51", std::nullopt, "visa"},
         {decline_class::insufficient_funds, card_network::visa}},
        {{"card_declined", "do_not_honor", std::nullopt, std::nullopt, std::nullopt}, {decline_class::do_not_honor, {}}},
        {{"card_declined", "generic_decline", "51", std::nullopt, "visa"},
         {decline_class::insufficient_funds, card_network::visa}},
        {{"card_declined", "try_again_later", "91", std::nullopt, "visa"}, {decline_class::try_later, card_network::visa}},
        {{"processing_error", std::nullopt, std::nullopt, std::nullopt, "amex"},
         {decline_class::processing_error, card_network::amex}},
        {{"expired_card", std::nullopt, "54", std::nullopt, "visa"},
         {decline_class::card_expired_or_replaced, card_network::visa}},
        {{"card_declined", "authentication_required", "1A", std::nullopt, "visa"},
         {decline_class::authentication_required, card_network::visa}},
        {{"card_declined", "fraudulent", "59", std::nullopt, "mastercard"},
         {decline_class::fraud_suspected, card_network::mastercard}},
        {{"card_declined", "lost_card", "41", std::nullopt, "visa"}, {decline_class::hard, card_network::visa}},
        {{"card_declined", "stolen_card", "43", std::nullopt, "visa"}, {decline_class::hard, card_network::visa}},
        {{"card_declined", "pickup_card", "04", std::nullopt, "visa"}, {decline_class::hard, card_network::visa}},
        // Visa category 1 behind a soft Stripe code: never retried.
        {{"card_declined", "insufficient_funds", "46", std::nullopt, "visa"}, {decline_class::hard, card_network::visa}},
        // Mastercard's MAC 03 / 21 behind a soft code: never retried.
        {{"card_declined", "insufficient_funds", "51", "03", "mastercard"},
         {decline_class::hard, card_network::mastercard}},
        {{"card_declined", "do_not_honor", "05", "21", "mastercard"}, {decline_class::hard, card_network::mastercard}},
        // MAC 01: new account information: stale card data.
        {{"card_declined", "generic_decline", std::nullopt, "01", "mastercard"},
         {decline_class::card_expired_or_replaced, card_network::mastercard}},
        // MAC 25 (retry after 24 hours): try later.
        {{"card_declined", "generic_decline", std::nullopt, "25", "mastercard"},
         {decline_class::try_later, card_network::mastercard}},
        {{"card_declined", "card_velocity_exceeded", std::nullopt, std::nullopt, "discover"},
         {decline_class::insufficient_funds, card_network::discover}},
        {{"card_declined", "some_code_stripe_adds_later", std::nullopt, std::nullopt, "jcb"},
         {decline_class::do_not_honor, card_network::other}},
        {{"incorrect_cvc", std::nullopt, "N7", std::nullopt, "visa"},
         {decline_class::card_expired_or_replaced, card_network::visa}},
    };
    for (const auto& [d, want] : table) {
        const auto context = d.decline_code.value_or(d.code) + " " + d.network_decline_code.value_or("-") + " " +
                             d.network_advice_code.value_or("-") + " " + d.brand.value_or("-");
        BOOST_TEST_CONTEXT(context)
        {
            const auto r = decline_of(p, d);
            BOOST_TEST((r.status == charge_status::failed));
            BOOST_TEST((r.decline_class == want.cls), recoup::to_string(r.decline_class.value_or(decline_class::hard)));
            BOOST_TEST((r.decline == recoup::decline_kind_of(want.cls)));
            BOOST_TEST((r.network == want.network));
            BOOST_TEST((r.network_decline_code == d.network_decline_code));
            BOOST_TEST((r.network_advice_code == d.network_advice_code));
            BOOST_TEST((r.error_code == d.decline_code.value_or(d.code)));
            BOOST_TEST((r.processor_transaction_id == "pi_1"));
        }
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(the_processor_maps_every_code) { check_table(stripe); }

BOOST_AUTO_TEST_CASE(the_plugin_carries_the_taxonomy_across_the_abi) { check_table(load_plugin()); }

BOOST_AUTO_TEST_CASE(the_decline_kind_follows_the_class)
{
    // The cascading algorithm's view: hard for what no retry of this card can mend.
    const std::pair<const char*, decline_kind> kinds[] = {
        {"insufficient_funds", decline_kind::soft},   {"do_not_honor", decline_kind::soft},
        {"generic_decline", decline_kind::soft},      {"try_again_later", decline_kind::soft},
        {"processing_error", decline_kind::soft},     {"issuer_not_available", decline_kind::soft},
        {"stolen_card", decline_kind::hard},          {"lost_card", decline_kind::hard},
        {"fraudulent", decline_kind::hard},           {"expired_card", decline_kind::hard},
        {"incorrect_number", decline_kind::hard},     {"authentication_required", decline_kind::hard},
        {"incorrect_cvc", decline_kind::hard},        {"revocation_of_all_authorizations", decline_kind::hard},
    };
    for (const auto& [code, kind] : kinds) {
        stripe_decline d;
        d.decline_code = code;
        BOOST_TEST((decline_of(stripe, d).decline == kind), code);
    }
}

BOOST_AUTO_TEST_CASE(a_failed_intent_carries_its_last_payment_error)
{
    const auto body = R"({"id":"pi_9","object":"payment_intent","status":"requires_payment_method",)"
                      R"("last_payment_error":{"type":"card_error","code":"card_declined","decline_code":"generic_decline",)"
                      R"("network_decline_code":"51","payment_method":{"id":"pm_1","card":{"brand":"visa"}}}})";
    const auto r = parsed(stripe.parse_charge(charge(), http_response{200, {}, body}));
    BOOST_TEST((r.decline_class == decline_class::insufficient_funds));
    BOOST_TEST((r.network == card_network::visa));
    BOOST_TEST((r.network_decline_code == "51"));
    BOOST_TEST((r.processor_transaction_id == "pi_9"));
    // Canceled by Radar: fraud; canceled for another reason: a soft decline without a class.
    auto c = parsed(stripe.parse_charge(
        charge(), http_response{200, {}, R"({"id":"pi_8","status":"canceled","cancellation_reason":"fraudulent"})"}));
    BOOST_TEST((c.decline_class == decline_class::fraud_suspected));
    BOOST_TEST((c.decline == decline_kind::hard));
    c = parsed(stripe.parse_charge(
        charge(), http_response{200, {}, R"({"id":"pi_7","status":"canceled","cancellation_reason":"abandoned"})"}));
    BOOST_TEST(!c.decline_class.has_value());
    BOOST_TEST((c.decline == decline_kind::soft));
}

BOOST_AUTO_TEST_CASE(a_payment_method_without_a_card_or_as_an_id_gives_no_network)
{
    for (const char* pm : {R"("pm_1")", R"({"id":"pm_1","type":"sepa_debit"})", R"({"id":"pm_1","card":"x"})"}) {
        const auto body = std::string(R"({"error":{"type":"card_error","code":"card_declined",)") +
                          R"("decline_code":"insufficient_funds","payment_method":)" + pm + "}}";
        const auto r = parsed(stripe.parse_charge(charge(), http_response{402, {}, body}));
        BOOST_TEST(!r.network.has_value(), pm);
        BOOST_TEST((r.decline_class == decline_class::insufficient_funds), pm);
    }
}

BOOST_AUTO_TEST_CASE(a_rejected_request_has_no_class)
{
    // Not the card's fault (an amount below Stripe's minimum): hard for this invoice, but nothing the
    // network budget should remember against the credential.
    const auto r = parsed(stripe.parse_charge(
        charge(), http_response{400, {}, R"({"error":{"type":"invalid_request_error","code":"amount_too_small"}})"}));
    BOOST_TEST((r.decline == decline_kind::hard));
    BOOST_TEST(!r.decline_class.has_value());
}

BOOST_AUTO_TEST_CASE(an_overlong_network_code_is_caught_before_the_store)
{
    stripe_decline d;
    d.decline_code = "insufficient_funds";
    d.network_decline_code = std::string(17, '5');
    const auto r = decline_of(stripe, d);
    const auto storable = recoup::check_storable(r);
    BOOST_TEST_REQUIRE(!storable.has_value());
    BOOST_TEST(storable.error().field == "charge.network_decline_code");
}
