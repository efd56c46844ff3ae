// Test support for the SOCI store suites: a fresh database per test case on the backend the
// test binary was started for (`sqlite` or `postgres` as first argument). SQLite: a file in its
// own temp dir. PostgreSQL (RECOUP_TEST_PG_URL): a schema of its own, selected through the URL's
// search_path, so suites run in parallel without seeing each other.
#pragma once

#include "store/soci_store.hpp"

#include <boost/test/unit_test.hpp>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <unistd.h>

namespace store_test {

inline bool& use_postgres()
{
    static bool value = false;
    return value;
}

inline std::string unique_suffix()
{
    static std::atomic<int> counter{0};
    std::random_device rd;
    return std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(rd() % 100000);
}

// A 32-byte master key in hex, for PostgreSQL (SQLite tests use the key file beside the db).
inline constexpr const char* test_master_key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

// SOCI mangles libpq URIs: hand it the keyword form.
inline std::string admin_connect_string()
{
    return recoupd::libpq_connect_string(recoupd::parse_database_url(std::getenv("RECOUP_TEST_PG_URL")));
}

class fresh_database {
public:
    explicit fresh_database(bool migrated = true)
    {
        if (use_postgres()) {
            const std::string base = std::getenv("RECOUP_TEST_PG_URL");
            schema_ = "t_store_" + unique_suffix();
            soci::session admin(soci::postgresql, admin_connect_string());
            admin << "SET client_min_messages TO WARNING";
            admin << "CREATE SCHEMA " + schema_;
            const char sep = base.find('?') == std::string::npos ? '?' : '&';
            url_ = recoupd::parse_database_url(base + sep + "options=-csearch_path%3D" + schema_ +
                                               "&application_name=" + schema_);
            ::setenv("RECOUP_MASTER_KEY", test_master_key, 1);
        } else {
            dir_ = std::filesystem::temp_directory_path() / ("recoup store " + unique_suffix()); // a space, on purpose
            std::filesystem::create_directories(dir_);
            url_ = recoupd::parse_database_url("sqlite:" + (dir_ / "db" / "recoup.db").string());
            ::unsetenv("RECOUP_MASTER_KEY");
        }
        if (migrated) open(1)->migrate_up();
    }

    ~fresh_database()
    {
        raw_.reset();
        try {
            if (!schema_.empty()) {
                soci::session admin(soci::postgresql, admin_connect_string());
                admin << "SET client_min_messages TO WARNING";
                admin << "DROP SCHEMA " + schema_ + " CASCADE";
            }
            if (!dir_.empty()) std::filesystem::remove_all(dir_);
        } catch (...) {
        }
    }

    const recoupd::database_url& url() const { return url_; }
    const std::string& schema() const { return schema_; }

    std::unique_ptr<recoupd::soci_store> open(std::size_t pool = 4) const
    {
        return std::make_unique<recoupd::soci_store>(url_, pool);
    }

    // A plain session for assertions in SQL.
    soci::session& raw()
    {
        if (!raw_) {
            if (use_postgres())
                raw_ = std::make_unique<soci::session>(soci::postgresql, recoupd::libpq_connect_string(url_));
            else {
                raw_ = std::make_unique<soci::session>(soci::sqlite3, recoupd::sqlite_connect_string(url_));
                *raw_ << "PRAGMA foreign_keys = ON";
            }
        }
        return *raw_;
    }

    long long count(const std::string& table_and_where)
    {
        long long n = -1;
        raw() << "SELECT COUNT(*) FROM " + table_and_where, soci::into(n);
        return n;
    }

private:
    std::filesystem::path dir_;
    std::string schema_;
    recoupd::database_url url_;
    std::unique_ptr<soci::session> raw_;
};

// main() for a suite: argv[1] is the backend; PostgreSQL without RECOUP_TEST_PG_URL exits 77
// (meson: skipped).
template <class Init>
int run_suite(int argc, char** argv, Init init)
{
    std::vector<char*> args(argv, argv + argc);
    if (args.size() > 1 && (std::string(args[1]) == "postgres" || std::string(args[1]) == "postgresql")) {
        const char* url = std::getenv("RECOUP_TEST_PG_URL");
        if (url == nullptr || *url == '\0') return 77;
        use_postgres() = true;
        args.erase(args.begin() + 1);
    } else if (args.size() > 1 && std::string(args[1]) == "sqlite") {
        args.erase(args.begin() + 1);
    }
    return boost::unit_test::unit_test_main(init, static_cast<int>(args.size()), args.data());
}

} // namespace store_test
