// recoupd: the dashboard's chart of recovered amount per day, as inline SVG (no script, no image
// request: it is part of the page). Pure: days and amounts in, markup out, every label escaped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace recoupd::http::dashboard_chart {

// The most days one chart shows: the latest ones when there are more.
inline constexpr std::size_t max_days = 120;
// The fewest: a chart of one or two days still reads as a time line (empty days before them).
inline constexpr std::size_t min_days = 14;

struct day_amount {
    std::string day;         // YYYY-MM-DD (UTC)
    std::int64_t amount = 0; // minor units
};

// One bar per day from the first to the last day given, or the min_days ending on the last (days
// without a recovery get an empty bar), for one currency. Each bar carries data-day and data-amount and a <title>
// tooltip; the axis shows the first and last day and the highest amount. Days that are not
// YYYY-MM-DD are ignored; no valid day at all renders a short "nothing recovered" note.
std::string recovered_per_day_svg(std::string_view currency, const std::vector<day_amount>& days);

// "YYYY-MM-DD" as the unix seconds of that day's start (UTC); nullopt for anything else.
std::optional<std::int64_t> day_start(std::string_view day);

// Minor units as the currency writes them: "EUR 25.00", "JPY 500"; an unknown code shows the
// minor units as they are.
std::string money_text(std::int64_t minor, std::string_view currency);
// Unix seconds as "2026-12-03 10:40 UTC"; 0 or less as "".
std::string time_text(std::int64_t unix_seconds);

} // namespace recoupd::http::dashboard_chart
