// recoup: the error body of every HTTP answer, {"error":{"type":..,"code":..,"message":..}}, with
// its types and codes named once for the flow's answers and the host's own.
#pragma once

#include <recoup/detail/config.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <string>
#include <string_view>

RECOUP_BEGIN_NAMESPACE

namespace api_error {

// `type`: the caller's mistake, or ours.
inline constexpr std::string_view invalid_request = "invalid_request";
inline constexpr std::string_view api = "api";

// `code`, in the reference's spelling.
inline constexpr std::string_view verification_failed = "WE_01"; // 401: signature or credentials
inline constexpr std::string_view malformed = "WE_02";           // 400: body, field or HTTP framing
inline constexpr std::string_view sync_failed = "WE_03";         // 503: the platform's API failed
inline constexpr std::string_view not_found = "WE_04";           // 404: route, profile, MCA, payment
inline constexpr std::string_view body_too_large = "WE_05";      // 413
inline constexpr std::string_view headers_too_large = "WE_06";   // 431
inline constexpr std::string_view method_not_allowed = "WE_07";  // 405
inline constexpr std::string_view internal = "HE_00";            // 500
inline constexpr std::string_view storage_unavailable = "HE_03"; // 503: the database
inline constexpr std::string_view overloaded = "HE_05";          // 503: no worker free in time
inline constexpr std::string_view unauthorized = "IR_01";        // 401: the admin token
inline constexpr std::string_view invalid_parameter = "IR_06";   // 400: a query parameter of an admin route

// How long a 503's Retry-After asks a platform to wait.
inline constexpr std::chrono::seconds default_retry_after{5};

// The message of a 5xx body: one fixed text per code. Why it happened (a database's error text, a
// host name, the failing sync stage) is for the operator's log, never for the caller.
inline constexpr std::string_view public_message(std::string_view code) noexcept
{
    if (code == storage_unavailable) return "storage unavailable, retry later";
    if (code == sync_failed) return "the billing platform's API could not be used, retry later";
    if (code == overloaded) return "server busy, retry later";
    return "internal error";
}

inline std::string body(std::string_view type, std::string_view code, std::string_view message)
{
    boost::json::object err{{"type", type}, {"code", code}, {"message", message}};
    return boost::json::serialize(boost::json::object{{"error", std::move(err)}});
}

} // namespace api_error

RECOUP_END_NAMESPACE
