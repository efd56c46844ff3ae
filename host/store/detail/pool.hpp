// recoupd's SOCI store, internal: the pool of sessions behind soci_store (its impl). A session
// that failed is marked suspect and checked, or reconnected, at its next lease. Every database
// fault leaves here as a recoup::storage_error.
#pragma once

#include "store/detail/statement_cache.hpp"
#include "store/secrets_crypto.hpp"
#include "store/soci_store.hpp"

#include <soci/soci.h>

#include <cstddef>
#include <mutex>
#include <optional>
#include <type_traits>
#include <vector>

namespace recoupd {

struct soci_store::impl {
    database_url url;
    store_options options;
    std::size_t size;
    soci::connection_pool pool;
    std::vector<unsigned char> suspect; // per slot; only its leaseholder touches it
    std::vector<store_detail::statement_cache> statements; // per slot, likewise
    std::mutex key_mutex;
    std::optional<secret_box> box;

    // Throws recoup::storage_error naming the database when a session cannot open.
    impl(const database_url& u, std::size_t n, const store_options& o);

    // A free slot, its session checked first if it failed before; storage_error after options.pool_wait.
    std::size_t lease();
    void give_back(std::size_t slot) { pool.give_back(slot); }
    soci::session& session(std::size_t slot) { return pool.at(slot); }
    store_detail::statement_cache& statements_of(std::size_t slot) { return statements[slot]; }

    // Runs body() with no statement or lock timeout: migrations may be long and wait for each other.
    template <class F>
    decltype(auto) untimed(soci::session& sql, F&& body)
    {
        if (url.backend == backend::postgresql) {
            sql << "SET statement_timeout = 0";
            sql << "SET lock_timeout = 0";
        }
        struct restore {
            impl& self;
            soci::session& sql;
            ~restore()
            {
                try {
                    self.configure(sql);
                } catch (...) { // a dead session is reconnected, and configured, at its next lease
                }
            }
        } after{*this, sql};
        return body();
    }

    // BEGIN, or BEGIN IMMEDIATE on SQLite, so writers serialize instead of failing on lock upgrades.
    void begin_on(std::size_t slot);
    // Never throws: a rollback that fails leaves the session suspect.
    void rollback_on(std::size_t slot) noexcept;
    // Inside a handler for a soci::soci_error: marks the session suspect and rethrows the error as
    // a one-line recoup::storage_error.
    [[noreturn]] void fail_on(std::size_t slot);

    // After a failure: true when the connection itself had died and a reconnect revived it;
    // false when the connection is fine (the error was the statement's) or still down.
    bool reconnected_after_loss(std::size_t slot);

    // A leased slot, given back when it goes out of scope unless a transaction took it over.
    class slot_lease {
    public:
        explicit slot_lease(impl& store) : store_(&store), slot_(store.lease()) {}
        ~slot_lease()
        {
            if (store_ != nullptr) store_->give_back(slot_);
        }
        slot_lease(const slot_lease&) = delete;
        slot_lease& operator=(const slot_lease&) = delete;

        std::size_t slot() const noexcept { return slot_; }
        std::size_t release() noexcept
        {
            store_ = nullptr;
            return slot_;
        }

    private:
        impl* store_;
        std::size_t slot_;
    };

    // body(session), or body(session, its statement cache).
    template <class F>
    decltype(auto) run_body(F& body, std::size_t slot)
    {
        if constexpr (std::is_invocable_v<F&, soci::session&, store_detail::statement_cache&>)
            return body(session(slot), statements_of(slot));
        else
            return body(session(slot));
    }

    // Runs body(session) or body(session, cache) on a leased session, outside any explicit transaction.
    template <class F>
    decltype(auto) with_session(F&& body)
    {
        const slot_lease lease(*this);
        try {
            return run_body(body, lease.slot());
        } catch (const soci::soci_error&) {
            if (!reconnected_after_loss(lease.slot())) fail_on(lease.slot());
        }
        // The connection was lost (the server restarted) and is back: these bodies only read or
        // run their own transactions, so running them again is safe.
        try {
            return run_body(body, lease.slot());
        } catch (const soci::soci_error&) {
            fail_on(lease.slot());
        }
    }

    // Runs body(session) inside its own transaction.
    template <class F>
    void with_transaction(F&& body)
    {
        const slot_lease lease(*this);
        begin_on(lease.slot());
        auto& sql = session(lease.slot());
        try {
            body(sql);
            sql << "COMMIT";
        } catch (const soci::soci_error&) {
            rollback_on(lease.slot());
            fail_on(lease.slot());
        } catch (...) {
            rollback_on(lease.slot());
            throw;
        }
    }

    // Inside a transaction that changes what serving hosts cache (profiles, MCAs, endpoints):
    // raises config_version and, on PostgreSQL, notifies config_channel (soci_store_admin.cpp).
    void bump_config_version(soci::session& sql);

    // The master key's box, loaded on first use.
    const secret_box& secrets();

private:
    void open(soci::session& sql);
    void configure(soci::session& sql);
    void reconnect(soci::session& sql);
};

} // namespace recoupd
