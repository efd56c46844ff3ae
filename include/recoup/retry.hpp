// recoup: when to retry a failed invoice payment (docs/behaviour.md §4), and when to retry reporting the
// outcome to the billing platform. Pure functions; exhausted is a normal outcome, never an error.
#pragma once

#include <recoup/detail/config.hpp>
#include <recoup/detail/enum_names.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

RECOUP_BEGIN_NAMESPACE

// How a profile retries: cascading retries for real on the fixed schedule; monitoring only
// records what it would do; smart chooses each retry's time from the decline, the calendar and the
// card network's budget (smart_retry.hpp, docs/recovery.md).
enum class retry_algorithm { cascading, monitoring, smart };

template <>
struct enum_names<retry_algorithm> {
    static constexpr std::array<std::pair<retry_algorithm, std::string_view>, 3> values{{
        {retry_algorithm::cascading, "cascading"},
        {retry_algorithm::monitoring, "monitoring"},
        {retry_algorithm::smart, "smart"},
    }};
};

// Our retries of one invoice, at most, unless the billing MCA's "max_retry_count" says otherwise.
inline constexpr std::int32_t default_max_retry_count = 15;

// The reference's default: 60 s before the first retry, then [delay seconds, how many times].
struct retry_schedule {
    std::int64_t start_after = 60;
    std::vector<std::pair<std::int64_t, std::int32_t>> frequencies{
        {10800, 2}, {21600, 3}, {32400, 3}, {43200, 3}, {64800, 3}};

    // Internal retries the schedule allows (default_max_retry_count by default: the first plus the frequencies).
    std::int32_t max_retries() const noexcept
    {
        std::int32_t n = 1;
        for (const auto& [delay, count] : frequencies) n += count;
        return n;
    }
};

// The wait before the retry that follows `retry_count` internal retries, or nullopt when the
// schedule is exhausted (at max_retries(), or at `max_retry_count` when that is lower).
inline std::optional<std::chrono::seconds> retry_delay(const retry_schedule& schedule, std::int32_t retry_count,
                                                       std::int32_t max_retry_count = INT32_MAX) noexcept
{
    if (retry_count < 0 || retry_count >= max_retry_count || retry_count >= schedule.max_retries())
        return std::nullopt;
    if (retry_count == 0) return std::chrono::seconds(schedule.start_after);
    std::int32_t index = retry_count - 1;
    for (const auto& [delay, count] : schedule.frequencies) {
        if (index < count) return std::chrono::seconds(delay);
        index -= count;
    }
    return std::nullopt;
}

// The profile's retry schedule in the reference's shape {"start_after":60,"frequencies":[[10800,2],...]}
// ("frequencies" absent: the default ones). nullopt when the text is not that shape (the CLI
// refuses it; the webhook path and the scheduler fall back to the default schedule).
std::optional<retry_schedule> parse_retry_schedule(std::string_view text);

// Reporting an outcome to the billing platform: tries before the task finishes as failed.
inline constexpr std::int32_t record_back_attempts = 8;

// 60 s after try number `tries` (1-based), doubling with each try up to `max_doublings` times.
constexpr std::chrono::seconds doubling_delay(std::int32_t tries, std::int32_t max_doublings) noexcept
{
    return std::chrono::seconds(std::int64_t{60} << std::clamp(tries - 1, 0, max_doublings));
}

// The wait after failed record-back try number `tries` (1-based): 60 s, 120 s, 240 s, ...,
// doubling up to 60 s << 10 (about 17 hours) and no further.
constexpr std::chrono::seconds record_back_delay(std::int32_t tries) noexcept { return doubling_delay(tries, 10); }

// A processor call that got no usable answer (no answer, 408, 429, 5xx, an unreadable one) is
// tried this many times in all for one retry of the schedule, then given up.
inline constexpr std::int32_t processor_fault_tries = 6;

// The wait after processor fault number `faults` (1-based): 60 s, 120 s, ... 960 s, capped at 1920 s.
constexpr std::chrono::seconds processor_fault_delay(std::int32_t faults) noexcept { return doubling_delay(faults, 5); }

// What an HTTP answer that could not be used says about sending the same request again.
enum class http_fault {
    transient, // no answer, 408, 429, 5xx, or an answer unreadable now: later may differ
    auth,      // 401, 403: our credentials; the same request fails until an operator acts
    conflict,  // 409: the idempotency key is in use by another request; resending cannot help
    rejected,  // any other 4xx: the request itself is refused
};

template <>
struct enum_names<http_fault> {
    static constexpr std::array<std::pair<http_fault, std::string_view>, 4> values{{
        {http_fault::transient, "transient"},
        {http_fault::auth, "auth"},
        {http_fault::conflict, "conflict"},
        {http_fault::rejected, "rejected"},
    }};
};

// nullopt: the call got no HTTP answer at all (DNS, connect, TLS, timeout).
constexpr http_fault classify_http_fault(std::optional<int> status) noexcept
{
    if (!status) return http_fault::transient;
    if (*status == 401 || *status == 403) return http_fault::auth;
    if (*status == 409) return http_fault::conflict;
    if (*status == 408 || *status == 429 || *status >= 500 || *status < 400) return http_fault::transient;
    return http_fault::rejected;
}

inline std::optional<retry_schedule> parse_retry_schedule(std::string_view text)
{
    boost::system::error_code ec;
    const auto v = boost::json::parse(text, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const auto& o = v.as_object();
    const auto* start = o.if_contains("start_after");
    const auto* frequencies = o.if_contains("frequencies");
    if (!start || !start->is_int64() || start->as_int64() < 0) return std::nullopt;
    retry_schedule parsed;
    parsed.start_after = start->as_int64();
    if (!frequencies) return parsed; // the default frequencies
    if (!frequencies->is_array()) return std::nullopt;
    parsed.frequencies.clear();
    for (const auto& f : frequencies->as_array()) {
        if (!f.is_array() || f.as_array().size() != 2 || !f.as_array()[0].is_int64() || !f.as_array()[1].is_int64())
            return std::nullopt;
        const auto delay = f.as_array()[0].as_int64();
        const auto count = f.as_array()[1].as_int64();
        if (delay < 0 || count < 0 || count > 10000) return std::nullopt;
        parsed.frequencies.emplace_back(delay, static_cast<std::int32_t>(count));
    }
    return parsed;
}

RECOUP_END_NAMESPACE
