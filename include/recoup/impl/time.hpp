#pragma once

RECOUP_BEGIN_NAMESPACE

namespace detail::iso8601 {

// Reads exactly `n` ASCII digits at `pos`; advances `pos` on success.
constexpr std::optional<int> digits(std::string_view s, std::size_t& pos, std::size_t n) noexcept
{
    if (s.size() < pos + n) return std::nullopt;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    pos += n;
    return v;
}

constexpr bool expect(std::string_view s, std::size_t& pos, char c) noexcept
{
    if (pos >= s.size() || s[pos] != c) return false;
    ++pos;
    return true;
}

constexpr bool is_leap(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr int days_in_month(int y, int m) noexcept
{
    constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept
{
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// "Z" -> 0; "+HH:MM" / "-HH:MM" -> signed seconds east of UTC.
constexpr std::optional<std::int64_t> utc_offset(std::string_view s, std::size_t& pos) noexcept
{
    if (expect(s, pos, 'Z')) return 0;
    if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return std::nullopt;
    const int sign = s[pos++] == '-' ? -1 : 1;
    const auto hh = digits(s, pos, 2);
    if (!hh || !expect(s, pos, ':')) return std::nullopt;
    const auto mm = digits(s, pos, 2);
    if (!mm || *hh > 23 || *mm > 59) return std::nullopt;
    return sign * (*hh * 3600 + *mm * 60);
}

// The date of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
constexpr void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) noexcept
{
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

} // namespace detail::iso8601

constexpr std::optional<std::int64_t> parse_iso8601(std::string_view s) noexcept
{
    using namespace detail::iso8601;
    std::size_t pos = 0;
    const auto year = digits(s, pos, 4);
    if (!year || !expect(s, pos, '-')) return std::nullopt;
    const auto month = digits(s, pos, 2);
    if (!month || !expect(s, pos, '-')) return std::nullopt;
    const auto day = digits(s, pos, 2);
    if (!day || !expect(s, pos, 'T')) return std::nullopt;
    const auto hour = digits(s, pos, 2);
    if (!hour || !expect(s, pos, ':')) return std::nullopt;
    const auto minute = digits(s, pos, 2);
    if (!minute || !expect(s, pos, ':')) return std::nullopt;
    const auto second = digits(s, pos, 2);
    if (!second) return std::nullopt;
    if (expect(s, pos, '.')) {
        const auto start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
        if (pos == start) return std::nullopt;
    }
    const auto offset = utc_offset(s, pos);
    if (!offset || pos != s.size()) return std::nullopt;
    if (*month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month) ||
        *hour > 23 || *minute > 59 || *second > 59)
        return std::nullopt;
    const auto days = days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
    return days * 86400 + *hour * 3600 + *minute * 60 + *second - *offset;
}

static_assert(parse_iso8601("1970-01-01T00:00:00Z") == 0);
static_assert(parse_iso8601("2022-09-13T21:18:40Z") == 1663103920);
static_assert(parse_iso8601("2000-02-29T00:00:00+01:00") == 951778800);

inline std::string format_iso8601(std::int64_t unix_seconds)
{
    constexpr std::int64_t day = 86400;
    constexpr std::int64_t first = -62167219200;  // 0000-01-01T00:00:00Z
    constexpr std::int64_t last = 253402300799;   // 9999-12-31T23:59:59Z
    const std::int64_t t = unix_seconds < first ? first : unix_seconds > last ? last : unix_seconds;
    const std::int64_t days = t >= 0 ? t / day : (t - day + 1) / day;
    const std::int64_t secs = t - days * day;
    std::int64_t y = 0;
    unsigned m = 0, d = 0;
    detail::iso8601::civil_from_days(days, y, m, d);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(y), m, d,
                  static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
    return buf;
}

RECOUP_END_NAMESPACE
