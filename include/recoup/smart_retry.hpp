// recoup: the "smart" retry algorithm (docs/recovery.md "The smart algorithm"): the time of an
// invoice's next retry from the class of its last decline, the calendar (payday slots, the
// customer's local morning), the card network's budget for the credential and the invoice's
// attempts so far, with a deterministic jitter so that many invoices never fire in one second.
// Pure: the same input gives the same answer.
#pragma once

#include <recoup/decline.hpp>
#include <recoup/detail/config.hpp>
#include <recoup/network_rules.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

RECOUP_BEGIN_NAMESPACE

inline constexpr std::int64_t seconds_per_day = 86400;

struct smart_options {
    std::int32_t max_attempts = 12;                       // the invoice's attempts in all, the first one included
    std::int64_t horizon_seconds = 60 * seconds_per_day;  // no attempt later than first failure + horizon
    std::int64_t max_jitter_seconds = 30 * 60;            // added, from the seed, to every chosen time
};

struct smart_input {
    std::int64_t now = 0;
    // The attempt that just failed: its class (nullopt: unknown, read as do_not_honor) and the
    // network's advice code (a Mastercard MAC 24-30 sets a minimum wait).
    std::optional<decline_class> decline{};
    std::optional<std::string> advice_code{};
    // The invoice: its attempts so far (the failed one included, >= 1) and its first failure.
    std::int32_t attempts_so_far = 1;
    std::int64_t first_failure_at = 0;
    // The credential's attempts (the failed one included, all invoices, whoever made them) and
    // its network's rules; nullopt network: `other`.
    std::span<const past_attempt> credential_history{};
    std::optional<card_network> network{};
    network_rules rules = default_network_rules();
    // The customer's local time when known: a UTC offset in minutes wins over a country (ISO
    // 3166-1 alpha-2). Neither: mornings are UTC mornings.
    std::optional<std::int32_t> utc_offset_minutes{};
    std::optional<std::string> country{};
    // Any text stable for the invoice (its payment id): the jitter derives from it.
    std::string jitter_seed{};
    smart_options options{};
};

struct smart_decision {
    std::optional<std::int64_t> at; // nullopt: stop retrying this credential for this invoice
    std::string reason;             // why: "insufficient_funds: the morning after a payday", "budget: <rule>", ...
};

// The next attempt's time (> now), or nullopt to stop: a class that no off-session retry can
// fix (hard, fraud_suspected, authentication_required), card_expired_or_replaced declined
// too often, a never-retry rule, the network budget exhausted within the horizon, max_attempts
// reached, or no time left before the horizon.
smart_decision decide_smart(const smart_input& in);
std::optional<std::int64_t> next_smart_attempt(const smart_input& in);

// Whether, after this decline, the invoice should be tried on the customer's next payment method
// rather than this one: true for hard, card_expired_or_replaced and authentication_required
// (another card may be valid, current or exempt from authentication); false for the soft
// classes (the same card will likely clear) and for fraud_suspected (trying card after card
// looks like card testing: the customer has to act).
bool should_switch_method(decline_class c) noexcept;

// A representative UTC offset in minutes for a country (ISO 3166-1 alpha-2, either case) where
// recoup knows one (most of a country's customers' mornings); nullopt otherwise.
std::optional<std::int32_t> utc_offset_of_country(std::string_view iso2) noexcept;

// The jitter for a seed, in [0, max_jitter_seconds]: FNV-1a of the seed and the attempt number.
std::int64_t smart_jitter(std::string_view seed, std::int32_t attempt, std::int64_t max_jitter_seconds) noexcept;

RECOUP_END_NAMESPACE

#include <recoup/impl/smart_retry.hpp>
