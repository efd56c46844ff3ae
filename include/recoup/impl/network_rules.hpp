#pragma once

#include <recoup/error.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <initializer_list>
#include <iterator>

RECOUP_BEGIN_NAMESPACE

inline network_rules default_network_rules()
{
    constexpr std::int64_t day = 86400;
    network_rules r;
    r.limits = {
        {"visa_customer_reattempts_30d", card_network::visa, 30 * day, 20, budget_counts::reattempts,
         attempt_initiator::customer},
        {"visa_merchant_reattempts_30d", card_network::visa, 30 * day, 20, budget_counts::reattempts,
         attempt_initiator::merchant},
        {"mastercard_declines_24h", card_network::mastercard, day, 10, budget_counts::declines, attempt_initiator::any},
        {"mastercard_declines_30d", card_network::mastercard, 30 * day, 35, budget_counts::declines,
         attempt_initiator::any},
    };
    const auto codes = [](const auto& list) { return std::vector<std::string>(list.begin(), list.end()); };
    r.never_retry = {
        {"visa_category_1", card_network::visa, codes(detail::visa_category_1), {}, {}},
        {"mastercard_do_not_try_again", card_network::mastercard, {}, codes(detail::mastercard_stop_advice), {}},
        {"hard_decline", std::nullopt, {}, {}, {decline_class::hard, decline_class::fraud_suspected}},
    };
    return r;
}

namespace detail::rules {

[[noreturn]] inline void refuse(const std::string& where, const std::string& what)
{
    throw exception(fail(error::invalid_field, "network_rules" + (where.empty() ? "" : "." + where), what));
}

inline const boost::json::object& object_at(const boost::json::value& v, const std::string& where,
                                            std::initializer_list<std::string_view> keys)
{
    if (!v.is_object()) refuse(where, "must be an object");
    for (const auto& kv : v.as_object())
        if (std::find(keys.begin(), keys.end(), kv.key()) == keys.end())
            refuse(where, "has an unknown key \"" + std::string(kv.key()) + "\"");
    return v.as_object();
}

inline const boost::json::array& array_at(const boost::json::object& o, std::string_view key, const std::string& where,
                                          bool required)
{
    static const boost::json::array empty;
    const auto* v = o.if_contains(key);
    if (!v) {
        if (required) refuse(where, "needs \"" + std::string(key) + "\"");
        return empty;
    }
    if (!v->is_array()) refuse(where.empty() ? std::string(key) : where + "." + std::string(key), "must be an array");
    return v->as_array();
}

inline std::string text_at(const boost::json::value& v, const std::string& where, std::size_t max_chars)
{
    if (!v.is_string()) refuse(where, "must be a string");
    const std::string s(v.as_string());
    if (s.empty() || s.size() > max_chars)
        refuse(where, "must be 1 to " + std::to_string(max_chars) + " characters");
    return s;
}

inline std::int64_t positive_at(const boost::json::object& o, std::string_view key, const std::string& where,
                                std::int64_t max)
{
    const auto* v = o.if_contains(key);
    const auto at = where + "." + std::string(key);
    if (!v) refuse(where, "needs \"" + std::string(key) + "\"");
    if (!v->is_int64() && !v->is_uint64()) refuse(at, "must be an integer");
    const auto n = v->is_int64() ? v->as_int64() : static_cast<std::int64_t>(std::min<std::uint64_t>(v->as_uint64(), INT64_MAX));
    if (n < 1 || n > max) refuse(at, "must be from 1 to " + std::to_string(max) + ", not " + std::to_string(n));
    return n;
}

template <named_enum E>
E enum_at(const boost::json::value& v, const std::string& where)
{
    if (!v.is_string()) refuse(where, "must be a string");
    if (auto e = enum_from_string<E>(v.as_string())) return *e;
    std::string known;
    for (const auto& [value, name] : enum_names<E>::values) known += (known.empty() ? "" : ", ") + std::string(name);
    refuse(where, "unknown value \"" + std::string(v.as_string()) + "\" (known: " + known + ")");
}

// "network" absent or "any": every network.
inline std::optional<card_network> network_at(const boost::json::object& o, const std::string& where)
{
    const auto* v = o.if_contains("network");
    if (!v || (v->is_string() && v->as_string() == "any")) return std::nullopt;
    return enum_at<card_network>(*v, where + ".network");
}

inline std::string indexed(std::string_view key, std::size_t i) { return std::string(key) + "[" + std::to_string(i) + "]"; }

// Long enough for any rule; bounded so a profile cannot store a table recoup cannot show.
inline constexpr std::size_t max_name_chars = 64;
inline constexpr std::int64_t max_window_seconds = 366 * 86400;
inline constexpr std::int64_t max_limit_attempts = 100000;
inline constexpr std::size_t max_code_chars = 16; // payment_attempt.network_decline_code / network_advice_code

inline budget_limit limit_at(const boost::json::value& v, const std::string& where)
{
    const auto& o = object_at(v, where, {"name", "network", "window_seconds", "max_attempts", "counts", "initiator"});
    budget_limit l;
    const auto* name = o.if_contains("name");
    if (!name) refuse(where, "needs \"name\"");
    l.name = text_at(*name, where + ".name", max_name_chars);
    l.network = network_at(o, where);
    l.window_seconds = positive_at(o, "window_seconds", where, max_window_seconds);
    l.max_attempts = static_cast<std::int32_t>(positive_at(o, "max_attempts", where, max_limit_attempts));
    const auto* counts = o.if_contains("counts");
    if (!counts) refuse(where, "needs \"counts\" (declines or reattempts)");
    l.counts = enum_at<budget_counts>(*counts, where + ".counts");
    if (const auto* i = o.if_contains("initiator")) l.initiator = enum_at<attempt_initiator>(*i, where + ".initiator");
    return l;
}

inline never_retry_rule never_at(const boost::json::value& v, const std::string& where)
{
    const auto& o = object_at(v, where, {"name", "network", "network_codes", "advice_codes", "classes"});
    never_retry_rule r;
    const auto* name = o.if_contains("name");
    if (!name) refuse(where, "needs \"name\"");
    r.name = text_at(*name, where + ".name", max_name_chars);
    r.network = network_at(o, where);
    const auto codes = [&](std::string_view key, std::vector<std::string>& out) {
        const auto& a = array_at(o, key, where, false);
        for (std::size_t i = 0; i < a.size(); ++i)
            out.push_back(text_at(a[i], where + "." + indexed(key, i), max_code_chars));
    };
    codes("network_codes", r.network_codes);
    codes("advice_codes", r.advice_codes);
    const auto& classes = array_at(o, "classes", where, false);
    for (std::size_t i = 0; i < classes.size(); ++i)
        r.classes.push_back(enum_at<decline_class>(classes[i], where + "." + indexed("classes", i)));
    if (r.network_codes.empty() && r.advice_codes.empty() && r.classes.empty())
        refuse(where, "matches nothing: give network_codes, advice_codes or classes");
    return r;
}

inline bool listed(const std::vector<std::string>& codes, const std::optional<std::string>& code) noexcept
{
    return code && std::any_of(codes.begin(), codes.end(), [&](const std::string& c) { return iequal(c, *code); });
}

inline bool applies(const std::optional<card_network>& rule, card_network network) noexcept
{
    return !rule || *rule == network;
}

inline bool matches(const never_retry_rule& r, const past_attempt& p) noexcept
{
    return listed(r.network_codes, p.network_code) || listed(r.advice_codes, p.advice_code) ||
           (p.decline_class && std::find(r.classes.begin(), r.classes.end(), *p.decline_class) != r.classes.end());
}

// The earliest time >= `at` at which `l` allows one more attempt, given `sorted` (by time).
inline std::int64_t limit_allows_at(const budget_limit& l, std::span<const past_attempt> sorted, std::int64_t at)
{
    const auto counted_initiator = [&](const past_attempt& p) {
        return l.initiator == attempt_initiator::any || p.initiator == l.initiator;
    };
    std::vector<std::int64_t> counted; // times of the counted attempts in (at - window, at]
    bool previous_declined = false;    // the attempt before, on any initiator
    for (const auto& p : sorted) {
        if (p.at > at) break;
        const bool counts =
            l.counts == budget_counts::declines ? p.declined : previous_declined; // a reattempt follows a decline
        if (counts && counted_initiator(p) && p.at > at - l.window_seconds) counted.push_back(p.at);
        previous_declined = p.declined;
    }
    // Only a reattempt spends a reattempt budget: after an approval (or first) the next attempt is free.
    if (l.counts == budget_counts::reattempts && !previous_declined) return at;
    if (static_cast<std::int64_t>(counted.size()) < l.max_attempts) return at;
    // Enough of the oldest must leave the window: the k-th oldest leaves it at its time + window.
    const auto k = counted.size() - static_cast<std::size_t>(l.max_attempts) + 1;
    return counted[k - 1] + l.window_seconds;
}

} // namespace detail::rules

inline result<network_rules> parse_network_rules(std::string_view json)
{
    using namespace detail::rules;
    boost::system::error_code ec;
    const auto v = boost::json::parse(json, ec);
    if (ec) return fail(error::invalid_field, "network_rules", "is not JSON: " + ec.message());
    try {
        const auto& o = object_at(v, "", {"limits", "never_retry"});
        network_rules r;
        const auto& limits = array_at(o, "limits", "", true);
        for (std::size_t i = 0; i < limits.size(); ++i) r.limits.push_back(limit_at(limits[i], indexed("limits", i)));
        const auto& never = array_at(o, "never_retry", "", true);
        for (std::size_t i = 0; i < never.size(); ++i)
            r.never_retry.push_back(never_at(never[i], indexed("never_retry", i)));
        return r;
    } catch (const exception& e) {
        return e.get();
    }
}

inline std::string serialize_network_rules(const network_rules& rules)
{
    boost::json::object o;
    auto& limits = o["limits"].emplace_array();
    for (const auto& l : rules.limits) {
        boost::json::object j;
        j["name"] = l.name;
        if (l.network) j["network"] = to_string(*l.network);
        j["window_seconds"] = l.window_seconds;
        j["max_attempts"] = l.max_attempts;
        j["counts"] = to_string(l.counts);
        j["initiator"] = to_string(l.initiator);
        limits.push_back(std::move(j));
    }
    auto& never = o["never_retry"].emplace_array();
    for (const auto& r : rules.never_retry) {
        boost::json::object j;
        j["name"] = r.name;
        if (r.network) j["network"] = to_string(*r.network);
        const auto strings = [&](std::string_view key, const std::vector<std::string>& list) {
            if (list.empty()) return;
            auto& a = j[key].emplace_array();
            for (const auto& s : list) a.push_back(boost::json::string(s));
        };
        strings("network_codes", r.network_codes);
        strings("advice_codes", r.advice_codes);
        if (!r.classes.empty()) {
            auto& a = j["classes"].emplace_array();
            for (auto c : r.classes) a.push_back(boost::json::string(to_string(c)));
        }
        never.push_back(std::move(j));
    }
    return boost::json::serialize(o);
}

inline budget_verdict check_budget(const network_rules& rules, card_network network,
                                   std::span<const past_attempt> history_of_this_credential, std::int64_t at,
                                   attempt_initiator initiator)
{
    using namespace detail::rules;
    std::vector<past_attempt> sorted(history_of_this_credential.begin(), history_of_this_credential.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.at < b.at; });

    // Never: a declined attempt since the last approval that a never-retry rule names.
    auto since = sorted.begin();
    for (auto it = sorted.begin(); it != sorted.end(); ++it)
        if (!it->declined) since = std::next(it);
    for (auto it = since; it != sorted.end(); ++it)
        for (const auto& r : rules.never_retry)
            if (applies(r.network, network) && matches(r, *it)) return {budget_outcome::never, std::nullopt, r.name};

    // Later: move to the earliest time every limit allows, until none moves it (each move passes
    // at least one counted attempt out of a window, so this ends).
    std::int64_t candidate = at;
    std::string rule;
    const auto bound = (sorted.size() + 1) * (rules.limits.size() + 1);
    for (std::size_t round = 0; round < bound; ++round) {
        bool moved = false;
        for (const auto& l : rules.limits) {
            if (!applies(l.network, network)) continue;
            if (l.initiator != attempt_initiator::any && initiator != attempt_initiator::any && l.initiator != initiator)
                continue;
            if (const auto t = limit_allows_at(l, sorted, candidate); t > candidate) {
                candidate = t;
                rule = l.name;
                moved = true;
            }
        }
        if (!moved) break;
    }
    if (candidate == at) return {budget_outcome::allowed, at, {}};
    return {budget_outcome::later, candidate, rule};
}

RECOUP_END_NAMESPACE
