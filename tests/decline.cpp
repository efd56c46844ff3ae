#include <recoup/decline.hpp>

#define BOOST_TEST_MODULE decline
#include <boost/test/unit_test.hpp>

#include <recoup/processor.hpp>
#include <recoup/storable.hpp>

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

using recoup::card_network;
using recoup::charge_result;
using recoup::charge_status;
using recoup::classify_mastercard_advice;
using recoup::classify_stripe;
using recoup::classify_visa_code;
using recoup::decline_class;
using recoup::decline_kind;

namespace {

std::string name(std::optional<decline_class> c) { return c ? std::string(recoup::to_string(*c)) : "<none>"; }

charge_result from_json(std::string_view text)
{
    return boost::json::value_to<charge_result>(boost::json::parse(text));
}

std::string refusal(std::string_view text)
{
    try {
        from_json(text);
    } catch (const recoup::exception& e) {
        return e.what();
    }
    return "<accepted>";
}

} // namespace

BOOST_AUTO_TEST_SUITE(names)

BOOST_AUTO_TEST_CASE(every_class_and_network_has_its_stored_name)
{
    static_assert(recoup::names_are_dense<decline_class>(8));
    static_assert(recoup::names_are_dense<card_network>(5));
    // Stored in payment_attempt.decline_class / network (VARCHAR(32)) and carried by plugins: contracts.
    const std::pair<decline_class, std::string_view> classes[] = {
        {decline_class::hard, "hard"},
        {decline_class::insufficient_funds, "insufficient_funds"},
        {decline_class::try_later, "try_later"},
        {decline_class::do_not_honor, "do_not_honor"},
        {decline_class::card_expired_or_replaced, "card_expired_or_replaced"},
        {decline_class::authentication_required, "authentication_required"},
        {decline_class::fraud_suspected, "fraud_suspected"},
        {decline_class::processing_error, "processing_error"},
    };
    for (const auto& [c, n] : classes) {
        BOOST_TEST(recoup::to_string(c) == n);
        BOOST_TEST((recoup::enum_from_string<decline_class>(n) == c));
        BOOST_TEST(n.size() <= 32u);
    }
    BOOST_TEST(recoup::to_string(card_network::mastercard) == "mastercard");
    BOOST_TEST(recoup::to_string(card_network::other) == "other");
    BOOST_TEST(!recoup::enum_from_string<decline_class>("soft").has_value());
}

BOOST_AUTO_TEST_CASE(brands_as_processors_spell_them)
{
    using recoup::network_from_brand;
    BOOST_TEST((network_from_brand("visa") == card_network::visa));
    BOOST_TEST((network_from_brand("Visa") == card_network::visa));
    BOOST_TEST((network_from_brand("mastercard") == card_network::mastercard));
    BOOST_TEST((network_from_brand("MasterCard") == card_network::mastercard));
    BOOST_TEST((network_from_brand("amex") == card_network::amex));
    BOOST_TEST((network_from_brand("American Express") == card_network::amex));
    BOOST_TEST((network_from_brand("american_express") == card_network::amex));
    BOOST_TEST((network_from_brand("discover") == card_network::discover));
    for (const char* other : {"jcb", "unionpay", "diners", "unknown", "", "visaa"})
        BOOST_TEST((network_from_brand(other) == card_network::other), other);
}

BOOST_AUTO_TEST_CASE(the_kind_each_class_implies)
{
    using recoup::decline_kind_of;
    for (auto c : {decline_class::insufficient_funds, decline_class::try_later, decline_class::do_not_honor,
                   decline_class::processing_error})
        BOOST_TEST((decline_kind_of(c) == decline_kind::soft), name(c));
    for (auto c : {decline_class::hard, decline_class::card_expired_or_replaced, decline_class::authentication_required,
                   decline_class::fraud_suspected})
        BOOST_TEST((decline_kind_of(c) == decline_kind::hard), name(c));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(visa)

BOOST_AUTO_TEST_CASE(category_1_is_hard_and_never_retried)
{
    // The issue's list (04, 07, 12, 14, 15, 41, 43, 46, 57, R0, R1) and R3.
    for (const char* code : {"04", "07", "12", "14", "15", "41", "43", "46", "57", "R0", "R1", "R3", "r0"}) {
        BOOST_TEST(recoup::is_visa_category_1(code), code);
        BOOST_TEST((classify_visa_code(code) == decline_class::hard), code);
    }
    for (const char* code : {"05", "51", "54", "59", "91", "N7", "00", "", "4", "041"})
        BOOST_TEST(!recoup::is_visa_category_1(code), code);
}

BOOST_AUTO_TEST_CASE(other_categories)
{
    const std::pair<const char*, decline_class> table[] = {
        {"51", decline_class::insufficient_funds}, {"61", decline_class::insufficient_funds},
        {"91", decline_class::try_later},          {"19", decline_class::try_later},
        {"96", decline_class::processing_error},   {"59", decline_class::fraud_suspected},
        {"54", decline_class::card_expired_or_replaced}, {"N7", decline_class::card_expired_or_replaced},
        {"1A", decline_class::authentication_required},  {"05", decline_class::do_not_honor},
        {"62", decline_class::hard},
    };
    for (const auto& [code, cls] : table) BOOST_TEST((classify_visa_code(code) == cls), code << " " << name(cls));
    // Approvals and codes the table does not know: no class.
    for (const char* code : {"00", "10", "85", "ZZ", ""}) BOOST_TEST(!classify_visa_code(code).has_value(), code);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(mastercard)

BOOST_AUTO_TEST_CASE(merchant_advice_codes)
{
    BOOST_TEST((classify_mastercard_advice("03") == decline_class::hard));
    BOOST_TEST((classify_mastercard_advice("21") == decline_class::hard));
    BOOST_TEST(recoup::is_mastercard_stop_advice("03"));
    BOOST_TEST(recoup::is_mastercard_stop_advice("21"));
    for (const char* mac : {"01", "02", "04", "24", "30", "40", "", "3"})
        BOOST_TEST(!recoup::is_mastercard_stop_advice(mac), mac);
    BOOST_TEST((classify_mastercard_advice("01") == decline_class::card_expired_or_replaced));
    BOOST_TEST((classify_mastercard_advice("02") == decline_class::try_later));
    BOOST_TEST((classify_mastercard_advice("04") == decline_class::hard));
    BOOST_TEST((classify_mastercard_advice("40") == decline_class::hard));
    BOOST_TEST((classify_mastercard_advice("41") == decline_class::hard));
    for (const char* mac : {"24", "25", "26", "27", "28", "29", "30"})
        BOOST_TEST((classify_mastercard_advice(mac) == decline_class::try_later), mac);
    BOOST_TEST(!classify_mastercard_advice("99").has_value());
}

BOOST_AUTO_TEST_CASE(retry_after_waits)
{
    using recoup::mastercard_retry_after;
    const std::pair<const char*, std::int64_t> waits[] = {{"24", 3600},       {"25", 86400},      {"26", 2 * 86400},
                                                          {"27", 4 * 86400},  {"28", 6 * 86400},  {"29", 8 * 86400},
                                                          {"30", 10 * 86400}};
    for (const auto& [mac, seconds] : waits) BOOST_TEST(mastercard_retry_after(mac).value_or(-1) == seconds, mac);
    for (const char* mac : {"01", "02", "03", "21", "31", ""}) BOOST_TEST(!mastercard_retry_after(mac).has_value(), mac);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(stripe)

BOOST_AUTO_TEST_CASE(decline_codes)
{
    const std::pair<const char*, decline_class> table[] = {
        {"insufficient_funds", decline_class::insufficient_funds},
        {"card_velocity_exceeded", decline_class::insufficient_funds},
        {"withdrawal_count_limit_exceeded", decline_class::insufficient_funds},
        {"try_again_later", decline_class::try_later},
        {"issuer_not_available", decline_class::try_later},
        {"reenter_transaction", decline_class::try_later},
        {"processing_error", decline_class::processing_error},
        {"do_not_honor", decline_class::do_not_honor},
        {"generic_decline", decline_class::do_not_honor},
        {"call_issuer", decline_class::do_not_honor},
        {"card_declined", decline_class::do_not_honor},
        {"expired_card", decline_class::card_expired_or_replaced},
        {"incorrect_number", decline_class::card_expired_or_replaced},
        {"incorrect_cvc", decline_class::card_expired_or_replaced},
        {"invalid_expiry_year", decline_class::card_expired_or_replaced},
        {"authentication_required", decline_class::authentication_required},
        {"fraudulent", decline_class::fraud_suspected},
        {"merchant_blacklist", decline_class::fraud_suspected},
        {"lost_card", decline_class::hard},
        {"stolen_card", decline_class::hard},
        {"pickup_card", decline_class::hard},
        {"restricted_card", decline_class::hard},
        {"stop_payment_order", decline_class::hard},
        {"revocation_of_authorization", decline_class::hard},
        {"do_not_try_again", decline_class::hard},
        {"transaction_not_allowed", decline_class::hard},
    };
    for (const auto& [code, cls] : table)
        BOOST_TEST((classify_stripe(code, std::nullopt, std::nullopt) == cls), code << " -> " << name(cls));
    // Unknown or absent: a generic decline.
    BOOST_TEST((classify_stripe("some_new_code", std::nullopt, std::nullopt) == decline_class::do_not_honor));
    BOOST_TEST((classify_stripe(std::nullopt, std::nullopt, std::nullopt) == decline_class::do_not_honor));
}

BOOST_AUTO_TEST_CASE(the_network_never_retry_word_wins)
{
    // Visa category 1 behind a soft Stripe code, on a Visa card or one whose brand is unknown.
    BOOST_TEST((classify_stripe("insufficient_funds", "46", std::nullopt, card_network::visa) == decline_class::hard));
    BOOST_TEST((classify_stripe("generic_decline", "R0", std::nullopt) == decline_class::hard));
    // MAC 03 and 21 on any network.
    BOOST_TEST((classify_stripe("insufficient_funds", "51", "03", card_network::mastercard) == decline_class::hard));
    BOOST_TEST((classify_stripe("try_again_later", std::nullopt, "21") == decline_class::hard));
    // Fraud stays fraud (also final).
    BOOST_TEST((classify_stripe("fraudulent", "59", "03") == decline_class::fraud_suspected));
    // A Mastercard's network code is not read as a Visa code.
    BOOST_TEST((classify_stripe("do_not_honor", "04", std::nullopt, card_network::mastercard) ==
                decline_class::do_not_honor));
}

BOOST_AUTO_TEST_CASE(a_generic_code_yields_to_the_network)
{
    BOOST_TEST((classify_stripe("generic_decline", "51", std::nullopt) == decline_class::insufficient_funds));
    BOOST_TEST((classify_stripe("do_not_honor", "91", std::nullopt, card_network::visa) == decline_class::try_later));
    BOOST_TEST((classify_stripe("generic_decline", std::nullopt, "01") == decline_class::card_expired_or_replaced));
    BOOST_TEST((classify_stripe("generic_decline", std::nullopt, "25") == decline_class::try_later));
    // A specific Stripe code is kept over a network code that says less.
    BOOST_TEST((classify_stripe("insufficient_funds", "05", std::nullopt) == decline_class::insufficient_funds));
}

BOOST_AUTO_TEST_SUITE_END()

// ---- the plugin ABI: charge_result's taxonomy keys -------------------------------------------------

BOOST_AUTO_TEST_SUITE(plugin_abi)

BOOST_AUTO_TEST_CASE(the_new_keys_round_trip)
{
    auto r = recoup::declined_charge(decline_class::insufficient_funds, "insufficient_funds", "no money");
    r.network = card_network::visa;
    r.network_decline_code = "51";
    r.network_advice_code = "02";
    r.processor_transaction_id = "pi_1";
    const auto text = boost::json::serialize(boost::json::value_from(r));
    BOOST_TEST(text.find(R"("decline_class":"insufficient_funds")") != std::string::npos, text);
    BOOST_TEST(text.find(R"("network":"visa")") != std::string::npos, text);
    const auto back = from_json(text);
    BOOST_TEST((back.decline == decline_kind::soft));
    BOOST_TEST((back.decline_class == decline_class::insufficient_funds));
    BOOST_TEST((back.network == card_network::visa));
    BOOST_TEST((back.network_decline_code == "51"));
    BOOST_TEST((back.network_advice_code == "02"));
    BOOST_TEST((back.processor_transaction_id == "pi_1"));
}

BOOST_AUTO_TEST_CASE(an_older_plugin_omits_them)
{
    const auto r = from_json(R"({"status":"failed","decline":"hard","error_code":"stolen_card"})");
    BOOST_TEST((r.decline == decline_kind::hard));
    BOOST_TEST(!r.decline_class.has_value());
    BOOST_TEST(!r.network.has_value());
    BOOST_TEST(!r.network_decline_code.has_value());
    BOOST_TEST(!r.network_advice_code.has_value());
    // And a succeeded charge says nothing of them either way.
    const auto ok = boost::json::serialize(boost::json::value_from(from_json(R"({"status":"succeeded","decline":null})")));
    BOOST_TEST(ok.find("decline_class") == std::string::npos, ok);
    // Explicit nulls read as absent.
    const auto nulls = from_json(R"({"status":"failed","decline":"soft","decline_class":null,"network":null})");
    BOOST_TEST(!nulls.decline_class.has_value());
}

BOOST_AUTO_TEST_CASE(the_kind_follows_the_class)
{
    const auto derived = from_json(R"({"status":"failed","decline_class":"card_expired_or_replaced"})");
    BOOST_TEST((derived.decline == decline_kind::hard));
    const auto consistent = from_json(R"({"status":"failed","decline":"soft","decline_class":"try_later"})");
    BOOST_TEST((consistent.decline_class == decline_class::try_later));
}

BOOST_AUTO_TEST_CASE(bad_values_are_refused_clearly)
{
    auto e = refusal(R"({"status":"failed","decline":"soft","decline_class":"insufficent_funds"})");
    BOOST_TEST(e.find("decline_class") != std::string::npos, e);
    BOOST_TEST(e.find("insufficent_funds") != std::string::npos, e);
    e = refusal(R"({"status":"failed","decline":"soft","network":"maestro"})");
    BOOST_TEST(e.find("network") != std::string::npos, e);
    BOOST_TEST(e.find("maestro") != std::string::npos, e);
    e = refusal(R"({"status":"failed","decline":"soft","decline_class":"hard"})");
    BOOST_TEST(e.find("contradicts") != std::string::npos, e);
    e = refusal(R"({"status":"succeeded","decline_class":"try_later"})");
    BOOST_TEST(e.find("did not fail") != std::string::npos, e);
    e = refusal(R"({"status":"failed","decline":"soft","decline_class":7})");
    BOOST_TEST(e.find("decline_class") != std::string::npos, e);
    e = refusal(R"({"status":"failed","decline":"soft","network_decline_code":51})");
    BOOST_TEST(e.find("network_decline_code") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(network_codes_must_fit_their_columns)
{
    auto r = recoup::declined_charge(decline_class::try_later, "try_again_later", std::nullopt);
    r.network_decline_code = std::string(16, '9');
    r.network_advice_code = "24";
    BOOST_TEST(recoup::check_storable(r).has_value());
    r.network_decline_code = std::string(17, '9');
    auto bad = recoup::check_storable(r);
    BOOST_TEST_REQUIRE(!bad.has_value());
    BOOST_TEST(bad.error().field == "charge.network_decline_code");
    r.network_decline_code = "51";
    r.network_advice_code = std::string("0\0", 2);
    bad = recoup::check_storable(r);
    BOOST_TEST_REQUIRE(!bad.has_value());
    BOOST_TEST(bad.error().field == "charge.network_advice_code");
}

BOOST_AUTO_TEST_SUITE_END()
