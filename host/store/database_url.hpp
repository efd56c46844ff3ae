// recoupd: the --database URL. `sqlite:PATH` (the embedded default, one file) or
// `postgresql://user@host:port/db[?param=value...]` (libpq style, handed to libpq as is).
#pragma once

#include "store/store_options.hpp"

#include <string>
#include <string_view>

namespace recoupd {

enum class backend { sqlite, postgresql };

struct database_url {
    recoupd::backend backend = backend::sqlite;
    std::string text; // as given
    std::string path; // sqlite: the database file
    // For display: the URL with any password replaced by "***".
    std::string redacted() const;
};

inline constexpr std::string_view default_database_url = "sqlite:var/recoup.db";

// The libpq keyword/value form of a postgresql:// URL (user, password, host, port, dbname and
// every ?key=value parameter, percent-decoded), plus connect_timeout and the TCP keepalive keywords
// from `options` unless the URL gives them. SOCI's PostgreSQL backend takes this form reliably.
// Throws std::invalid_argument.
std::string libpq_connect_string(const database_url& url, const store_options& options = {});

// SOCI's SQLite connect string for the database file (quoted: paths may hold spaces).
std::string sqlite_connect_string(const database_url& url);

// Throws std::invalid_argument with a one-line message naming the URL.
database_url parse_database_url(std::string_view text);

// A database driver's message as one line, without SOCI's boilerplate, PostgreSQL's query
// excerpt or SOCI's query context (which may quote a bound value).
std::string database_error_line(std::string text);

// --database if given, else RECOUP_DATABASE_URL, else default_database_url.
std::string database_url_from(const std::string* flag);

} // namespace recoupd
