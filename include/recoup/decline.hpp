// recoup: the decline taxonomy (docs/recovery.md "Decline taxonomy"). One enum says what a
// declined charge means for recovery; processors map their own codes to it (Stripe's decline_code
// and network_advice_code, Visa response codes, Mastercard Merchant Advice Codes) and keep the
// network's own code beside it on the attempt. Pure tables; sources in docs/recovery.md.
#pragma once

#include <recoup/detail/config.hpp>
#include <recoup/detail/enum_names.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

RECOUP_BEGIN_NAMESPACE

// What a decline means for retrying. The names are stored in payment_attempt.decline_class and
// cross the plugin ABI: they are contracts.
enum class decline_class {
    hard,                     // the issuer will never approve this credential (lost, stolen, closed, category 1)
    insufficient_funds,       // no money now: clears after a payday
    try_later,                // the issuer or network is unavailable or rate-limited now: clears within hours
    do_not_honor,             // a generic refusal without a reason: clears, if at all, over days
    card_expired_or_replaced, // the stored card data is stale (expired, reissued, wrong number or expiry)
    authentication_required,  // the issuer wants the cardholder present (SCA): no off-session retry helps
    fraud_suspected,          // the issuer or the processor suspects fraud: retrying looks like more fraud
    processing_error,         // an error while processing, on no one's account: clears within hours
};

template <>
struct enum_names<decline_class> {
    static constexpr std::array<std::pair<decline_class, std::string_view>, 8> values{{
        {decline_class::hard, "hard"},
        {decline_class::insufficient_funds, "insufficient_funds"},
        {decline_class::try_later, "try_later"},
        {decline_class::do_not_honor, "do_not_honor"},
        {decline_class::card_expired_or_replaced, "card_expired_or_replaced"},
        {decline_class::authentication_required, "authentication_required"},
        {decline_class::fraud_suspected, "fraud_suspected"},
        {decline_class::processing_error, "processing_error"},
    }};
};

// The card network a credential belongs to; `other` covers every brand without network rules of
// its own (JCB, UnionPay, Diners, ...) and an unknown brand. Stored in payment_attempt.network.
enum class card_network { visa, mastercard, amex, discover, other };

template <>
struct enum_names<card_network> {
    static constexpr std::array<std::pair<card_network, std::string_view>, 5> values{{
        {card_network::visa, "visa"},
        {card_network::mastercard, "mastercard"},
        {card_network::amex, "amex"},
        {card_network::discover, "discover"},
        {card_network::other, "other"},
    }};
};

// Everything recoup keeps about one decline (all optional: a processor reports what it knows).
struct network_decline {
    std::optional<decline_class> cls;
    std::optional<card_network> network;
    std::optional<std::string> network_code; // the issuer's response code: Visa "51", "05", "R0"
    std::optional<std::string> advice_code;  // the network's advice: Mastercard MAC "03", "21", "24"
};

// A brand as processors spell it ("visa", "Visa", "mastercard", "MasterCard", "amex",
// "american_express", "American Express", "discover", ...) -> the network; anything else -> other.
card_network network_from_brand(std::string_view brand) noexcept;

// A Visa response code (two characters: "05", "51", "N7", "R0") -> its class; nullopt for an
// approval ("00", "10", "85") or a code not in the table. Category 1 codes are `hard`.
std::optional<decline_class> classify_visa_code(std::string_view code) noexcept;

// Visa's category 1 ("issuer will never approve"): 04, 07, 12, 14, 15, 41, 43, 46, 57, R0, R1, R3.
bool is_visa_category_1(std::string_view code) noexcept;

// A Mastercard Merchant Advice Code -> its class: 03 (do not try again) and 21 (payment
// cancellation) are `hard`; 01 (new account information) card_expired_or_replaced; 02 and 24-30
// (try again later, after a given time) try_later; 04 (token requirements not met), 40 and 41
// (non-reloadable prepaid, single-use virtual card) hard. nullopt for a code not in the table.
std::optional<decline_class> classify_mastercard_advice(std::string_view mac) noexcept;

// MAC 03 and 21: Mastercard forbids any further attempt with this credential at this merchant.
bool is_mastercard_stop_advice(std::string_view mac) noexcept;

// The wait a Mastercard MAC asks for before the next attempt, in seconds: 24 one hour, 25 one
// day, 26 two days, 27 four days, 28 six days, 29 eight days, 30 ten days; nullopt otherwise.
std::optional<std::int64_t> mastercard_retry_after(std::string_view mac) noexcept;

// Stripe's answer to a declined charge: `decline_code` (or the error's `code` when there is no
// decline_code), `network_decline_code` (the issuer's code) and `network_advice_code` (the
// network's advice, Mastercard MAC values). The network's own word wins where it is stronger (a
// Visa category 1 code or MAC 03/21 makes any decline `hard`); an unknown decline code is
// do_not_honor (a generic decline). `network`, when known, says how to read the network codes.
decline_class classify_stripe(std::optional<std::string_view> decline_code,
                              std::optional<std::string_view> network_decline_code,
                              std::optional<std::string_view> network_advice_code,
                              std::optional<card_network> network = std::nullopt) noexcept;

RECOUP_END_NAMESPACE

#include <recoup/impl/decline.hpp>
