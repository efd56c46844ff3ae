#include <recoup/network_rules.hpp>

#define BOOST_TEST_MODULE network_rules
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>

#include <string>
#include <vector>

using recoup::attempt_initiator;
using recoup::budget_counts;
using recoup::budget_outcome;
using recoup::card_network;
using recoup::check_budget;
using recoup::decline_class;
using recoup::default_network_rules;
using recoup::network_rules;
using recoup::past_attempt;

namespace {

constexpr std::int64_t day = 86400;
constexpr std::int64_t t0 = 1767225600; // 2026-01-01T00:00:00Z

past_attempt declined(std::int64_t at, attempt_initiator who = attempt_initiator::merchant,
                      decline_class cls = decline_class::insufficient_funds)
{
    past_attempt p;
    p.at = at;
    p.declined = true;
    p.decline_class = cls;
    p.initiator = who;
    return p;
}

past_attempt approved(std::int64_t at)
{
    past_attempt p;
    p.at = at;
    p.declined = false;
    return p;
}

// One declined first attempt at t0, then `n` declined reattempts, one an hour.
std::vector<past_attempt> first_and_reattempts(int n, attempt_initiator who = attempt_initiator::merchant)
{
    std::vector<past_attempt> h{declined(t0, who)};
    for (int i = 1; i <= n; ++i) h.push_back(declined(t0 + i * 3600, who));
    return h;
}

// The pre-May-2025 Visa rule: 15 reattempts per credential in 30 days, one counter.
network_rules visa_2020()
{
    network_rules r;
    r.limits = {{"visa_reattempts_30d", card_network::visa, 30 * day, 15, budget_counts::reattempts,
                 attempt_initiator::any}};
    return r;
}

std::string text_of(const recoup::result<network_rules>& r) { return r ? "<accepted>" : r.error().what(); }

} // namespace

BOOST_AUTO_TEST_SUITE(visa)

BOOST_AUTO_TEST_CASE(the_15th_reattempt_is_allowed_the_16th_is_not_under_the_2020_rule)
{
    const auto at = t0 + 20 * 3600;
    auto h = first_and_reattempts(14); // 14 reattempts made: the next is the 15th
    auto v = check_budget(visa_2020(), card_network::visa, h, at);
    BOOST_TEST((v.outcome == budget_outcome::allowed));
    BOOST_TEST(v.earliest.value_or(-1) == at);
    BOOST_TEST(v.rule.empty());
    h = first_and_reattempts(15); // the next would be the 16th
    v = check_budget(visa_2020(), card_network::visa, h, at);
    BOOST_TEST((v.outcome == budget_outcome::later));
    BOOST_TEST(v.rule == "visa_reattempts_30d");
    // Allowed once the first reattempt (t0 + 1 h) is 30 days old.
    BOOST_TEST(v.earliest.value_or(-1) == t0 + 3600 + 30 * day);
}

BOOST_AUTO_TEST_CASE(the_2025_default_counts_20_per_initiator)
{
    const auto rules = default_network_rules();
    const auto at = t0 + 25 * 3600;
    auto h = first_and_reattempts(19);
    BOOST_TEST(check_budget(rules, card_network::visa, h, at).allowed());
    h = first_and_reattempts(20);
    auto v = check_budget(rules, card_network::visa, h, at);
    BOOST_TEST((v.outcome == budget_outcome::later));
    BOOST_TEST(v.rule == "visa_merchant_reattempts_30d");
    // The customer's own 20 reattempts leave the merchant's counter untouched, and the reverse.
    h = first_and_reattempts(20, attempt_initiator::customer);
    BOOST_TEST(check_budget(rules, card_network::visa, h, at, attempt_initiator::merchant).allowed());
    v = check_budget(rules, card_network::visa, h, at, attempt_initiator::customer);
    BOOST_TEST(v.rule == "visa_customer_reattempts_30d");
}

BOOST_AUTO_TEST_CASE(the_window_edge_at_exactly_30_days)
{
    // 15 reattempts at the same second t0 + 1 h; the window is (t - 30 d, t].
    std::vector<past_attempt> h{declined(t0)};
    for (int i = 0; i < 15; ++i) h.push_back(declined(t0 + 3600));
    const auto edge = t0 + 3600 + 30 * day;
    auto v = check_budget(visa_2020(), card_network::visa, h, edge - 1);
    BOOST_TEST((v.outcome == budget_outcome::later));
    BOOST_TEST(v.earliest.value_or(-1) == edge);
    BOOST_TEST(check_budget(visa_2020(), card_network::visa, h, edge).allowed());
}

BOOST_AUTO_TEST_CASE(an_approval_ends_the_run_of_reattempts)
{
    auto h = first_and_reattempts(15);
    h.push_back(approved(t0 + 16 * 3600));
    // The next attempt follows an approval: no reattempt, nothing to count.
    BOOST_TEST(check_budget(visa_2020(), card_network::visa, h, t0 + 17 * 3600).allowed());
    // A decline after it: the next is a reattempt again, and the 15 in the window still count.
    h.push_back(declined(t0 + 18 * 3600));
    BOOST_TEST((check_budget(visa_2020(), card_network::visa, h, t0 + 19 * 3600).outcome == budget_outcome::later));
}

BOOST_AUTO_TEST_CASE(category_1_is_never_retried)
{
    for (const char* code : {"04", "07", "12", "14", "15", "41", "43", "46", "57", "R0", "R1", "R3"}) {
        auto p = declined(t0, attempt_initiator::customer, decline_class::do_not_honor);
        p.network_code = code;
        const std::vector<past_attempt> h{p};
        const auto v = check_budget(default_network_rules(), card_network::visa, h, t0 + 400 * day);
        BOOST_TEST((v.outcome == budget_outcome::never), code);
        BOOST_TEST(!v.earliest.has_value());
        BOOST_TEST(v.rule == "visa_category_1");
    }
    // A category 2 code is not.
    auto p = declined(t0);
    p.network_code = "51";
    const std::vector<past_attempt> h{p};
    BOOST_TEST(check_budget(default_network_rules(), card_network::visa, h, t0 + day).allowed());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(mastercard)

BOOST_AUTO_TEST_CASE(ten_declines_per_day)
{
    const auto rules = default_network_rules();
    std::vector<past_attempt> h;
    for (int i = 0; i < 9; ++i) h.push_back(declined(t0 + i * 60));
    BOOST_TEST(check_budget(rules, card_network::mastercard, h, t0 + 3600).allowed());
    h.push_back(declined(t0 + 9 * 60)); // the 10th decline in 24 hours
    auto v = check_budget(rules, card_network::mastercard, h, t0 + 3600);
    BOOST_TEST((v.outcome == budget_outcome::later));
    BOOST_TEST(v.rule == "mastercard_declines_24h");
    BOOST_TEST(v.earliest.value_or(-1) == t0 + day); // the first leaves the 24 h window
    BOOST_TEST(check_budget(rules, card_network::mastercard, h, t0 + day).allowed());
    BOOST_TEST(!check_budget(rules, card_network::mastercard, h, t0 + day - 1).allowed());
    // Approvals are not declines: they count for nothing.
    std::vector<past_attempt> ok;
    for (int i = 0; i < 12; ++i) ok.push_back(approved(t0 + i * 60));
    BOOST_TEST(check_budget(rules, card_network::mastercard, ok, t0 + 3600).allowed());
}

BOOST_AUTO_TEST_CASE(thirty_five_declines_per_30_days)
{
    const auto rules = default_network_rules();
    std::vector<past_attempt> h;
    for (int i = 0; i < 34; ++i) h.push_back(declined(t0 + i * day / 2)); // two a day: the daily limit holds
    const auto at = t0 + 20 * day;
    BOOST_TEST(check_budget(rules, card_network::mastercard, h, at).allowed());
    h.push_back(declined(t0 + 17 * day + 3600)); // the 35th
    const auto v = check_budget(rules, card_network::mastercard, h, at);
    BOOST_TEST((v.outcome == budget_outcome::later));
    BOOST_TEST(v.rule == "mastercard_declines_30d");
    BOOST_TEST(v.earliest.value_or(-1) == t0 + 30 * day);
}

BOOST_AUTO_TEST_CASE(mac_03_and_21_end_retries)
{
    for (const char* mac : {"03", "21"}) {
        auto p = declined(t0);
        p.advice_code = mac;
        const std::vector<past_attempt> h{p};
        const auto v = check_budget(default_network_rules(), card_network::mastercard, h, t0 + 100 * day);
        BOOST_TEST((v.outcome == budget_outcome::never), mac);
        BOOST_TEST(v.rule == "mastercard_do_not_try_again");
    }
    auto p = declined(t0);
    p.advice_code = "02";
    const std::vector<past_attempt> h{p};
    BOOST_TEST(check_budget(default_network_rules(), card_network::mastercard, h, t0 + day).allowed());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(any_network)

BOOST_AUTO_TEST_CASE(hard_and_fraud_are_never_retried_until_an_approval)
{
    for (auto cls : {decline_class::hard, decline_class::fraud_suspected}) {
        std::vector<past_attempt> h{declined(t0, attempt_initiator::merchant, cls)};
        for (auto network : {card_network::visa, card_network::amex, card_network::other}) {
            const auto v = check_budget(default_network_rules(), network, h, t0 + day);
            BOOST_TEST((v.outcome == budget_outcome::never));
            BOOST_TEST(v.rule == "hard_decline");
        }
        // The cardholder got the card approved since (a new card behind the same token): no longer blocked.
        h.push_back(approved(t0 + 2 * day));
        BOOST_TEST(check_budget(default_network_rules(), card_network::visa, h, t0 + 3 * day).allowed());
    }
}

BOOST_AUTO_TEST_CASE(no_history_and_other_networks_are_free)
{
    const auto rules = default_network_rules();
    BOOST_TEST(check_budget(rules, card_network::visa, {}, t0).allowed());
    std::vector<past_attempt> h;
    for (int i = 0; i < 50; ++i) h.push_back(declined(t0 + i));
    BOOST_TEST(check_budget(rules, card_network::amex, h, t0 + 100).allowed());
    BOOST_TEST(check_budget(rules, card_network::other, h, t0 + 100).allowed());
}

BOOST_AUTO_TEST_CASE(several_limits_move_the_time_until_all_allow)
{
    network_rules r;
    r.limits = {{"a", std::nullopt, 10 * day, 2, budget_counts::declines, attempt_initiator::any},
                {"b", std::nullopt, day, 1, budget_counts::declines, attempt_initiator::any}};
    // Declines at t0 and t0 + 9.5 d: "a" frees at t0 + 10 d, where "b" still sees t0 + 9.5 d until t0 + 10.5 d.
    const std::vector<past_attempt> h{declined(t0), declined(t0 + 9 * day + day / 2)};
    const auto v = check_budget(r, card_network::discover, h, t0 + 9 * day + day / 2 + 60);
    BOOST_TEST((v.outcome == budget_outcome::later));
    BOOST_TEST(v.earliest.value_or(-1) == t0 + 10 * day + day / 2);
    BOOST_TEST(v.rule == "b");
}

BOOST_AUTO_TEST_CASE(history_order_does_not_matter)
{
    auto h = first_and_reattempts(15);
    std::reverse(h.begin(), h.end());
    const auto v = check_budget(visa_2020(), card_network::visa, h, t0 + 20 * 3600);
    BOOST_TEST(v.earliest.value_or(-1) == t0 + 3600 + 30 * day);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(json)

BOOST_AUTO_TEST_CASE(the_defaults_round_trip)
{
    const auto text = recoup::serialize_network_rules(default_network_rules());
    const auto parsed = recoup::parse_network_rules(text);
    BOOST_TEST_REQUIRE(parsed.has_value(), text_of(parsed));
    BOOST_TEST(recoup::serialize_network_rules(*parsed) == text);
    BOOST_TEST(parsed->limits.size() == 4u);
    BOOST_TEST(parsed->never_retry.size() == 3u);
    BOOST_TEST(parsed->limits[1].name == "visa_merchant_reattempts_30d");
    BOOST_TEST(parsed->limits[1].window_seconds == 30 * day);
    BOOST_TEST(parsed->limits[1].max_attempts == 20);
    BOOST_TEST((parsed->limits[1].initiator == attempt_initiator::merchant));
    BOOST_TEST((parsed->never_retry[2].classes == std::vector{decline_class::hard, decline_class::fraud_suspected}));
    BOOST_TEST(!parsed->never_retry[2].network.has_value());
}

BOOST_AUTO_TEST_CASE(a_custom_table)
{
    const auto parsed = recoup::parse_network_rules(R"({
        "limits": [{"name": "visa_15", "network": "visa", "window_seconds": 2592000, "max_attempts": 15,
                    "counts": "reattempts"},
                   {"name": "all_3_per_day", "network": "any", "window_seconds": 86400, "max_attempts": 3,
                    "counts": "declines", "initiator": "any"}],
        "never_retry": []})");
    BOOST_TEST_REQUIRE(parsed.has_value(), text_of(parsed));
    BOOST_TEST((parsed->limits[0].network == card_network::visa));
    BOOST_TEST((parsed->limits[0].initiator == attempt_initiator::any));
    BOOST_TEST(!parsed->limits[1].network.has_value());
    BOOST_TEST(parsed->never_retry.empty());
    // An empty table: no limits at all.
    BOOST_TEST(recoup::parse_network_rules(R"({"limits":[],"never_retry":[]})").has_value());
}

BOOST_AUTO_TEST_CASE(bad_shapes_are_refused_naming_the_place)
{
    const std::pair<const char*, const char*> bad[] = {
        {"not json", "is not JSON"},
        {"[]", "must be an object"},
        {R"({"limits":[]})", "needs \"never_retry\""},
        {R"({"limits":{},"never_retry":[]})", "network_rules.limits"},
        {R"({"limits":[],"never_retry":[],"extra":1})", "unknown key \"extra\""},
        {R"({"limits":[{"name":"x","window_seconds":0,"max_attempts":1,"counts":"declines"}],"never_retry":[]})",
         "limits[0].window_seconds"},
        {R"({"limits":[{"name":"x","window_seconds":60,"max_attempts":-1,"counts":"declines"}],"never_retry":[]})",
         "limits[0].max_attempts"},
        {R"({"limits":[{"name":"x","window_seconds":60,"max_attempts":1,"counts":"attempts"}],"never_retry":[]})",
         "unknown value \"attempts\""},
        {R"({"limits":[{"name":"x","network":"jcb","window_seconds":60,"max_attempts":1,"counts":"declines"}],"never_retry":[]})",
         "limits[0].network"},
        {R"({"limits":[{"window_seconds":60,"max_attempts":1,"counts":"declines"}],"never_retry":[]})",
         "needs \"name\""},
        {R"({"limits":[{"name":"x","window_seconds":60,"max_attempts":1,"counts":"declines","windows":2}],"never_retry":[]})",
         "unknown key \"windows\""},
        {R"({"limits":[],"never_retry":[{"name":"n"}]})", "matches nothing"},
        {R"({"limits":[],"never_retry":[{"name":"n","classes":["soft"]}]})", "never_retry[0].classes[0]"},
        {R"({"limits":[],"never_retry":[{"name":"n","network_codes":["12345678901234567"]}]})",
         "never_retry[0].network_codes[0]"},
        {R"({"limits":[],"never_retry":[{"name":"n","advice_codes":"03"}]})", "must be an array"},
    };
    for (const auto& [json, expected] : bad) {
        const auto r = recoup::parse_network_rules(json);
        BOOST_TEST_REQUIRE(!r.has_value(), json);
        BOOST_TEST((r.error().code == recoup::error::invalid_field), json);
        BOOST_TEST(r.error().what().find(expected) != std::string::npos, json << " -> " << r.error().what());
    }
}

BOOST_AUTO_TEST_SUITE_END()
