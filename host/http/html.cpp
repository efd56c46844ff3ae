#include "http/html.hpp"

namespace recoupd::http::html {

namespace {

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

} // namespace

std::string escape(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

std::optional<std::string_view> cookie(std::string_view header, std::string_view name)
{
    while (!header.empty()) {
        const auto semi = header.find(';');
        const auto part = trim(header.substr(0, semi));
        header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
        const auto eq = part.find('=');
        if (eq != std::string_view::npos && trim(part.substr(0, eq)) == name) return trim(part.substr(eq + 1));
    }
    return std::nullopt;
}

} // namespace recoupd::http::html
