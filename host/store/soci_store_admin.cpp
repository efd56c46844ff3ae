// soci_store's administration, for the CLI and the HTTP host: migrations, profiles, MCAs and
// their secrets, and the webhook events recorded.
#include "store/config_listener.hpp"
#include "store/detail/identifier.hpp"
#include "store/detail/pool.hpp"
#include "store/detail/rows.hpp"
#include "store/detail/select.hpp"

#include <recoup/retry.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <ctime>
#include <stdexcept>

namespace recoupd {

using store_detail::row_lock;

namespace {

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

void check_id(std::string_view what, const std::string& id)
{
    if (!store_detail::valid_id(id))
        throw std::invalid_argument(std::string(what) + " id \"" + id +
                                    "\" is invalid: use 1-64 characters of A-Z a-z 0-9 _ -");
}

// config_version's one row (soci_store::config_version).
struct version_row {
    long long version = 0;
    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(version));
    }
};

} // namespace

// Every write of a profile, an MCA or an endpoint calls this inside its transaction: a running
// host's copy of them is then stale from the moment the write commits. On PostgreSQL also notifies
// config_channel with the new version, delivered at commit to every serving host's
// config_listener (config_listener.hpp); SQLite hosts read the version per webhook.
void soci_store::impl::bump_config_version(soci::session& sql)
{
    sql << "UPDATE config_version SET version = version + 1 WHERE id = 1";
    if (url.backend == backend::postgresql)
        sql << std::string("SELECT pg_notify('") + config_channel + "', version::text) FROM config_version WHERE id = 1";
}

// ---- migrations ---------------------------------------------------------------------------------

std::vector<migration_state> soci_store::migration_status()
{
    return impl_->with_session([&](soci::session& sql) { return recoupd::migration_status(sql, backend()); });
}

std::vector<migration_state> soci_store::migrate_up()
{
    return impl_->with_session([&](soci::session& sql) {
        return impl_->untimed(sql, [&] { return recoupd::migrate_up(sql, backend()); });
    });
}

std::vector<migration_state> soci_store::migrate_down(int count)
{
    return impl_->with_session([&](soci::session& sql) {
        return impl_->untimed(sql, [&] { return recoupd::migrate_down(sql, backend(), count); });
    });
}

// ---- profiles -----------------------------------------------------------------------------------

namespace {

// A profile's retry algorithm, schedule and network rules as bound for its INSERT or UPDATE.
struct profile_binds {
    store_detail::nullable schedule, rules;

    explicit profile_binds(const profile_record& profile)
    {
        if (!recoup::enum_from_string<recoup::retry_algorithm>(profile.retry_algorithm))
            throw std::invalid_argument("retry algorithm \"" + profile.retry_algorithm + "\" is unknown");
        schedule = json_column(profile.retry_schedule, "the retry schedule");
        rules = json_column(profile.network_rules, "the network rules");
    }

    static store_detail::nullable json_column(const std::optional<std::string>& text, std::string_view what)
    {
        if (!text) return {};
        boost::system::error_code ec;
        const auto v = boost::json::parse(*text, ec);
        if (ec) throw std::invalid_argument(std::string(what) + " is not valid JSON");
        return {boost::json::serialize(v), soci::i_ok};
    }
};

} // namespace

void soci_store::add_profile(const profile_record& profile)
{
    check_id("profile", profile.id);
    profile_binds b(profile);
    impl_->with_transaction([&](soci::session& sql) {
        impl_->bump_config_version(sql);
        int count = 0;
        sql << "SELECT COUNT(*) FROM business_profile WHERE id = :id", soci::use(profile.id), soci::into(count);
        if (count != 0) throw std::invalid_argument("profile \"" + profile.id + "\" already exists");
        const long long created = profile.created_at != 0 ? profile.created_at : unix_now();
        sql << "INSERT INTO business_profile (id, retry_algorithm, retry_schedule, created_at, network_rules) "
               "VALUES (:id, :a, :s, :c, :r)",
            soci::use(profile.id), soci::use(profile.retry_algorithm), soci::use(b.schedule.value, b.schedule.ind),
            soci::use(created), soci::use(b.rules.value, b.rules.ind);
    });
}

void soci_store::update_profile(const profile_record& profile)
{
    check_id("profile", profile.id);
    profile_binds b(profile);
    impl_->with_transaction([&](soci::session& sql) {
        soci::statement st = (sql.prepare << "UPDATE business_profile SET retry_algorithm = :a, retry_schedule = :s, "
                                             "network_rules = :r WHERE id = :id",
                              soci::use(profile.retry_algorithm), soci::use(b.schedule.value, b.schedule.ind),
                              soci::use(b.rules.value, b.rules.ind), soci::use(profile.id));
        st.execute(true);
        if (st.get_affected_rows() != 1) throw std::invalid_argument("unknown profile \"" + profile.id + "\"");
        impl_->bump_config_version(sql); // serving hosts drop their cached accounts (the algorithm is part of them)
    });
}

std::optional<profile_record> soci_store::find_profile(const std::string& id)
{
    return impl_->with_session([&](soci::session& sql) -> std::optional<profile_record> {
        const auto row =
            store_detail::select_one<store_detail::profile_row>(sql, backend(), "id = :id", row_lock::none, id);
        if (!row) return std::nullopt;
        return row->record();
    });
}

std::int64_t soci_store::config_version()
{
    return impl_->with_session([&](soci::session& sql, store_detail::statement_cache& cache) -> std::int64_t {
        const auto row = cache.query_one<version_row>(sql, "SELECT version FROM config_version WHERE id = 1");
        if (!row) throw recoup::storage_error("database error: config_version has no row (run: recoupd migrate up)");
        return row->version;
    });
}

// ---- MCAs and their secrets ---------------------------------------------------------------------

void soci_store::require_master_key() { impl_->secrets(); }

void soci_store::add_mca(const mca_record& mca)
{
    check_id("MCA", mca.id);
    check_id("profile", mca.profile_id);
    if (mca.connector.empty()) throw std::invalid_argument("the MCA needs a connector name");
    if (mca.secrets.empty()) throw std::invalid_argument("the MCA needs at least one webhook secret");
    const auto settings = store_detail::compact_json_object(mca.settings);
    if (!settings) throw std::invalid_argument("the MCA settings must be a JSON object");
    const auto& box = impl_->secrets();
    std::vector<store_detail::stored_secret> stored;
    for (const auto& s : mca.secrets) stored.push_back({s, std::nullopt});
    const auto sealed = box.seal(store_detail::secrets_json(stored), store_detail::secrets_aad(mca.id));
    store_detail::nullable api_key;
    if (mca.api_key) api_key = {box.seal(*mca.api_key, store_detail::api_key_aad(mca.id)), soci::i_ok};
    auto base_url = store_detail::from_optional(mca.base_url);
    const int count = static_cast<int>(mca.secrets.size());
    const long long now = mca.created_at != 0 ? mca.created_at : unix_now();

    impl_->with_transaction([&](soci::session& sql) {
        impl_->bump_config_version(sql);
        int found = 0;
        sql << "SELECT COUNT(*) FROM business_profile WHERE id = :id", soci::use(mca.profile_id), soci::into(found);
        if (found == 0) throw std::invalid_argument("unknown profile \"" + mca.profile_id + "\"");
        sql << "SELECT COUNT(*) FROM merchant_connector_account WHERE id = :id", soci::use(mca.id),
            soci::into(found);
        if (found != 0) throw std::invalid_argument("MCA \"" + mca.id + "\" already exists");
        sql << "INSERT INTO merchant_connector_account (id, profile_id, connector, secrets, secret_count, api_key, "
               "base_url, settings, created_at, modified_at) VALUES (:id, :p, :c, :s, :n, :k, :u, :st, :ca, :ma)",
            soci::use(mca.id), soci::use(mca.profile_id), soci::use(mca.connector), soci::use(sealed),
            soci::use(count), soci::use(api_key.value, api_key.ind), soci::use(base_url.value, base_url.ind),
            soci::use(*settings), soci::use(now), soci::use(now);
    });
}

std::optional<mca_record> soci_store::find_mca(const std::string& profile_id, const std::string& mca_id)
{
    return find_mca(profile_id, mca_id, unix_now());
}

std::optional<mca_record> soci_store::find_mca(const std::string& profile_id, const std::string& mca_id,
                                               std::int64_t now)
{
    const auto row = impl_->with_session([&](soci::session& sql) {
        return store_detail::select_one<store_detail::mca_row>(sql, backend(), "id = :id AND profile_id = :p",
                                                               row_lock::none, mca_id, profile_id);
    });
    if (!row) return std::nullopt;
    // Opened outside the session: a wrong master key is no database fault.
    return row->record(impl_->secrets(), now);
}

std::vector<mca_summary> soci_store::list_mcas(const std::optional<std::string>& profile_id)
{
    return impl_->with_session([&](soci::session& sql) {
        const std::string filter = profile_id.value_or("");
        const int all = profile_id ? 0 : 1;
        return store_detail::select_all<store_detail::mca_summary_row>(
            sql, backend(), "(:all = 1 OR profile_id = :p) ORDER BY profile_id, id", row_lock::none, all, filter);
    });
}

void soci_store::rotate_mca_secret(const std::string& profile_id, const std::string& mca_id,
                                   const std::string& secret, bool keep_old, std::int64_t now, std::int64_t window)
{
    if (secret.empty()) throw std::invalid_argument("the new secret is empty");
    const auto& box = impl_->secrets();
    const auto aad = store_detail::secrets_aad(mca_id);
    impl_->with_transaction([&](soci::session& sql) {
        const auto row = store_detail::select_one<store_detail::mca_secrets_row>(
            sql, backend(), "id = :id AND profile_id = :p", row_lock::for_update, mca_id, profile_id);
        if (!row) throw std::invalid_argument("unknown MCA \"" + mca_id + "\" in profile \"" + profile_id + "\"");
        impl_->bump_config_version(sql);
        std::vector<store_detail::stored_secret> next{{secret, std::nullopt}};
        if (keep_old) {
            for (auto& s : store_detail::secrets_from_json(box.open(row->sealed, aad), mca_id)) {
                if (s.expires_at && *s.expires_at <= now) continue; // already past its window
                if (s.value == secret) continue;
                const auto until = now + window;
                s.expires_at = s.expires_at ? std::min(*s.expires_at, until) : until;
                next.push_back(std::move(s));
            }
        }
        const auto resealed = box.seal(store_detail::secrets_json(next), aad);
        const int count = static_cast<int>(next.size());
        const long long at = now;
        sql << "UPDATE merchant_connector_account SET secrets = :s, secret_count = :n, modified_at = :m "
               "WHERE id = :id",
            soci::use(resealed), soci::use(count), soci::use(at), soci::use(mca_id);
    });
}

// ---- webhook events -----------------------------------------------------------------------------

std::vector<recoup::event_record> soci_store::list_events(const std::optional<std::string>& mca_id, std::size_t limit)
{
    return impl_->with_session([&](soci::session& sql) {
        const std::string filter = mca_id.value_or("");
        const int all = mca_id ? 0 : 1;
        const long long max = static_cast<long long>(limit);
        return store_detail::select_all<store_detail::event_row>(
            sql, backend(), "(:all = 1 OR merchant_connector_id = :m) ORDER BY received_at DESC, id DESC LIMIT :n",
            row_lock::none, all, filter, max);
    });
}

std::optional<recoup::event_record> soci_store::find_event(const std::string& id)
{
    return impl_->with_session([&](soci::session& sql) -> std::optional<recoup::event_record> {
        const auto row = store_detail::select_one<store_detail::event_with_body_row>(sql, backend(), "id = :id",
                                                                                     row_lock::none, id);
        if (!row) return std::nullopt;
        return row->record();
    });
}

// ---- the admin route's reads --------------------------------------------------------------------

workflow_rows soci_store::read_workflow(const std::string& payment_id, const std::vector<std::string>& task_ids)
{
    return impl_->with_session([&](soci::session& sql) {
        workflow_rows out;
        if (const auto intent = store_detail::select_one<store_detail::intent_row>(sql, backend(), "id = :id",
                                                                                   row_lock::none, payment_id))
            out.intent = intent->record();
        for (const auto& id : task_ids) {
            const auto task =
                store_detail::select_one<store_detail::task_row>(sql, backend(), "id = :id", row_lock::none, id);
            out.tasks.push_back(task ? std::optional(task->record()) : std::nullopt);
        }
        out.attempts = store_detail::select_all<store_detail::attempt_row>(
            sql, backend(), "payment_id = :p ORDER BY created_at, id", row_lock::none, payment_id);
        return out;
    });
}

std::optional<std::int64_t> soci_store::next_task_time()
{
    return impl_->with_session([&](soci::session& sql) -> std::optional<std::int64_t> {
        const std::string finish(recoup::task_status_finish);
        long long at = 0;
        soci::indicator ind = soci::i_null;
        sql << "SELECT MIN(schedule_time) FROM process_tracker WHERE status <> :f", soci::use(finish),
            soci::into(at, ind);
        if (ind != soci::i_ok) return std::nullopt;
        return at;
    });
}

} // namespace recoupd
