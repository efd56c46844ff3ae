// recoupd: the webhook path's profiles and MCAs from memory (account_cache.hpp).
#include "account_cache.hpp"

#include "settings.hpp"

#include <recoup/retry.hpp>

namespace recoupd {

namespace {

std::string key_of(const std::string& profile_id, const std::string& mca_id) { return profile_id + '\x1f' + mca_id; }

} // namespace

std::shared_ptr<const cached_account> account_cache::load(const profile_record& profile, mca_record mca,
                                                          std::vector<std::string> endpoints) const
{
    auto entry = std::make_shared<cached_account>();
    entry->mca = std::move(mca);
    entry->endpoints = std::move(endpoints);
    entry->settings = verification_settings_of(entry->mca);
    entry->account = recovery_account_of(profile, entry->mca, entry->settings, keep_raw_body_);
    return entry;
}

account_cache::~account_cache() = default;

void account_cache::follow_changes(const store_options& options)
{
    if (store_.backend() != backend::postgresql || listener_) return;
    listener_ = std::make_unique<config_listener>(
        store_.url(), options,
        config_listener::events{[this](std::int64_t version) { listening_at(version); }, [this] { not_listening(); }});
}

void account_cache::listening_at(std::int64_t version)
{
    std::lock_guard lock(mutex_);
    if (version != version_) {
        entries_.clear();
        version_ = version;
    }
    listening_ = true;
}

void account_cache::not_listening()
{
    std::lock_guard lock(mutex_);
    listening_ = false;
}

account_cache::lookup account_cache::find(const std::string& profile_id, const std::string& mca_id,
                                          std::int64_t now)
{
    const auto key = key_of(profile_id, mca_id);
    // The version first: whatever is read after it is at least as new, so an entry stored under
    // it is never older than the version says. The listener's version was read after its LISTEN,
    // so a change committed since then has been notified and empties the cache when it arrives.
    std::int64_t version = 0;
    bool notified = false;
    {
        std::lock_guard lock(mutex_);
        notified = listening_;
        version = version_;
    }
    if (!notified) version = store_.config_version();
    {
        std::lock_guard lock(mutex_);
        if (!notified && version != version_) {
            entries_.clear();
            version_ = version;
        }
        if (const auto it = entries_.find(key); it != entries_.end()) {
            const auto& expires = it->second->mca.secrets_expire_at;
            if (!expires || now < *expires) return {it->second, true};
            entries_.erase(it);
        }
    }
    const auto profile = store_.find_profile(profile_id);
    if (!profile) return {};
    auto mca = store_.find_mca(profile_id, mca_id, now);
    if (!mca) return {nullptr, true};
    auto entry = load(*profile, std::move(*mca), store_.enabled_endpoint_ids(profile_id));
    std::lock_guard lock(mutex_);
    ++loads_;
    if (version == version_) entries_[key] = entry;
    return {std::move(entry), true};
}

std::int64_t account_cache::version() const
{
    std::lock_guard lock(mutex_);
    return version_;
}

bool account_cache::listening() const
{
    std::lock_guard lock(mutex_);
    return listening_;
}

std::uint64_t account_cache::loads() const
{
    std::lock_guard lock(mutex_);
    return loads_;
}

} // namespace recoupd
