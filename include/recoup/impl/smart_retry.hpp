#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

RECOUP_BEGIN_NAMESPACE

namespace detail::smart {

inline constexpr std::int64_t hour = 3600;
inline constexpr std::int64_t day = seconds_per_day;
// A retry's local time of day: a weekday morning, when people have been paid and are awake to
// fix a card (the jitter spreads invoices over the minutes after it).
inline constexpr std::int64_t morning_seconds = 9 * hour;
// try_later and processing_error: hours, growing with the invoice's attempts.
inline constexpr std::array<std::int64_t, 5> hours_ladder{2 * hour, 6 * hour, 24 * hour, 48 * hour, 72 * hour};
// do_not_honor: days, growing with the invoice's attempts, each at the local morning.
inline constexpr std::array<std::int64_t, 5> days_ladder{1 * day, 3 * day, 5 * day, 7 * day, 10 * day};
// card_expired_or_replaced: wait for an account updater (or the customer) a few days, then a
// limited number of tries; this many declines of the class on one invoice end its retries.
inline constexpr std::array<std::int64_t, 2> updater_waits{3 * day, 7 * day};
inline constexpr std::int32_t max_expired_declines = 3;
// insufficient_funds: the next slot at least this long after the failure (a slot hours away
// still catches a deposit that lands overnight; the same morning's slot does not).
inline constexpr std::int64_t min_funds_wait = 8 * hour;
// The weekly slots (Saturdays) are tried this long after the invoice's first failure: three
// weeks hold two consecutive Saturdays after any Friday, so a biweekly payday is among them;
// after that only the monthly ones (the 2nd and the 16th).
inline constexpr std::int64_t weekly_slots_span = 21 * day;

// Howard Hinnant's civil_from_days: the day of the month of a day count since 1970-01-01.
constexpr unsigned day_of_month(std::int64_t days) noexcept
{
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    return doy - (153 * mp + 2) / 5 + 1;
}

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// 0 = Sunday ... 5 = Friday (1970-01-01 was a Thursday).
constexpr int weekday(std::int64_t days) noexcept { return static_cast<int>(((days % 7) + 11) % 7); }

// The day after a payday: paydays are Fridays (weekly and biweekly) and the 1st and the 15th
// (semimonthly and monthly); money lands during the payday and lasts a few days, so the next
// morning finds it whatever hour it landed.
constexpr bool is_day_after_payday(std::int64_t days, bool weekly) noexcept
{
    const auto dom = day_of_month(days);
    return dom == 2 || dom == 16 || (weekly && weekday(days) == 6);
}

// The first local morning (09:00 at `offset` seconds east of UTC) at or after `earliest` on a day
// `accept` takes; days are the customer's local days.
template <class Accept>
std::int64_t first_morning(std::int64_t earliest, std::int64_t offset, Accept accept)
{
    const auto local_day = floor_div(earliest + offset, day);
    for (std::int64_t d = local_day; d < local_day + 40; ++d) { // a 1st is never 40 days away
        const auto t = d * day + morning_seconds - offset;
        if (t >= earliest && accept(d)) return t;
    }
    return local_day * day + 40 * day + morning_seconds - offset; // unreachable with the calendars here
}

inline std::int64_t ladder(std::span<const std::int64_t> steps, std::int32_t attempts_so_far) noexcept
{
    const auto i = static_cast<std::size_t>(std::clamp<std::int32_t>(attempts_so_far - 1, 0,
                                                                    static_cast<std::int32_t>(steps.size()) - 1));
    return steps[i];
}

// Standard-time offsets in minutes east of UTC, one per country: the zone most of its customers
// live in (a country spanning several gets its most populous; daylight saving moves the morning
// by an hour, still a morning).
inline constexpr std::array<std::pair<std::string_view, std::int32_t>, 52> country_offsets{{
    {"AE", 240},  {"AR", -180}, {"AT", 60},   {"AU", 600},  {"BE", 60},  {"BR", -180}, {"CA", -300},
    {"CH", 60},   {"CL", -240}, {"CN", 480},  {"CO", -300}, {"CZ", 60},  {"DE", 60},   {"DK", 60},
    {"EG", 120},  {"ES", 60},   {"FI", 120},  {"FR", 60},   {"GB", 0},   {"GR", 120},  {"HK", 480},
    {"HU", 60},   {"ID", 420},  {"IE", 0},    {"IL", 120},  {"IN", 330}, {"IT", 60},   {"JP", 540},
    {"KE", 180},  {"KR", 540},  {"MX", -360}, {"MY", 480},  {"NG", 60},  {"NL", 60},   {"NO", 60},
    {"NZ", 720},  {"PE", -300}, {"PH", 480},  {"PK", 300},  {"PL", 60},  {"PT", 0},    {"RO", 120},
    {"SA", 180},  {"SE", 60},   {"SG", 480},  {"TH", 420},  {"TR", 180}, {"TW", 480},  {"UA", 120},
    {"US", -360}, {"VN", 420},  {"ZA", 120},
}};

} // namespace detail::smart

inline std::optional<std::int32_t> utc_offset_of_country(std::string_view iso2) noexcept
{
    for (const auto& [code, minutes] : detail::smart::country_offsets)
        if (detail::iequal(code, iso2)) return minutes;
    return std::nullopt;
}

inline std::int64_t smart_jitter(std::string_view seed, std::int32_t attempt, std::int64_t max_jitter_seconds) noexcept
{
    if (max_jitter_seconds <= 0) return 0;
    std::uint64_t h = 0xcbf29ce484222325ull; // FNV-1a, 64 bits
    const auto mix = [&](unsigned char b) {
        h ^= b;
        h *= 0x100000001b3ull;
    };
    for (char c : seed) mix(static_cast<unsigned char>(c));
    for (int i = 0; i < 4; ++i) mix(static_cast<unsigned char>((static_cast<std::uint32_t>(attempt) >> (8 * i)) & 0xFF));
    return static_cast<std::int64_t>(h % (static_cast<std::uint64_t>(max_jitter_seconds) + 1));
}

inline bool should_switch_method(decline_class c) noexcept
{
    return c == decline_class::hard || c == decline_class::card_expired_or_replaced ||
           c == decline_class::authentication_required;
}

inline smart_decision decide_smart(const smart_input& in)
{
    namespace s = detail::smart;
    const auto& o = in.options;
    if (in.attempts_so_far >= o.max_attempts)
        return {std::nullopt, "max_attempts: " + std::to_string(in.attempts_so_far) + " of " +
                                  std::to_string(o.max_attempts)};
    const auto cls = in.decline.value_or(decline_class::do_not_honor);
    const std::string name(to_string(cls));
    const auto offset_minutes =
        in.utc_offset_minutes ? in.utc_offset_minutes
                              : (in.country ? utc_offset_of_country(*in.country) : std::optional<std::int32_t>{});
    const std::int64_t offset = std::int64_t{offset_minutes.value_or(0)} * 60;
    const auto any_day = [](std::int64_t) { return true; };

    std::int64_t t = 0;
    std::string reason;
    switch (cls) {
    case decline_class::hard:
    case decline_class::fraud_suspected: return {std::nullopt, name + ": never retried"};
    case decline_class::authentication_required:
        return {std::nullopt, name + ": only the customer can authenticate, no off-session retry"};
    case decline_class::insufficient_funds: {
        const bool weekly = in.now < in.first_failure_at + s::weekly_slots_span;
        t = s::first_morning(in.now + s::min_funds_wait, offset,
                             [weekly](std::int64_t d) { return s::is_day_after_payday(d, weekly); });
        reason = name + ": the morning after a payday";
        break;
    }
    case decline_class::try_later:
    case decline_class::processing_error:
        t = in.now + s::ladder(s::hours_ladder, in.attempts_so_far);
        reason = name + ": hours";
        break;
    case decline_class::do_not_honor:
        t = s::first_morning(in.now + s::ladder(s::days_ladder, in.attempts_so_far), offset, any_day);
        reason = name + ": days";
        break;
    case decline_class::card_expired_or_replaced: {
        const auto declines = std::count_if(in.credential_history.begin(), in.credential_history.end(),
                                            [&](const past_attempt& p) {
                                                return p.declined && p.at >= in.first_failure_at &&
                                                       p.decline_class == decline_class::card_expired_or_replaced;
                                            });
        const auto count = std::max<std::int64_t>(declines, 1); // the failed attempt, if not in the history
        if (count >= s::max_expired_declines)
            return {std::nullopt, name + ": " + std::to_string(count) + " declines, waiting for new card data"};
        t = s::first_morning(in.now + s::ladder(s::updater_waits, static_cast<std::int32_t>(count)), offset, any_day);
        reason = name + ": waiting for an account updater";
        break;
    }
    }
    if (in.advice_code)
        if (const auto wait = mastercard_retry_after(*in.advice_code); wait && t < in.now + *wait) {
            t = in.now + *wait;
            reason += "; advice code " + *in.advice_code;
        }
    const auto jitter = smart_jitter(in.jitter_seed, in.attempts_so_far, o.max_jitter_seconds);
    t += jitter;

    const auto network = in.network.value_or(card_network::other);
    auto verdict = check_budget(in.rules, network, in.credential_history, t);
    for (int round = 0; round < 2 && verdict.outcome == budget_outcome::later; ++round) {
        // The budget's time, jittered like any other: many credentials freed by one window edge
        // must not fire together. Jitter only moves later, so the second check rarely moves it.
        t = *verdict.earliest + (round == 0 ? jitter : 0);
        reason += "; budget: " + verdict.rule;
        verdict = check_budget(in.rules, network, in.credential_history, t);
    }
    if (verdict.outcome == budget_outcome::never) return {std::nullopt, "never: " + verdict.rule};
    if (verdict.outcome == budget_outcome::later) return {std::nullopt, "budget: " + verdict.rule};

    const auto horizon_end = in.first_failure_at + o.horizon_seconds;
    if (t > horizon_end) return {std::nullopt, reason + "; past the horizon"};
    return {std::max(t, in.now + 1), reason};
}

inline std::optional<std::int64_t> next_smart_attempt(const smart_input& in) { return decide_smart(in).at; }

RECOUP_END_NAMESPACE
