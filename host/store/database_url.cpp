#include "store/database_url.hpp"

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

std::string database_url_from(const std::string* flag)
{
    if (flag != nullptr && !flag->empty()) return *flag;
    if (const char* env = std::getenv("RECOUP_DATABASE_URL"); env != nullptr && *env != '\0') return env;
    return std::string(default_database_url);
}

} // namespace recoupd
