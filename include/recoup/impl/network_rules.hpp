#pragma once

RECOUP_BEGIN_NAMESPACE

inline network_rules default_network_rules()
{
    constexpr std::int64_t day = 86400;
    network_rules r;
    r.limits = {
        {"visa_customer_reattempts_30d", card_network::visa, 30 * day, 20, budget_counts::reattempts,
         attempt_initiator::customer},
        {"visa_merchant_reattempts_30d", card_network::visa, 30 * day, 20, budget_counts::reattempts,
         attempt_initiator::merchant},
        {"mastercard_declines_24h", card_network::mastercard, day, 10, budget_counts::declines, attempt_initiator::any},
        {"mastercard_declines_30d", card_network::mastercard, 30 * day, 35, budget_counts::declines,
         attempt_initiator::any},
    };
    r.never_retry = {
        {"visa_category_1", card_network::visa,
         {"04", "07", "12", "14", "15", "41", "43", "46", "57", "R0", "R1", "R3"}, {}, {}},
        {"mastercard_do_not_try_again", card_network::mastercard, {}, {"03", "21"}, {}},
        {"hard_decline", std::nullopt, {}, {}, {decline_class::hard, decline_class::fraud_suspected}},
    };
    return r;
}

// API stage: the bodies below are placeholders, replaced in the next commit.
inline result<network_rules> parse_network_rules(std::string_view)
{
    return fail(error::invalid_field, "network_rules", "not implemented yet");
}

inline std::string serialize_network_rules(const network_rules&) { return "{}"; }

inline budget_verdict check_budget(const network_rules&, card_network, std::span<const past_attempt>, std::int64_t at,
                                   attempt_initiator)
{
    return {budget_outcome::allowed, at, {}};
}

RECOUP_END_NAMESPACE
