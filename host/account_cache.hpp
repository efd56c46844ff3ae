// recoupd: the profiles and MCAs the webhook path needs, served from memory. Each entry is read
// from the store once per configuration version (soci_store::config_version, migration 0007):
// every webhook reads that one row, and a different version (a `recoupd profile add`, `mca add`
// or `mca rotate-secret` committed by any process) empties the cache. An entry also expires when
// the first of its secrets does (a rotation's --keep-old window). The MCA's settings are parsed
// once per entry, and the recovery_account the flow takes is built once with them.
#pragma once

#include "store/soci_store.hpp"

#include <recoup/flow.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace recoupd {

// One MCA with its profile's recovery settings. Immutable once built; account.config points
// into mca and settings, so it never moves (it lives behind a shared_ptr).
struct cached_account {
    mca_record mca;
    boost::json::object settings;
    recoup::recovery_account account;
};

class account_cache {
public:
    struct lookup {
        std::shared_ptr<const cached_account> account; // null: unknown (see profile_found)
        bool profile_found = false;
    };

    // keep_raw_body goes into every recovery_account built (the serving configuration's).
    account_cache(soci_store& store, bool keep_raw_body) : store_(store), keep_raw_body_(keep_raw_body) {}

    // The MCA `mca_id` of profile `profile_id` as of now: one version read, and the profile and
    // MCA reads only when the cache has no current entry. Unknown ids are not remembered.
    // Throws what the store throws (recoup::storage_error for a database fault).
    lookup find(const std::string& profile_id, const std::string& mca_id, std::int64_t now);

    // Entries read from the store since start (for tests and metrics).
    std::uint64_t loads() const;

private:
    std::shared_ptr<const cached_account> load(const profile_record& profile, mca_record mca) const;

    soci_store& store_;
    bool keep_raw_body_;
    mutable std::mutex mutex_;
    std::int64_t version_ = -1;
    std::unordered_map<std::string, std::shared_ptr<const cached_account>> entries_; // by profile, MCA
    std::uint64_t loads_ = 0;
};

} // namespace recoupd
