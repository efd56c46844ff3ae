#include "store/database_url.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include <cstdlib>
#include <stdexcept>

namespace recoupd {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

[[noreturn]] void bad(std::string_view text, std::string_view why)
{
    throw std::invalid_argument("invalid database URL \"" + std::string(text) + "\": " + std::string(why) +
                                " (expected sqlite:PATH or postgresql://user@host:port/db)");
}

} // namespace

std::string database_url::redacted() const
{
    if (backend != backend::postgresql) return text;
    // postgresql://user:secret@host -> postgresql://user:***@host
    const auto scheme_end = text.find("://");
    const auto at = text.find('@', scheme_end == std::string::npos ? 0 : scheme_end + 3);
    if (scheme_end == std::string::npos || at == std::string::npos) return text;
    const auto colon = text.find(':', scheme_end + 3);
    if (colon == std::string::npos || colon > at) return text;
    return text.substr(0, colon + 1) + "***" + text.substr(at);
}

database_url parse_database_url(std::string_view text)
{
    database_url url;
    url.text = std::string(text);
    if (starts_with(text, "sqlite:")) {
        auto path = text.substr(7);
        if (starts_with(path, "//")) path.remove_prefix(2); // sqlite://PATH is accepted too
        if (path.empty()) bad(text, "missing file path after \"sqlite:\"");
        if (path == ":memory:") bad(text, "an in-memory database cannot be shared by a connection pool");
        if (path.find('"') != std::string_view::npos) bad(text, "the file path cannot contain a double quote");
        url.backend = backend::sqlite;
        url.path = std::string(path);
        return url;
    }
    if (starts_with(text, "postgresql://") || starts_with(text, "postgres://")) {
        const auto rest = text.substr(text.find("://") + 3);
        if (rest.empty() || rest == "/") bad(text, "missing host and database");
        url.backend = backend::postgresql;
        return url;
    }
    if (text.empty()) bad(text, "empty");
    bad(text, "unknown scheme");
}

namespace {

std::string percent_decode(std::string_view text, std::string_view url)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        auto hex = [](char c) {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        const int hi = i + 2 < text.size() ? hex(text[i + 1]) : -1;
        const int lo = i + 2 < text.size() ? hex(text[i + 2]) : -1;
        if (hi < 0 || lo < 0) bad(url, "bad percent-encoding");
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

void keyword(std::string& out, std::string_view key, const std::string& value)
{
    if (!out.empty()) out += ' ';
    out += std::string(key) + "='";
    for (const char c : value) {
        if (c == '\\' || c == '\'') out += '\\';
        out += c;
    }
    out += '\'';
}

} // namespace

std::string libpq_connect_string(const database_url& url, const store_options& options)
{
    if (url.backend != backend::postgresql) throw std::invalid_argument("not a PostgreSQL URL");
    std::string_view rest(url.text);
    rest.remove_prefix(rest.find("://") + 3);
    std::string_view query;
    if (const auto q = rest.find('?'); q != std::string_view::npos) query = rest.substr(q + 1), rest = rest.substr(0, q);
    std::string_view dbname;
    if (const auto slash = rest.find('/'); slash != std::string_view::npos)
        dbname = rest.substr(slash + 1), rest = rest.substr(0, slash);
    std::string out;
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
        const auto userinfo = rest.substr(0, at);
        rest = rest.substr(at + 1);
        const auto colon = userinfo.find(':');
        keyword(out, "user", percent_decode(userinfo.substr(0, colon), url.text));
        if (colon != std::string_view::npos) keyword(out, "password", percent_decode(userinfo.substr(colon + 1), url.text));
    }
    std::string_view host = rest, port;
    if (!rest.empty() && rest.front() == '[') { // [IPv6]:port
        const auto close = rest.find(']');
        if (close == std::string_view::npos) bad(url.text, "unclosed [ in the host");
        host = rest.substr(1, close - 1);
        if (close + 1 < rest.size() && rest[close + 1] == ':') port = rest.substr(close + 2);
    } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (!host.empty()) keyword(out, "host", percent_decode(host, url.text));
    if (!port.empty()) keyword(out, "port", percent_decode(port, url.text));
    if (!dbname.empty()) keyword(out, "dbname", percent_decode(dbname, url.text));
    std::vector<std::string> given;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos || eq == 0) bad(url.text, "query parameters must be key=value");
        const auto key = percent_decode(pair.substr(0, eq), url.text);
        given.push_back(key);
        keyword(out, key, percent_decode(pair.substr(eq + 1), url.text));
    }
    // A dead server or a silent network drop is noticed within these, not after the kernel's hours.
    const std::pair<std::string_view, long long> defaults[] = {
        {"connect_timeout", options.connect_timeout.count()},
        {"keepalives", 1},
        {"keepalives_idle", options.keepalive_idle.count()},
        {"keepalives_interval", options.keepalive_interval.count()},
        {"keepalives_count", options.keepalive_count},
    };
    for (const auto& [key, value] : defaults)
        if (std::find(given.begin(), given.end(), key) == given.end()) keyword(out, key, std::to_string(value));
    return out;
}

std::string database_error_line(std::string text)
{
    if (const auto at = text.find("\nLINE "); at != std::string::npos) text.resize(at); // PG's query excerpt
    for (std::string_view noise : {"Cannot execute query. ", "Cannot prepare statement. ", "Fatal error. ", "ERROR:  "})
        for (auto at = text.find(noise); at != std::string::npos; at = text.find(noise))
            text.erase(at, noise.size());
    std::string out;
    for (const char c : text) {
        const char d = (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
        if (d == ' ' && (out.empty() || out.back() == ' ')) continue;
        out += d;
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == '.')) out.pop_back();
    return out;
}

std::string sqlite_connect_string(const database_url& url)
{
    return "db=\"" + url.path + "\" timeout=30";
}

std::string database_url_from(const std::string* flag)
{
    if (flag != nullptr && !flag->empty()) return *flag;
    if (const char* env = std::getenv("RECOUP_DATABASE_URL"); env != nullptr && *env != '\0') return env;
    return std::string(default_database_url);
}

} // namespace recoupd
