// recoupd: the dashboard's session cookie, stateless: "<expiry>.<hex HMAC-SHA256>" where the MAC
// covers the expiry under a key derived from the admin token. No table: a session ends when it
// expires or when RECOUP_ADMIN_TOKEN changes. Pure (the caller passes the token and the time).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace recoupd::http::dashboard_session {

inline constexpr std::string_view cookie_name = "recoup_session";
inline constexpr std::string_view cookie_path = "/dashboard";
inline constexpr std::chrono::seconds lifetime = std::chrono::hours(8);

// A session valid until now + lifetime.
std::string issue(std::string_view admin_token, std::int64_t now);
// A value issue() made under this token, not yet expired (nor dated past now + lifetime).
// The MAC is compared in constant time.
bool valid(std::string_view admin_token, std::string_view value, std::int64_t now);

// The Set-Cookie header value: HttpOnly, SameSite=Strict, Path=/dashboard, Max-Age=lifetime, and
// Secure when the page was reached over TLS (a proxy in front says so).
std::string set_cookie(std::string_view value, bool secure);
// The Set-Cookie header value that ends the session in the browser (logout).
std::string clear_cookie(bool secure);

} // namespace recoupd::http::dashboard_session
