// recoup: ISO 8601 timestamps ("2022-09-13T21:18:40Z", optionally with fractional seconds or a
// "+02:00" offset) to unix seconds, with civil-calendar arithmetic only: no locale, no timegm, no
// time zone database, so the result never depends on the machine.
#pragma once

#include <recoup/detail/config.hpp>

#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

RECOUP_BEGIN_NAMESPACE

// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" -> unix seconds (fraction truncated, which is
// the floor since it only adds to the second); anything else, or an impossible date, -> nullopt.
// Platforms that send RFC 3339 timestamps (Recurly, Paddle) read them with it.
constexpr std::optional<std::int64_t> parse_iso8601(std::string_view s) noexcept;

// Unix seconds -> "YYYY-MM-DDTHH:MM:SSZ" (UTC, years 0000-9999; others are clamped to that range).
std::string format_iso8601(std::int64_t unix_seconds);

RECOUP_END_NAMESPACE

#include <recoup/impl/time.hpp>
