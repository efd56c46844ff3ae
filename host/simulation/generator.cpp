#include "simulation/generator.hpp"

#include "simulation/model.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <span>
#include <string>

namespace recoupd::simulation {

namespace {

constexpr std::int64_t hour = 3600;
constexpr std::int64_t day = 86400;

// Draws from mt19937_64 with our own arithmetic (see generator.hpp).
class draw {
public:
    explicit draw(std::uint64_t seed) : rng_(seed) {}

    // Uniform in [0, n); n > 0. The modulo bias is below 2^-40 for the small n used here.
    std::uint64_t below(std::uint64_t n) { return rng_() % n; }
    // Uniform in [lo, hi].
    std::int64_t between(std::int64_t lo, std::int64_t hi)
    {
        return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
    }
    bool percent(int p) { return below(100) < static_cast<std::uint64_t>(p); }

    template <class T, std::size_t N>
    T pick(const std::array<model::weighted<T>, N>& table)
    {
        std::uint64_t total = 0;
        for (const auto& w : table) total += static_cast<std::uint64_t>(w.weight);
        auto r = below(total);
        for (const auto& w : table) {
            if (r < static_cast<std::uint64_t>(w.weight)) return w.value;
            r -= static_cast<std::uint64_t>(w.weight);
        }
        return table.back().value;
    }

private:
    std::mt19937_64 rng_;
};

std::int64_t midnight(std::int64_t t) { return t - ((t % day) + day) % day; }

// 1970-01-01 was a Thursday: day number d is a Friday when (d + 3) % 7 == 0 ... d=1 is Friday.
bool is_friday(std::int64_t day_number) { return ((day_number - 1) % 7 + 7) % 7 == 0; }

int day_of_month(std::int64_t day_number)
{
    const std::chrono::sys_days d{std::chrono::days(day_number)};
    return static_cast<int>(static_cast<unsigned>(std::chrono::year_month_day(d).day()));
}

// Whether midnight of `day_number` is a payday of the cycle; `phase` picks the biweekly Fridays.
bool is_payday(model::pay_cycle cycle, int phase, std::int64_t day_number)
{
    switch (cycle) {
    case model::pay_cycle::weekly: return is_friday(day_number);
    case model::pay_cycle::biweekly: return is_friday(day_number) && ((day_number - 1) / 7) % 2 == phase;
    case model::pay_cycle::semimonthly: return day_of_month(day_number) == 1 || day_of_month(day_number) == 15;
    case model::pay_cycle::monthly: return day_of_month(day_number) == 1;
    }
    return false;
}

void add(std::vector<segment>& timeline, std::int64_t until, const model::decline_reason* reason)
{
    if (!timeline.empty() && until <= *timeline.back().until) return; // an empty stretch
    segment s;
    s.until = until;
    if (reason) s.decline = std::string(reason->decline), s.code = std::string(reason->code);
    else s.approve = true;
    // Two stretches of the same answer in a row are one.
    if (!timeline.empty() && timeline.back().approve == s.approve && timeline.back().decline == s.decline)
        timeline.back().until = until;
    else timeline.push_back(std::move(s));
}

void close(std::vector<segment>& timeline, const model::decline_reason* last)
{
    segment s;
    if (last) s.decline = std::string(last->decline), s.code = std::string(last->code);
    else s.approve = true;
    if (!timeline.empty() && timeline.back().approve == s.approve && timeline.back().decline == s.decline)
        timeline.back().until.reset();
    else timeline.push_back(std::move(s));
}

// Short of funds except for a few days after each payday; some customers never.
std::vector<segment> funds_timeline(draw& d, std::int64_t from)
{
    std::vector<segment> t;
    const auto* nsf = &model::insufficient_funds;
    if (d.percent(model::never_funded_percent)) {
        close(t, nsf);
        return t;
    }
    const auto cycle = d.pick(model::pay_cycles);
    const int phase = static_cast<int>(d.below(2));
    const auto arrival = d.between(0, model::funds_arrival_max_hours) * hour;
    const auto lasts = d.between(model::funds_last_min_days, model::funds_last_max_days) * day;
    const auto end = from + model::timeline_days * day;
    for (auto day_number = midnight(from) / day; day_number * day < end; ++day_number) {
        if (!is_payday(cycle, phase, day_number)) continue;
        const auto funded = day_number * day + arrival;
        if (funded <= from) continue;
        add(t, funded, nsf);
        add(t, funded + lasts, nullptr);
    }
    close(t, nsf);
    return t;
}

std::vector<segment> first_method_timeline(draw& d, std::int64_t failed_at)
{
    const auto reason = d.pick(model::first_declines);
    const auto* r = &reason;
    std::vector<segment> t;
    if (reason.decline == model::insufficient_funds.decline) return funds_timeline(d, failed_at);
    if (reason.decline == model::do_not_honor.decline) {
        if (d.percent(model::do_not_honor_clear_percent))
            add(t, failed_at + d.between(1, model::do_not_honor_clear_max_days) * day + d.between(0, 23) * hour, r);
        close(t, t.empty() ? r : nullptr);
        return t;
    }
    if (reason.decline == model::try_again_later.decline || reason.decline == model::processing_error.decline) {
        if (d.percent(model::transient_clear_percent))
            add(t, failed_at + d.between(1, model::transient_clear_max_hours) * hour, r);
        close(t, t.empty() ? r : nullptr);
        return t;
    }
    close(t, r); // never again on this card
    return t;
}

std::vector<segment> alternate_timeline(draw& d, std::int64_t failed_at)
{
    if (d.percent(model::alternate_approves_percent)) {
        std::vector<segment> t;
        close(t, nullptr);
        return t;
    }
    return funds_timeline(d, failed_at);
}

} // namespace

std::vector<invoice> generate(std::size_t n, std::uint64_t seed)
{
    draw d(seed);
    std::vector<invoice> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        invoice inv;
        inv.id = "inv_" + std::to_string(i + 1);
        inv.currency = std::string(d.pick(model::currencies));
        inv.amount = d.pick(model::amounts);
        inv.failed_at = model::epoch + d.between(0, model::failure_spread_days * day - 1);
        payment_method first{"pm_" + std::to_string(i + 1) + "_1", std::string(d.pick(model::networks)), {}};
        first.timeline = first_method_timeline(d, inv.failed_at);
        inv.methods.push_back(std::move(first));
        if (d.percent(model::alternate_method_percent)) {
            payment_method alt{"pm_" + std::to_string(i + 1) + "_2", std::string(d.pick(model::networks)), {}};
            alt.timeline = alternate_timeline(d, inv.failed_at);
            inv.methods.push_back(std::move(alt));
        }
        out.push_back(std::move(inv));
    }
    std::stable_sort(out.begin(), out.end(), [](const invoice& a, const invoice& b) { return a.failed_at < b.failed_at; });
    return out;
}

} // namespace recoupd::simulation
