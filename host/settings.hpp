// recoupd: reading the retry settings stored with a profile and a billing MCA, shared by the
// webhook path, the CLI and the scheduler.
#pragma once

#include <recoup/retry.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace recoupd {

// The profile's retry schedule in the reference's shape {"start_after":60,"frequencies":[[10800,2],...]}
// ("frequencies" absent: the default ones). nullopt when the text is not that shape (the CLI
// refuses it; the webhook path and the scheduler fall back to the default schedule).
inline std::optional<recoup::retry_schedule> parse_retry_schedule(std::string_view text)
{
    boost::system::error_code ec;
    const auto v = boost::json::parse(text, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const auto& o = v.as_object();
    const auto* start = o.if_contains("start_after");
    const auto* frequencies = o.if_contains("frequencies");
    if (!start || !start->is_int64() || start->as_int64() < 0) return std::nullopt;
    recoup::retry_schedule parsed;
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

inline std::int32_t int_setting(const boost::json::object& settings, std::string_view key, std::int32_t fallback)
{
    const auto* v = settings.if_contains(key);
    if (!v) return fallback;
    if (v->is_int64()) return static_cast<std::int32_t>(v->as_int64());
    if (v->is_uint64()) return static_cast<std::int32_t>(v->as_uint64());
    if (v->is_string()) {
        try {
            return std::stoi(std::string(v->as_string()));
        } catch (const std::exception&) {
        }
    }
    return fallback;
}

} // namespace recoupd
