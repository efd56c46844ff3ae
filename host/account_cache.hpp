// recoupd: the profiles and MCAs the webhook path needs, served from memory. Each entry is read
// from the store once per configuration version (soci_store::config_version, migration 0007), and
// a different version (a `recoupd profile add`, `mca add` or `mca rotate-secret` committed by any
// process) empties the cache. How the version is known: on PostgreSQL, once follow_changes() has
// started the config_listener, from its notifications (no read per webhook) while it is
// connected, and from one read per webhook while it is not; on SQLite (or without
// follow_changes()) from one read per webhook, in-process. An entry also expires when
// the first of its secrets does (a rotation's --keep-old window). The MCA's settings are parsed
// once per entry, and the recovery_account the flow takes is built once with them. The profile's
// enabled endpoints are read with it: adding, enabling or disabling one raises the version too.
#pragma once

#include "store/config_listener.hpp"
#include "store/soci_store.hpp"

#include <recoup/flow.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace recoupd {

// One MCA with its profile's recovery settings and enabled endpoints. Immutable once built;
// account.config points into mca and settings, so it never moves (it lives behind a shared_ptr).
struct cached_account {
    mca_record mca;
    boost::json::object settings;
    recoup::recovery_account account;
    std::vector<std::string> endpoints; // the profile's enabled merchant endpoints (ids): emit() reads none
};

class account_cache {
public:
    struct lookup {
        std::shared_ptr<const cached_account> account; // null: unknown (see profile_found)
        bool profile_found = false;
    };

    // keep_raw_body goes into every recovery_account built (the serving configuration's).
    account_cache(soci_store& store, bool keep_raw_body) : store_(store), keep_raw_body_(keep_raw_body) {}
    ~account_cache();

    // On PostgreSQL, starts the config_listener (its own connection and thread) that tells the
    // cache of every version while it is connected; nothing on SQLite. For `recoupd serve`.
    void follow_changes(const store_options& options);

    // The MCA `mca_id` of profile `profile_id` as of now: one version read (none while the
    // listener is connected), and the profile and MCA reads only when the cache has no current
    // entry. Unknown ids are not remembered.
    // Throws what the store throws (recoup::storage_error for a database fault).
    lookup find(const std::string& profile_id, const std::string& mca_id, std::int64_t now);

    // Entries read from the store since start (for tests and metrics).
    std::uint64_t loads() const;

    // For /metrics: the configuration version the cache is current at (-1: none yet), and
    // whether the listener keeps it current (else each webhook reads it).
    std::int64_t version() const;
    bool listening() const;

    // The listener's reports (config_listener::events): the version as of now, or that it is no
    // longer listening (so find() reads the version itself again).
    void listening_at(std::int64_t version);
    void not_listening();

private:
    std::shared_ptr<const cached_account> load(const profile_record& profile, mca_record mca,
                                               std::vector<std::string> endpoints) const;

    soci_store& store_;
    bool keep_raw_body_;
    mutable std::mutex mutex_;
    std::int64_t version_ = -1;
    std::unordered_map<std::string, std::shared_ptr<const cached_account>> entries_; // by profile, MCA
    std::uint64_t loads_ = 0;
    bool listening_ = false; // version_ is kept current by the listener
    std::unique_ptr<config_listener> listener_; // last: stopped before the rest goes
};

} // namespace recoupd
