#pragma once

RECOUP_BEGIN_NAMESPACE

inline std::string percent_encode(std::string_view s)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                          c == '-' || c == '_' || c == '.' || c == '~';
        if (keep) out.push_back(static_cast<char>(c));
        else out += {'%', hex[c >> 4], hex[c & 0xF]};
    }
    return out;
}

inline void append_form_field(std::string& body, std::string_view key, std::string_view value)
{
    if (!body.empty()) body.push_back('&');
    body.append(key);
    body.push_back('=');
    body.append(percent_encode(value));
}

inline http_header form_content_type_header()
{
    return {"Content-Type", std::string(form_content_type)};
}

RECOUP_END_NAMESPACE
