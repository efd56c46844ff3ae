#include "http/dashboard_chart.hpp"

#include "http/html.hpp"

#include <recoup/money.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>

namespace recoupd::http::dashboard_chart {

namespace {

namespace chr = std::chrono;

std::optional<chr::sys_days> parse_day(std::string_view s)
{
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    auto number = [&](std::size_t at, std::size_t n) -> std::optional<int> {
        int v = 0;
        const auto [end, ec] = std::from_chars(s.data() + at, s.data() + at + n, v);
        if (ec != std::errc{} || end != s.data() + at + n) return std::nullopt;
        return v;
    };
    const auto y = number(0, 4), m = number(5, 2), d = number(8, 2);
    if (!y || !m || !d) return std::nullopt;
    const chr::year_month_day ymd{chr::year(*y), chr::month(static_cast<unsigned>(*m)), chr::day(static_cast<unsigned>(*d))};
    if (!ymd.ok()) return std::nullopt;
    return chr::sys_days(ymd);
}

std::string day_text(chr::sys_days d)
{
    const chr::year_month_day ymd(d);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return buf;
}

// The chart's geometry, in viewBox units: the SVG scales to the width of its box.
constexpr int width = 960, height = 220, left = 8, right = 8, top = 44, bottom = 44;

} // namespace

std::optional<std::int64_t> day_start(std::string_view day)
{
    const auto d = parse_day(day);
    if (!d) return std::nullopt;
    return chr::duration_cast<chr::seconds>(d->time_since_epoch()).count();
}

std::string money_text(std::int64_t minor, std::string_view currency)
{
    const auto cur = recoup::find_currency(currency);
    if (!cur) return std::string(currency) + " " + std::to_string(minor);
    return std::string(currency) + " " + recoup::minor_units_to_decimal(minor, *cur);
}

std::string time_text(std::int64_t unix_seconds)
{
    if (unix_seconds <= 0) return {};
    const chr::sys_seconds t{chr::seconds(unix_seconds)};
    const auto day = chr::floor<chr::days>(t);
    const chr::hh_mm_ss hms(t - day);
    char buf[32];
    std::snprintf(buf, sizeof buf, " %02d:%02d UTC", static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()));
    return day_text(day) + buf;
}

std::string recovered_per_day_svg(std::string_view currency, const std::vector<day_amount>& days)
{
    std::map<chr::sys_days, std::int64_t> by_day;
    for (const auto& d : days)
        if (const auto parsed = parse_day(d.day)) by_day[*parsed] += std::max<std::int64_t>(d.amount, 0);
    const auto cur = html::escape(currency);
    if (by_day.empty())
        return "<p class=\"empty\" data-chart=\"" + cur + "\">Nothing recovered in " + cur + " yet.</p>";

    const auto last = by_day.rbegin()->first;
    auto first = by_day.begin()->first;
    if (last - first >= chr::days(max_days)) first = last - chr::days(max_days - 1);
    if (last - first < chr::days(min_days - 1)) first = last - chr::days(min_days - 1);
    const auto count = static_cast<std::size_t>((last - first).count() + 1);
    std::int64_t highest = 1;
    for (const auto& [day, amount] : by_day)
        if (day >= first) highest = std::max(highest, amount);

    const double slot = static_cast<double>(width - left - right) / static_cast<double>(count);
    const double bar = std::clamp(slot * 0.7, 1.0, 40.0);
    const int plot = height - top - bottom;
    std::string svg = "<svg class=\"chart\" data-chart=\"" + cur + "\" viewBox=\"0 0 " + std::to_string(width) + " " +
                      std::to_string(height) +
                      "\" role=\"img\" aria-label=\"Recovered amount per day in " + cur +
                      "\" xmlns=\"http://www.w3.org/2000/svg\">";
    svg += "<text class=\"axis\" dominant-baseline=\"hanging\" x=\"" + std::to_string(left) + "\" y=\"2\">max " +
           html::escape(money_text(highest, currency)) + "</text>";
    svg += "<line class=\"base\" x1=\"" + std::to_string(left) + "\" y1=\"" + std::to_string(height - bottom) + "\" x2=\"" +
           std::to_string(width - right) + "\" y2=\"" + std::to_string(height - bottom) + "\"/>";
    char num[64];
    for (std::size_t i = 0; i < count; ++i) {
        const auto day = first + chr::days(i);
        const auto it = by_day.find(day);
        const std::int64_t amount = it == by_day.end() ? 0 : it->second;
        const double h = static_cast<double>(plot) * static_cast<double>(amount) / static_cast<double>(highest);
        const double x = left + slot * static_cast<double>(i) + (slot - bar) / 2;
        std::snprintf(num, sizeof num, "x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"", x,
                      static_cast<double>(height - bottom) - h, bar, h);
        const auto label = day_text(day);
        svg += "<rect class=\"bar\" data-day=\"" + label + "\" data-amount=\"" + std::to_string(amount) + "\" " + num +
               "><title>" + label + ": " + html::escape(money_text(amount, currency)) + "</title></rect>";
    }
    svg += "<text class=\"axis\" x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(height - 4) + "\">" +
           day_text(first) + "</text>";
    if (count > 1)
        svg += "<text class=\"axis\" text-anchor=\"end\" x=\"" + std::to_string(width - right) + "\" y=\"" +
               std::to_string(height - 4) + "\">" + day_text(last) + "</text>";
    svg += "</svg>";
    return svg;
}

} // namespace recoupd::http::dashboard_chart
