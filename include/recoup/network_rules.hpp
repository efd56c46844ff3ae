// recoup: the card networks' retry rules as data (docs/recovery.md "Network rules"): per network,
// how many attempts a credential may take in a rolling window, and which declines end retries on
// it for good. A profile keeps its table as JSON in business_profile.network_rules (NULL: the
// defaults). check_budget() says whether one more attempt on a credential would break a rule,
// and if so when it first would not. Pure.
#pragma once

#include <recoup/decline.hpp>
#include <recoup/detail/config.hpp>
#include <recoup/detail/enum_names.hpp>
#include <recoup/result.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

RECOUP_BEGIN_NAMESPACE

// Who started an attempt: the cardholder (customer-initiated, CIT) or the merchant without the
// cardholder (merchant-initiated, MIT: every retry recoup makes). A limit for `any` counts both.
enum class attempt_initiator { customer, merchant, any };

template <>
struct enum_names<attempt_initiator> {
    static constexpr std::array<std::pair<attempt_initiator, std::string_view>, 3> values{{
        {attempt_initiator::customer, "customer"},
        {attempt_initiator::merchant, "merchant"},
        {attempt_initiator::any, "any"},
    }};
};

// What a limit counts in its window: declined attempts (Mastercard), or reattempts, attempts made
// after a decline of the same credential with no approval between (Visa).
enum class budget_counts { declines, reattempts };

template <>
struct enum_names<budget_counts> {
    static constexpr std::array<std::pair<budget_counts, std::string_view>, 2> values{{
        {budget_counts::declines, "declines"},
        {budget_counts::reattempts, "reattempts"},
    }};
};

// At most `max_attempts` counted attempts of one credential of `network` (nullopt: any network)
// in every rolling window of `window_seconds`, (t - window, t]. A limit for one initiator applies
// only to an attempt of that initiator and counts only that initiator's attempts.
struct budget_limit {
    std::string name; // named in verdicts and logs: "visa_merchant_reattempts_30d"
    std::optional<card_network> network;
    std::int64_t window_seconds = 0;
    std::int32_t max_attempts = 0;
    budget_counts counts = budget_counts::declines;
    attempt_initiator initiator = attempt_initiator::any;
};

// A decline after which the credential is never tried again (at this merchant): one whose network
// code, advice code or class is listed. `network` nullopt: on any network.
struct never_retry_rule {
    std::string name; // "visa_category_1", "mastercard_do_not_try_again"
    std::optional<card_network> network;
    std::vector<std::string> network_codes;
    std::vector<std::string> advice_codes;
    std::vector<decline_class> classes;
};

struct network_rules {
    std::vector<budget_limit> limits;
    std::vector<never_retry_rule> never_retry;
};

// The defaults (sources in docs/recovery.md):
// - Visa, since May 2025: 20 reattempts per credential in a rolling 30 days, counted separately for
//   customer- and merchant-initiated attempts (before: 15, one counter); category 1 codes never.
// - Mastercard: 10 declines per card in 24 hours and 35 in 30 days; MAC 03 and 21 never.
// - Any network: never after a `hard` or `fraud_suspected` decline.
network_rules default_network_rules();

// The JSON of business_profile.network_rules:
//   {"limits":[{"name":"visa_merchant_reattempts_30d","network":"visa","window_seconds":2592000,
//               "max_attempts":20,"counts":"reattempts","initiator":"merchant"}, ...],
//    "never_retry":[{"name":"visa_category_1","network":"visa","network_codes":["04",...]},
//                   {"name":"hard_decline","classes":["hard","fraud_suspected"]}, ...]}
// "network" absent means any network; "initiator" absent means any; "network_codes",
// "advice_codes", "classes" absent mean none. Both top-level keys are required (an empty array
// turns a kind of rule off). A bad shape is invalid_field naming the place
// ("limits[2].window_seconds") and what is wrong; unknown keys are refused too (a typo must not
// silently drop a rule).
result<network_rules> parse_network_rules(std::string_view json);
std::string serialize_network_rules(const network_rules& rules);

// One earlier attempt on the credential, as the budget sees it.
struct past_attempt {
    std::int64_t at = 0;
    bool declined = false;
    std::optional<recoup::decline_class> decline_class{};
    attempt_initiator initiator = attempt_initiator::merchant;
    std::optional<std::string> advice_code{};
    std::optional<std::string> network_code{};
};

enum class budget_outcome { allowed, later, never };

template <>
struct enum_names<budget_outcome> {
    static constexpr std::array<std::pair<budget_outcome, std::string_view>, 3> values{{
        {budget_outcome::allowed, "allowed"},
        {budget_outcome::later, "later"},
        {budget_outcome::never, "never"},
    }};
};

struct budget_verdict {
    budget_outcome outcome = budget_outcome::allowed;
    std::optional<std::int64_t> earliest; // allowed: `at`; later: the first allowed time; never: nullopt
    std::string rule;                     // the rule that decided (empty when allowed at once)

    bool allowed() const noexcept { return outcome == budget_outcome::allowed; }
};

// Whether an attempt on a credential of `network` at `at`, started by `initiator`, keeps every
// rule given the credential's history (any order; all of it, whoever made the attempts: the
// platform's own count too). Never, when a declined attempt since the last approval matches a
// never_retry rule; else later, at the earliest time every limit allows it; else allowed.
budget_verdict check_budget(const network_rules& rules, card_network network,
                            std::span<const past_attempt> history_of_this_credential, std::int64_t at,
                            attempt_initiator initiator = attempt_initiator::merchant);

RECOUP_END_NAMESPACE

#include <recoup/impl/network_rules.hpp>
