// recoupd simulate --generate: the population model's parameters, in one place. Each figure's
// source, or the plain statement that it is an assumption, is in docs/recovery.md
// ("Population model"); change them there and here together.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace recoupd::simulation::model {

template <class T>
struct weighted {
    T value;
    int weight;
};

// When invoices fail: uniformly over `failure_spread_days` days from the epoch (2026-01-01 00:00 UTC).
inline constexpr std::int64_t epoch = 1767225600;
inline constexpr std::int64_t failure_spread_days = 28;
// Each method's timeline is written this far past the failure; its last segment lasts for ever.
inline constexpr std::int64_t timeline_days = 90;

inline constexpr std::array<weighted<std::string_view>, 5> currencies{{
    {"USD", 55}, {"EUR", 20}, {"GBP", 12}, {"CAD", 7}, {"AUD", 6},
}};

// Subscription prices in minor units.
inline constexpr std::array<weighted<std::int64_t>, 8> amounts{{
    {499, 10}, {999, 22}, {1499, 14}, {1999, 18}, {2999, 12}, {4999, 12}, {9999, 8}, {19999, 4},
}};

inline constexpr std::array<weighted<std::string_view>, 4> networks{{
    {"visa", 52}, {"mastercard", 33}, {"amex", 10}, {"discover", 5},
}};

// What the first decline of the default method is: the decline code (Stripe's vocabulary, which
// the simulator processor speaks) and the issuer's response code. Recurly 2024: insufficient
// funds 38 %, expired or cancelled cards 24 %, do-not-honor 17 %, technical 21 %.
struct decline_reason {
    std::string_view decline;
    std::string_view code;
};
inline constexpr decline_reason insufficient_funds{"insufficient_funds", "51"};
inline constexpr decline_reason do_not_honor{"do_not_honor", "05"};
inline constexpr decline_reason try_again_later{"try_again_later", "19"};
inline constexpr decline_reason processing_error{"processing_error", "96"};
inline constexpr decline_reason expired_card{"expired_card", "54"};
inline constexpr decline_reason stolen_card{"stolen_card", "43"};
inline constexpr decline_reason lost_card{"lost_card", "41"};
inline constexpr decline_reason pickup_card{"pickup_card", "04"};
inline constexpr decline_reason fraudulent{"fraudulent", "59"};
inline constexpr decline_reason authentication_required{"authentication_required", "1A"};

inline constexpr std::array<weighted<decline_reason>, 10> first_declines{{
    {insufficient_funds, 38}, {expired_card, 18}, {stolen_card, 2}, {lost_card, 2}, {pickup_card, 2},
    {do_not_honor, 17}, {try_again_later, 8}, {processing_error, 7}, {fraudulent, 3}, {authentication_required, 3},
}};

// Insufficient funds: the customer's pay cycle (BLS CES, private businesses, March 2013: weekly
// 32.4 %, biweekly 36.5 %, semimonthly 19.8 %, monthly 11.3 %). Paydays: Fridays (weekly), every
// other Friday (biweekly), the 1st and 15th (semimonthly), the 1st (monthly). Money arrives
// between 0 and `funds_arrival_max_hours` after midnight UTC of the payday and lasts
// `funds_last_min_days` to `funds_last_max_days` days, then the card declines again until the
// next payday. A share of customers never has the money within the timeline.
enum class pay_cycle { weekly, biweekly, semimonthly, monthly };
inline constexpr std::array<weighted<pay_cycle>, 4> pay_cycles{{
    {pay_cycle::weekly, 324}, {pay_cycle::biweekly, 365}, {pay_cycle::semimonthly, 198}, {pay_cycle::monthly, 113},
}};
inline constexpr int funds_arrival_max_hours = 10;
inline constexpr int funds_last_min_days = 2;
inline constexpr int funds_last_max_days = 6;
inline constexpr int never_funded_percent = 25;

// Do not honor: a share clears after 1 to `do_not_honor_clear_max_days` days, the rest never.
inline constexpr int do_not_honor_clear_percent = 35;
inline constexpr int do_not_honor_clear_max_days = 10;

// Try again later, processing error: most clear within 1 to `transient_clear_max_hours` hours.
inline constexpr int transient_clear_percent = 90;
inline constexpr int transient_clear_max_hours = 12;

// Expired, stolen, lost, picked-up, fraud-flagged and authentication-required cards never approve
// an off-session charge again.

// The customer has another payment method on file (an assumption: no public figure found).
inline constexpr int alternate_method_percent = 25;
// The alternate approves from the start, else it is short of funds on its own pay cycle.
inline constexpr int alternate_approves_percent = 80;

// Mastercard issuers add Merchant Advice Code 03 ("do not try again") to a decline that can never
// be approved; the issuer of `recoupd simulate` does the same.
inline constexpr std::string_view mastercard_stop_advice = "03";
inline constexpr std::array<std::string_view, 3> stop_advice_declines{"stolen_card", "lost_card", "pickup_card"};

constexpr bool carries_stop_advice(std::string_view decline) noexcept
{
    for (const auto d : stop_advice_declines)
        if (d == decline) return true;
    return false;
}

} // namespace recoupd::simulation::model
