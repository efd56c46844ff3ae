// recoupd: reading the integer settings stored with a billing MCA, shared by the webhook path
// and the scheduler.
#pragma once

#include <recoup/retry.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace recoupd {

// parse_retry_schedule moved to the library; its callers here keep the unqualified name.
using recoup::parse_retry_schedule;

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
