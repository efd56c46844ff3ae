// The recovery API's query strings (recovery_query.hpp). Pure: no socket, no store.
#include "http/recovery_query.hpp"

#include <recoup/domain.hpp>

#include <charconv>

namespace recoupd::http {

namespace {

int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// '+' is a space and %XX a byte; a broken escape keeps the text as it is.
std::string decode_component(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::optional<std::int64_t> parse_int64(std::string_view s)
{
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// "requires_payment_method, processing, ...": the library's names, in its order.
std::string status_names()
{
    std::string out;
    for (const auto& [value, name] : recoup::enum_names<recoup::intent_status>::values)
        out += (out.empty() ? "" : ", ") + std::string(name);
    return out;
}

query_error bad(std::string_view parameter, std::string_view what)
{
    return {std::string(parameter), "query parameter " + std::string(parameter) + " " + std::string(what)};
}

// A value that names an id (profile_id): the project's id rule, else it can match nothing.
std::optional<query_error> check_id(std::string_view parameter, const std::string& value)
{
    if (recoup::is_valid_id(value)) return std::nullopt;
    return bad(parameter, "is not a valid id: 1-" + std::to_string(recoup::max_id_length) +
                              " characters of A-Z a-z 0-9 _ -");
}

// from and to: unix seconds, from < to when both are given.
std::optional<query_error> parse_window(const std::string& key, const std::string& value,
                                        std::optional<std::int64_t>& from, std::optional<std::int64_t>& to)
{
    const auto v = parse_int64(value);
    if (!v || *v < 0) return bad(key, "must be a time in unix seconds (a non-negative integer)");
    (key == "from" ? from : to) = *v;
    return std::nullopt;
}

std::optional<query_error> check_order(const std::optional<std::int64_t>& from, const std::optional<std::int64_t>& to)
{
    if (from && to && *from >= *to) return bad("to", "must be later than from");
    return std::nullopt;
}

} // namespace

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query)
{
    std::vector<std::pair<std::string, std::string>> out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        if (!pair.empty()) {
            const auto eq = pair.find('=');
            out.emplace_back(decode_component(pair.substr(0, eq)),
                             eq == std::string_view::npos ? std::string() : decode_component(pair.substr(eq + 1)));
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return out;
}

std::variant<invoice_filter, query_error> parse_invoice_query(std::string_view query)
{
    invoice_filter f;
    for (const auto& [key, value] : parse_query(query)) {
        if (value.empty()) continue;
        if (key == "profile_id") {
            if (auto e = check_id(key, value)) return *e;
            f.profile_id = value;
        } else if (key == "status") {
            f.status = recoup::enum_from_string<recoup::intent_status>(value);
            if (!f.status) return bad(key, "must be one of " + status_names());
        } else if (key == "connector") {
            f.connector = value;
        } else if (key == "decline_class") {
            f.decline_class = value;
        } else if (key == "from" || key == "to") {
            if (auto e = parse_window(key, value, f.from, f.to)) return *e;
        } else if (key == "limit") {
            const auto v = parse_int64(value);
            if (!v || *v < 1 || *v > static_cast<std::int64_t>(max_invoice_page))
                return bad(key, "must be an integer from 1 to " + std::to_string(max_invoice_page));
            f.limit = static_cast<std::size_t>(*v);
        } else if (key == "cursor") {
            f.cursor = decode_cursor(value);
            if (!f.cursor) return bad(key, "is not a cursor this API returned");
        }
    }
    if (auto e = check_order(f.from, f.to)) return *e;
    return f;
}

std::variant<summary_query, query_error> parse_summary_query(std::string_view query)
{
    summary_query q;
    for (const auto& [key, value] : parse_query(query)) {
        if (value.empty()) continue;
        if (key == "profile_id") {
            if (auto e = check_id(key, value)) return *e;
            q.profile_id = value;
        } else if (key == "from" || key == "to") {
            if (auto e = parse_window(key, value, q.from, q.to)) return *e;
        }
    }
    if (auto e = check_order(q.from, q.to)) return *e;
    return q;
}

} // namespace recoupd::http
