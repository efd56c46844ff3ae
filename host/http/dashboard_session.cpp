#include "http/dashboard_session.hpp"

#include <recoup/crypto.hpp>

#include <charconv>

namespace recoupd::http::dashboard_session {

namespace {

// Derived, so the cookie never carries anything from which the token itself could be read back.
constexpr std::string_view key_label = "recoup dashboard session v1";

std::string mac_of(std::string_view admin_token, std::string_view expiry)
{
    const auto key = recoup::hmac_sha256(admin_token, key_label);
    return recoup::hex_encode(recoup::hmac_sha256(recoup::as_string_view(key), expiry));
}

std::string attributes(bool secure)
{
    return "; Path=" + std::string(cookie_path) + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
}

} // namespace

std::string issue(std::string_view admin_token, std::int64_t now)
{
    const auto expiry = std::to_string(now + lifetime.count());
    return expiry + "." + mac_of(admin_token, expiry);
}

bool valid(std::string_view admin_token, std::string_view value, std::int64_t now)
{
    if (admin_token.empty()) return false;
    const auto dot = value.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot > 19) return false;
    const auto expiry_text = value.substr(0, dot);
    std::int64_t expiry = 0;
    const auto [end, ec] = std::from_chars(expiry_text.data(), expiry_text.data() + expiry_text.size(), expiry);
    if (ec != std::errc{} || end != expiry_text.data() + expiry_text.size()) return false;
    if (expiry <= now || expiry > now + lifetime.count()) return false;
    return recoup::constant_time_equal(value.substr(dot + 1), mac_of(admin_token, expiry_text));
}

std::string set_cookie(std::string_view value, bool secure)
{
    return std::string(cookie_name) + "=" + std::string(value) + attributes(secure) +
           "; Max-Age=" + std::to_string(lifetime.count());
}

std::string clear_cookie(bool secure)
{
    return std::string(cookie_name) + "=" + attributes(secure) + "; Max-Age=0";
}

} // namespace recoupd::http::dashboard_session
