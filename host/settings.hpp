// recoupd: what the webhook path and the scheduler read from a stored profile and MCA, read one
// way: the MCA's settings object, its integer settings, the profile's retry schedule, and the
// view of the MCA a plugin is handed.
#pragma once

#include "log.hpp"
#include "mca_checks.hpp"
#include "store/soci_store.hpp"

#include <recoup/connector.hpp>
#include <recoup/flow.hpp>
#include <recoup/retry.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace recoupd {

// The settings text as an object; {} when it is not one (the CLI stores only objects).
inline boost::json::object settings_of(std::string_view text)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec || !v.is_object()) return {};
    return std::move(v.as_object());
}

// The MCA's settings as the webhook path verifies with them. A stored signature_tolerance_seconds
// that would turn the timestamp check off (0 or below: only a hand-edited row, `mca add` refuses
// it) is replaced by the default tolerance, in the object and in the settings text a plugin is
// handed, with one warning line naming the MCA.
inline boost::json::object verification_settings_of(mca_record& mca)
{
    auto settings = settings_of(mca.settings);
    recoup::mca_config reading;
    reading.settings = &settings;
    if (reading.signature_tolerance()) return settings;
    const auto stored = boost::json::serialize(settings.at(mca_checks::tolerance_setting));
    settings[mca_checks::tolerance_setting] = RECOUP_DEFAULT_TOLERANCE_SECONDS;
    mca.settings = boost::json::serialize(settings);
    log_json(boost::json::object{
        {"level", "warning"}, {"profile_id", mca.profile_id}, {"mca_id", mca.id},
        {"message", "stored " + std::string(mca_checks::tolerance_setting) + " " + stored +
                        " would turn the timestamp check off: verifying with the default, " +
                        std::to_string(RECOUP_DEFAULT_TOLERANCE_SECONDS) + " seconds"}});
    return settings;
}

// An integer setting, given as a number or a numeric string; `fallback` when absent or unreadable.
inline std::int32_t int_setting(const boost::json::object& settings, std::string_view key, std::int32_t fallback)
{
    const auto* v = settings.if_contains(key);
    if (!v) return fallback;
    if (v->is_int64()) return static_cast<std::int32_t>(v->as_int64());
    if (v->is_uint64()) return static_cast<std::int32_t>(v->as_uint64());
    if (v->is_string()) {
        try {
            return std::stoi(std::string(v->as_string()));
        } catch (const std::exception&) {
        }
    }
    return fallback;
}

// The profile's retry schedule; absent or unreadable: the default ladder (the CLI refuses
// unreadable ones, so only a hand-edited row gets here).
inline recoup::retry_schedule retry_schedule_of(const std::optional<std::string>& text)
{
    if (!text) return {};
    return recoup::parse_retry_schedule(*text).value_or(recoup::retry_schedule{});
}

// What a plugin sees of the MCA. It points into `mca` and `settings`, which must outlive it.
inline recoup::mca_config plugin_config(const mca_record& mca, const boost::json::object& settings)
{
    recoup::mca_config c;
    c.secrets = mca.secrets;
    c.api_key = mca.api_key ? std::string_view(*mca.api_key) : std::string_view{};
    c.settings = &settings;
    // The stored text crosses the plugin ABI as is; only when it parsed as this (non-empty)
    // object, so a plugin never sees text the host read differently.
    if (!settings.empty()) c.settings_json = mca.settings;
    return c;
}

// The flow's view of one MCA and its profile, built one way for the webhook path (account_cache)
// and for `events replay --reprocess`. Its config points into `mca` and `settings`, which must
// outlive it.
inline recoup::recovery_account recovery_account_of(const profile_record& profile, const mca_record& mca,
                                                    const boost::json::object& settings, bool keep_raw_body)
{
    recoup::recovery_account acct;
    acct.profile_id = mca.profile_id;
    acct.mca_id = mca.id;
    acct.config = plugin_config(mca, settings);
    acct.retry_threshold = int_setting(settings, "retry_threshold", 0);
    acct.max_retry_count = int_setting(settings, "max_retry_count", recoup::default_max_retry_count);
    acct.schedule = retry_schedule_of(profile.retry_schedule);
    acct.algorithm = recoup::enum_from_string<recoup::retry_algorithm>(profile.retry_algorithm)
                         .value_or(recoup::retry_algorithm::cascading);
    acct.keep_raw_body = keep_raw_body;
    return acct;
}

} // namespace recoupd
