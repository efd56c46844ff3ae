// HTTP suites' harness (tests/host/http_harness.hpp): the backend a suite runs on, its main, and a
// database of each test's own.
#pragma once

#include "environment.hpp"

#include <boost/test/unit_test.hpp>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace http_test {

enum class backend { sqlite, postgresql };

inline backend backend_from_args()
{
    const auto& suite = boost::unit_test::framework::master_test_suite();
    for (int i = 1; i < suite.argc; ++i)
        if (std::string(suite.argv[i]) == "postgresql") return backend::postgresql;
    return backend::sqlite;
}

// Flags a test registration adds to every `recoupd serve` of the suite: whatever follows the
// backend on the command line (`-- postgresql --group-commit 64`: meson runs the race and crash
// suites once more that way, so group commit, off by default, keeps their guarantees).
inline std::vector<std::string> serve_flags_from_args()
{
    const auto& suite = boost::unit_test::framework::master_test_suite();
    std::vector<std::string> flags;
    bool after_backend = false;
    for (int i = 1; i < suite.argc; ++i) {
        const std::string a = suite.argv[i];
        if (after_backend) flags.push_back(a);
        else after_backend = a == "postgresql" || a == "sqlite";
    }
    return flags;
}

// Precondition for a case that needs a PostgreSQL server (freezing it, for one): skipped on SQLite.
struct on_postgresql {
    boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const
    {
        if (backend_from_args() == backend::postgresql) return true;
        boost::test_tools::assertion_result r(false);
        r.message() << "needs a PostgreSQL server";
        return r;
    }
};

// Boost.Test main that exits 77 (skipped) for a PostgreSQL run without RECOUP_TEST_PG_URL.
#define HTTP_TEST_MAIN()                                                                                  \
    int main(int argc, char* argv[])                                                                      \
    {                                                                                                     \
        for (int i = 1; i < argc; ++i)                                                                    \
            if (std::string(argv[i]) == "postgresql" && http_test::env_or("RECOUP_TEST_PG_URL").empty()) { \
                std::puts("RECOUP_TEST_PG_URL is not set: skipped");                                      \
                return 77;                                                                                \
            }                                                                                             \
        return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);                           \
    }

// SOCI 4.0 mangles a libpq URI without parameters ("db" becomes "db="): always give one.
inline std::string pg_connect_string(const std::string& url)
{
    if (url.find("connect_timeout=") != std::string::npos) return url;
    return url + (url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=10";
}

// A database of the test's own: an SQLite file in a temp dir, or a fresh schema on PostgreSQL.
class test_database {
public:
    explicit test_database(backend b) : backend_(b)
    {
        dir_ = fs::temp_directory_path() / ("recoup-http-" + random_suffix());
        fs::create_directories(dir_);
        if (b == backend::sqlite) {
            url_ = "sqlite:" + (dir_ / "recoup.db").string();
        } else {
            const std::string base = env_or("RECOUP_TEST_PG_URL");
            schema_ = "t_" + random_suffix();
            {
                soci::session admin(soci::postgresql, pg_connect_string(base));
                admin << "CREATE SCHEMA " + schema_;
            }
            url_ = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_;
        }
    }
    ~test_database()
    {
        sql_.reset();
        try {
            if (backend_ == backend::postgresql) {
                soci::session admin(soci::postgresql, pg_connect_string(env_or("RECOUP_TEST_PG_URL")));
                admin << "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE";
            }
        } catch (const std::exception&) {
        }
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    const std::string& url() const { return url_; }
    backend kind() const { return backend_; }
    const fs::path& dir() const { return dir_; }

    // A session for checking rows (reopened after a database restart).
    soci::session& sql()
    {
        if (!sql_) {
            sql_ = std::make_unique<soci::session>();
            if (backend_ == backend::sqlite) sql_->open(soci::sqlite3, "db=" + (dir_ / "recoup.db").string() + " timeout=30");
            else sql_->open(soci::postgresql, pg_connect_string(url_));
        }
        return *sql_;
    }
    void drop_session() { sql_.reset(); }

    long long count(const std::string& query)
    {
        long long n = 0;
        sql() << query, soci::into(n);
        return n;
    }
    std::string text(const std::string& query)
    {
        std::string s;
        soci::indicator ind = soci::i_ok;
        sql() << query, soci::into(s, ind);
        return ind == soci::i_ok ? s : std::string("<null>");
    }

private:
    backend backend_;
    fs::path dir_;
    std::string url_;
    std::string schema_;
    std::unique_ptr<soci::session> sql_;
};

} // namespace http_test
