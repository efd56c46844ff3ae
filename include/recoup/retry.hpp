// recoup: when to retry a failed invoice payment (SPEC.md §4). Pure functions; exhausted is a
// normal outcome, never an error.
#pragma once

#include <recoup/detail/config.hpp>
#include <recoup/detail/enum_names.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

RECOUP_BEGIN_NAMESPACE

// How a profile retries: cascading retries for real; monitoring only records what it would do.
enum class retry_algorithm { cascading, monitoring };

template <>
struct enum_names<retry_algorithm> {
    static constexpr std::array<std::pair<retry_algorithm, std::string_view>, 2> values{{
        {retry_algorithm::cascading, "cascading"},
        {retry_algorithm::monitoring, "monitoring"},
    }};
};

// The reference's default: 60 s before the first retry, then [delay seconds, how many times].
struct retry_schedule {
    std::int64_t start_after = 60;
    std::vector<std::pair<std::int64_t, std::int32_t>> frequencies{
        {10800, 2}, {21600, 3}, {32400, 3}, {43200, 3}, {64800, 3}};

    // Internal retries the schedule allows (15 by default: the first plus the frequencies).
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

RECOUP_END_NAMESPACE
