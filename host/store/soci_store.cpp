// soci_store's pool of sessions (detail/pool.hpp) and the store's lifetime, ping and begin().
#include "store/detail/pool.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <filesystem>
#include <string>

namespace recoupd {

soci_store::impl::impl(const database_url& u, std::size_t n, const store_options& o)
    : url(u), options(o), size(n == 0 ? 1 : n), pool(size), suspect(size, 0), statements(size)
{
    if (url.backend == backend::sqlite) {
        if (const auto parent = std::filesystem::path(url.path).parent_path(); !parent.empty())
            std::filesystem::create_directories(parent);
    }
    for (std::size_t i = 0; i < size; ++i) {
        try {
            open(pool.at(i));
        } catch (const std::exception& e) {
            throw recoup::storage_error("cannot connect to the database \"" + url.redacted() +
                                        "\": " + database_error_line(e.what()));
        }
    }
}

void soci_store::impl::open(soci::session& sql)
{
    if (url.backend == backend::sqlite)
        sql.open(soci::sqlite3, sqlite_connect_string(url));
    else
        sql.open(soci::postgresql, libpq_connect_string(url, options));
    configure(sql);
}

// Per-connection settings, again after every reconnect.
void soci_store::impl::configure(soci::session& sql)
{
    if (url.backend != backend::sqlite) {
        sql << "SET client_min_messages TO WARNING"; // no NOTICE lines on stderr
        sql << "SET statement_timeout = " + std::to_string(options.statement_timeout.count());
        sql << "SET lock_timeout = " + std::to_string(options.lock_timeout.count());
        return;
    }
    std::string mode;
    sql << "PRAGMA busy_timeout = " + std::to_string(options.sqlite_busy_timeout.count());
    sql << "PRAGMA foreign_keys = ON";
    sql << "PRAGMA journal_mode = WAL", soci::into(mode);
    sql << "PRAGMA synchronous = FULL"; // a 2xx only after the outcome is durable
}

void soci_store::impl::reconnect(soci::session& sql)
{
    // The session's prepared statements belong to the connection being replaced.
    for (std::size_t i = 0; i < size; ++i)
        if (&pool.at(i) == &sql) statements[i].clear();
    sql.reconnect();
    configure(sql);
}

std::size_t soci_store::impl::lease()
{
    std::size_t slot = 0;
    if (!pool.try_lease(slot, static_cast<int>(options.pool_wait.count())))
        throw recoup::storage_error("database busy: no free connection after " +
                                    std::to_string(options.pool_wait.count()) + " ms");
    if (suspect[slot]) {
        auto& sql = pool.at(slot);
        try {
            try {
                sql << "SELECT 1";
            } catch (const std::exception&) {
                reconnect(sql);
            }
            suspect[slot] = 0;
        } catch (const std::exception& e) {
            pool.give_back(slot);
            throw recoup::storage_error("cannot reach the database \"" + url.redacted() +
                                        "\": " + database_error_line(e.what()));
        }
    }
    return slot;
}

void soci_store::impl::begin_on(std::size_t slot)
{
    auto& sql = pool.at(slot);
    const char* begin = url.backend == backend::sqlite ? "BEGIN IMMEDIATE" : "BEGIN";
    try {
        sql << begin;
    } catch (const std::exception&) {
        // The connection may be stale (the server restarted since its last use): BEGIN has
        // no effect, so reconnecting and trying once more is safe.
        try {
            reconnect(sql);
            sql << begin;
        } catch (const std::exception& e) {
            suspect[slot] = 1;
            throw recoup::storage_error("cannot begin a transaction on \"" + url.redacted() +
                                        "\": " + database_error_line(e.what()));
        }
    }
}

void soci_store::impl::rollback_on(std::size_t slot) noexcept
{
    try {
        pool.at(slot) << "ROLLBACK";
    } catch (...) {
        suspect[slot] = 1;
    }
}

void soci_store::impl::fail_on(std::size_t slot)
{
    suspect[slot] = 1;
    try {
        throw;
    } catch (const soci::soci_error& e) {
        throw recoup::storage_error("database error: " + database_error_line(e.get_error_message()));
    }
}

bool soci_store::impl::reconnected_after_loss(std::size_t slot)
{
    auto& sql = pool.at(slot);
    try {
        sql << "SELECT 1";
        return false;
    } catch (const std::exception&) {
    }
    try {
        reconnect(sql);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

const secret_box& soci_store::impl::secrets()
{
    std::lock_guard lock(key_mutex);
    if (!box) box = load_secret_box(url);
    return *box;
}

// ---- the store's lifetime and the sessions it hands out -----------------------------------------

soci_store::soci_store(const database_url& url, std::size_t pool_size, store_options options)
    : impl_(std::make_unique<impl>(url, pool_size, options))
{
}

soci_store::~soci_store() = default;

recoupd::backend soci_store::backend() const noexcept { return impl_->url.backend; }
const database_url& soci_store::url() const noexcept { return impl_->url; }

bool soci_store::ping() noexcept
{
    // Twice: a first failure marks the session, and the second lease reconnects it.
    for (int attempt = 0; attempt < 2; ++attempt) {
        try {
            return impl_->with_session([](soci::session& sql) {
                int one = 0;
                sql << "SELECT 1", soci::into(one);
                return one == 1;
            });
        } catch (...) {
        }
    }
    return false;
}

soci_store::transaction soci_store::begin()
{
    impl::slot_lease lease(*impl_);
    impl_->begin_on(lease.slot());
    return transaction(impl_.get(), lease.release());
}

} // namespace recoupd
