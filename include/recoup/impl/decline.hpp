#pragma once

#include <algorithm>
#include <cstddef>

RECOUP_BEGIN_NAMESPACE

namespace detail {

struct code_class {
    std::string_view code;
    decline_class cls;
};

constexpr std::optional<decline_class> find_class(std::span<const code_class> table, std::string_view code) noexcept
{
    for (const auto& [c, cls] : table)
        if (c == code) return cls;
    return std::nullopt;
}

constexpr bool iequal(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

// Visa category 1, as the issue and Visa's published categories list it (docs/recovery.md).
inline constexpr std::array<std::string_view, 12> visa_category_1{
    "04", "07", "12", "14", "15", "41", "43", "46", "57", "R0", "R1", "R3"};

// Mastercard's Merchant Advice Codes that end retries: 03 (do not try again), 21 (payment cancellation).
inline constexpr std::array<std::string_view, 2> mastercard_stop_advice{"03", "21"};

// Visa response codes beyond category 1 (categories 2, 3 and 4).
inline constexpr std::array<code_class, 25> visa_codes{{
    // category 2: the issuer cannot approve now
    {"51", decline_class::insufficient_funds},
    {"61", decline_class::insufficient_funds}, // exceeds the amount limit
    {"65", decline_class::try_later},          // exceeds the frequency limit
    {"19", decline_class::try_later},          // re-enter the transaction
    {"75", decline_class::try_later},          // PIN tries exceeded
    {"91", decline_class::try_later},          // issuer or switch inoperative
    {"N3", decline_class::try_later},
    {"N4", decline_class::insufficient_funds},
    {"86", decline_class::processing_error},
    {"96", decline_class::processing_error}, // system malfunction
    {"59", decline_class::fraud_suspected},
    {"62", decline_class::hard},   // restricted card
    {"78", decline_class::hard},   // no account / blocked
    {"93", decline_class::hard},   // cannot be completed, violation of law
    // category 3: the data is wrong or stale
    {"54", decline_class::card_expired_or_replaced},
    {"55", decline_class::card_expired_or_replaced},
    {"N7", decline_class::card_expired_or_replaced}, // CVV2 mismatch
    {"82", decline_class::card_expired_or_replaced},
    {"6P", decline_class::card_expired_or_replaced},
    {"1A", decline_class::authentication_required}, // additional authentication required
    // category 4: generic
    {"05", decline_class::do_not_honor},
    {"01", decline_class::do_not_honor}, // refer to issuer
    {"02", decline_class::do_not_honor},
    {"06", decline_class::processing_error},
    {"Z3", decline_class::try_later},
}};

// Mastercard Merchant Advice Codes.
inline constexpr std::array<code_class, 14> mastercard_advice{{
    {"01", decline_class::card_expired_or_replaced}, // new account information available
    {"02", decline_class::try_later},                // cannot approve now, try again later
    {"03", decline_class::hard},                     // do not try again
    {"04", decline_class::hard},                     // token requirements not fulfilled
    {"21", decline_class::hard},                     // payment cancellation (recurring agreement ended)
    {"24", decline_class::try_later},
    {"25", decline_class::try_later},
    {"26", decline_class::try_later},
    {"27", decline_class::try_later},
    {"28", decline_class::try_later},
    {"29", decline_class::try_later},
    {"30", decline_class::try_later},
    {"40", decline_class::hard}, // consumer non-reloadable prepaid card
    {"41", decline_class::hard}, // consumer single-use virtual card number
}};

inline constexpr std::array<std::pair<std::string_view, std::int64_t>, 7> mastercard_waits{{
    {"24", 3600},
    {"25", 86400},
    {"26", 2 * 86400},
    {"27", 4 * 86400},
    {"28", 6 * 86400},
    {"29", 8 * 86400},
    {"30", 10 * 86400},
}};

// Stripe's decline codes (https://docs.stripe.com/declines/codes), and the error codes a card
// error carries when it has no decline_code (expired_card, incorrect_cvc, ...).
inline constexpr std::array<code_class, 48> stripe_codes{{
    {"insufficient_funds", decline_class::insufficient_funds},
    {"card_velocity_exceeded", decline_class::insufficient_funds}, // balance or credit limit reached
    {"withdrawal_count_limit_exceeded", decline_class::insufficient_funds},
    {"try_again_later", decline_class::try_later},
    {"issuer_not_available", decline_class::try_later},
    {"reenter_transaction", decline_class::try_later},
    {"approve_with_id", decline_class::try_later},
    {"duplicate_transaction", decline_class::try_later},
    {"card_decline_rate_limit_exceeded", decline_class::try_later}, // Stripe's own: wait 24 hours
    {"pin_try_exceeded", decline_class::try_later},
    {"processing_error", decline_class::processing_error},
    {"do_not_honor", decline_class::do_not_honor},
    {"generic_decline", decline_class::do_not_honor},
    {"call_issuer", decline_class::do_not_honor},
    {"no_action_taken", decline_class::do_not_honor},
    {"card_declined", decline_class::do_not_honor}, // the error code of a decline without decline_code
    {"expired_card", decline_class::card_expired_or_replaced},
    {"new_account_information_available", decline_class::card_expired_or_replaced},
    {"incorrect_number", decline_class::card_expired_or_replaced},
    {"invalid_number", decline_class::card_expired_or_replaced},
    {"incorrect_cvc", decline_class::card_expired_or_replaced},
    {"invalid_cvc", decline_class::card_expired_or_replaced},
    {"incorrect_zip", decline_class::card_expired_or_replaced},
    {"invalid_expiry_month", decline_class::card_expired_or_replaced},
    {"invalid_expiry_year", decline_class::card_expired_or_replaced},
    {"incorrect_pin", decline_class::card_expired_or_replaced},
    {"invalid_pin", decline_class::card_expired_or_replaced},
    {"authentication_required", decline_class::authentication_required},
    {"offline_pin_required", decline_class::authentication_required},
    {"online_or_offline_pin_required", decline_class::authentication_required},
    {"fraudulent", decline_class::fraud_suspected},
    {"merchant_blacklist", decline_class::fraud_suspected},
    {"security_violation", decline_class::fraud_suspected},
    {"lost_card", decline_class::hard},
    {"stolen_card", decline_class::hard},
    {"pickup_card", decline_class::hard},
    {"restricted_card", decline_class::hard},
    {"invalid_account", decline_class::hard},
    {"card_not_supported", decline_class::hard},
    {"currency_not_supported", decline_class::hard},
    {"transaction_not_allowed", decline_class::hard},
    {"not_permitted", decline_class::hard},
    {"service_not_allowed", decline_class::hard},
    {"do_not_try_again", decline_class::hard},
    {"revocation_of_all_authorizations", decline_class::hard},
    {"revocation_of_authorization", decline_class::hard},
    {"stop_payment_order", decline_class::hard},
    {"testmode_decline", decline_class::hard},
}};

} // namespace detail

inline card_network network_from_brand(std::string_view brand) noexcept
{
    using detail::iequal;
    if (iequal(brand, "visa")) return card_network::visa;
    if (iequal(brand, "mastercard") || iequal(brand, "master_card") || iequal(brand, "master card"))
        return card_network::mastercard;
    if (iequal(brand, "amex") || iequal(brand, "american_express") || iequal(brand, "american express"))
        return card_network::amex;
    if (iequal(brand, "discover")) return card_network::discover;
    return card_network::other;
}

inline bool is_visa_category_1(std::string_view code) noexcept
{
    return std::any_of(detail::visa_category_1.begin(), detail::visa_category_1.end(),
                       [&](std::string_view c) { return detail::iequal(c, code); });
}

inline std::optional<decline_class> classify_visa_code(std::string_view code) noexcept
{
    if (is_visa_category_1(code)) return decline_class::hard;
    for (const auto& [c, cls] : detail::visa_codes)
        if (detail::iequal(c, code)) return cls;
    return std::nullopt; // an approval (00, 10, 85) or a code not in the table
}

inline std::optional<decline_class> classify_mastercard_advice(std::string_view mac) noexcept
{
    return detail::find_class(detail::mastercard_advice, mac);
}

inline bool is_mastercard_stop_advice(std::string_view mac) noexcept
{
    return std::find(detail::mastercard_stop_advice.begin(), detail::mastercard_stop_advice.end(), mac) !=
           detail::mastercard_stop_advice.end();
}

inline std::optional<std::int64_t> mastercard_retry_after(std::string_view mac) noexcept
{
    for (const auto& [code, wait] : detail::mastercard_waits)
        if (code == mac) return wait;
    return std::nullopt;
}

inline decline_class classify_stripe(std::optional<std::string_view> decline_code,
                                     std::optional<std::string_view> network_decline_code,
                                     std::optional<std::string_view> network_advice_code,
                                     std::optional<card_network> network) noexcept
{
    // Stripe's own word: its class, do_not_honor when absent or unknown (a generic decline).
    auto stripe = decline_class::do_not_honor;
    if (decline_code)
        if (const auto cls = detail::find_class(detail::stripe_codes, *decline_code)) stripe = *cls;
    // The network's never-retry word wins over anything Stripe's code says, fraud aside (also final).
    const bool visa_codes = !network || *network == card_network::visa;
    const bool never = (network_advice_code && is_mastercard_stop_advice(*network_advice_code)) ||
                       (visa_codes && network_decline_code && is_visa_category_1(*network_decline_code));
    if (never) return stripe == decline_class::fraud_suspected ? decline_class::fraud_suspected : decline_class::hard;
    // A specific Stripe code says most; a generic one (do_not_honor, generic_decline) yields to the network's.
    if (stripe != decline_class::do_not_honor) return stripe;
    if (visa_codes && network_decline_code)
        if (auto cls = classify_visa_code(*network_decline_code)) return *cls;
    if (network_advice_code)
        if (auto cls = classify_mastercard_advice(*network_advice_code)) return *cls;
    return decline_class::do_not_honor;
}

RECOUP_END_NAMESPACE
