// recoup: time. Every pure function takes `now` as a value; the host passes a real clock, tests a
// fixed one.
#pragma once

#include <recoup/detail/config.hpp>

#include <chrono>
#include <cstdint>

RECOUP_BEGIN_NAMESPACE

using time_point = std::chrono::system_clock::time_point;

struct system_clock {
    time_point now() const noexcept { return std::chrono::system_clock::now(); }
};

struct fixed_clock {
    time_point at;
    time_point now() const noexcept { return at; }
};

inline time_point from_unix_seconds(std::int64_t s) noexcept
{
    return time_point(std::chrono::seconds(s));
}

inline std::int64_t to_unix_seconds(time_point t) noexcept
{
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

inline std::int64_t to_unix_millis(time_point t) noexcept
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

RECOUP_END_NAMESPACE
