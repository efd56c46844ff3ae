#pragma once

RECOUP_BEGIN_NAMESPACE

inline bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

inline std::optional<std::string_view> webhook_request::header(std::string_view name) const noexcept
{
    for (const auto& h : headers)
        if (iequals(h.name, name)) return h.value;
    return std::nullopt;
}

inline std::size_t webhook_request::header_count(std::string_view name) const noexcept
{
    std::size_t n = 0;
    for (const auto& h : headers)
        if (iequals(h.name, name)) ++n;
    return n;
}

RECOUP_END_NAMESPACE
