// recoupd: the SOCI store (PostgreSQL in production, SQLite as the embedded default). It
// satisfies recoup::recovery_store: begin() leases a pooled session and opens a transaction
// (BEGIN IMMEDIATE on SQLite, so writers serialize instead of failing on lock upgrades).
// Every database fault is thrown as recoup::storage_error (worth retrying); a stored value that
// cannot be read (unknown enum, corrupt JSON) is a plain std::runtime_error naming its row.
// A session that failed is checked, and reconnected, before it is used again, so the service
// recovers by itself after the database restarts.
#pragma once

#include "store/database_url.hpp"
#include "store/migrate.hpp"

#include <recoup/merchant_delivery.hpp>
#include <recoup/merchant_event.hpp>
#include <recoup/store.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace recoupd {

struct profile_record {
    std::string id;
    std::string retry_algorithm = "cascading"; // cascading | monitoring | smart
    std::optional<std::string> retry_schedule; // JSON, none: the reference's default
    std::int64_t created_at = 0;
    std::optional<std::string> network_rules{}; // JSON, none: the default rule table (docs/recovery.md)
};

// An MCA with its secrets in clear: only find_mca() returns one, for the webhook path.
struct mca_record {
    std::string id;
    std::string profile_id;
    std::string connector;            // plugin name: recoup_<connector>.so
    std::vector<std::string> secrets; // webhook secrets currently valid, newest first
    std::optional<std::string> api_key;
    std::optional<std::string> base_url;
    std::string settings = "{}"; // JSON object
    std::int64_t created_at = 0;
    // When the first of `secrets` stops being valid (a rotation's --keep-old window); none: never.
    std::optional<std::int64_t> secrets_expire_at{};
};

// What listing an MCA shows: never a secret.
struct mca_summary {
    std::string id;
    std::string profile_id;
    std::string connector;
    int secret_count = 0;
    bool has_api_key = false;
    std::optional<std::string> base_url;
    std::string settings = "{}";
    std::int64_t created_at = 0;
};

// A payment's rows as the admin route shows them (read_workflow).
struct workflow_rows {
    std::optional<recoup::intent_record> intent;
    std::vector<std::optional<recoup::task_record>> tasks; // one per id asked for, in that order
    std::vector<recoup::attempt_record> attempts;          // oldest first
};

// A merchant's endpoint for outgoing webhooks (docs/merchant-webhooks.md). Never its secret:
// only the delivery loop opens it (outgoing_delivery).
struct endpoint_record {
    std::string id;
    std::string profile_id;
    std::string url;
    std::string status = "enabled"; // enabled | disabled
    std::optional<std::string> disabled_reason;
    std::int32_t consecutive_failures = 0;
    std::int64_t created_at = 0;
};

// An outgoing webhook (the outbox row), as listed.
struct outgoing_record {
    std::string id; // the webhook-id
    std::string endpoint_id;
    std::string profile_id;
    std::optional<std::string> payment_id;
    std::string event_type;
    std::string body;
    std::string status; // pending | delivered | failed
    std::int32_t attempts = 0;
    std::int64_t next_attempt_at = 0;
    std::optional<int> last_status;
    std::optional<std::string> last_error;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> delivered_at;
};

// An outgoing webhook claimed for delivery, with its endpoint's URL and secret in clear.
struct outgoing_delivery {
    outgoing_record webhook;
    std::string url;
    std::string secret; // whsec_...
};

// What one delivery attempt came to.
struct delivery_result {
    recoup::delivery_decision decision;
    std::optional<int> status;        // the endpoint's HTTP status, when it answered
    std::optional<std::string> error; // why it failed
    std::int64_t at = 0;
};

// How long --keep-old keeps the previous secrets valid after a rotation.
inline constexpr std::int64_t default_rotation_window_seconds = 24 * 60 * 60;

class soci_store {
    struct impl;

public:
    // Opens `pool_size` sessions (at least 1). Throws recoup::storage_error with one line naming
    // the database when it cannot connect. A statement or lock timeout, or no free session within
    // options.pool_wait, is a recoup::storage_error too.
    soci_store(const database_url& url, std::size_t pool_size, store_options options = {});
    ~soci_store();
    soci_store(const soci_store&) = delete;
    soci_store& operator=(const soci_store&) = delete;

    class transaction {
    public:
        transaction(transaction&& other) noexcept;
        transaction& operator=(transaction&&) = delete;
        ~transaction(); // rolls back unless committed

        bool claim_delivery(const std::string& mca_id, const std::string& dedup_key);
        recoup::intent_record lock_or_create_intent(const recoup::intent_record& intent);
        void update_intent(const recoup::intent_record& intent);
        std::optional<recoup::intent_record> find_intent(const std::string& payment_id);
        std::optional<recoup::attempt_record> find_attempt(const std::string& payment_id,
                                                           const std::string& connector_payment_id);
        std::vector<recoup::attempt_record> attempts_of(const std::string& payment_id);
        std::vector<recoup::attempt_record> credential_history(const std::string& credential_id,
                                                               const std::string& network, std::int64_t since);
        void insert_attempt(const recoup::attempt_record& attempt);
        void update_attempt(const recoup::attempt_record& attempt);
        std::optional<recoup::task_record> find_task(const std::string& id);
        void upsert_task(const recoup::task_record& task);
        void finish_tasks(const std::string& payment_id, const std::string& business_status, std::int64_t now);
        // Open tasks due at `now`, oldest first, locked; on PostgreSQL, rows another instance
        // holds are skipped (FOR UPDATE SKIP LOCKED), so no task runs twice.
        std::vector<recoup::task_record> due_tasks(std::int64_t now, std::size_t limit);
        void append_event(const recoup::event_record& event);
        // One pending outgoing_webhook row per enabled endpoint of the event's profile: those given
        // to use_endpoints() for that profile, without a read (none: nothing), else read here.
        void emit(const recoup::merchant_event& event);
        // The enabled endpoints (ids) of `profile_id` as the caller knows them at the current
        // configuration version (the account cache's copy); both must outlive the transaction.
        void use_endpoints(const std::string& profile_id, const std::vector<std::string>& endpoint_ids);
        // Savepoints, for running several webhooks in one transaction (group commit).
        void savepoint(const std::string& name);
        void release_savepoint(const std::string& name);
        void rollback_to_savepoint(const std::string& name);
        void commit();

    private:
        friend class soci_store;
        transaction(impl* store, std::size_t slot);
        template <class F>
        decltype(auto) guarded(F&& body);
        impl* store_;
        std::size_t slot_;
        bool open_ = true;
        const std::string* endpoints_profile_ = nullptr; // use_endpoints()
        const std::vector<std::string>* endpoints_ = nullptr;
        // The intent the last lock_or_create_intent() inserted (empty: it found one). Until this
        // transaction adds an attempt or a task to it, it has none (payment_attempt references the
        // intent; task ids derive from it), so find_attempt() and find_task() need no read.
        std::string created_intent_;
        bool created_has_attempt_ = false;
        bool created_has_task_ = false;
    };

    transaction begin();

    recoupd::backend backend() const noexcept;
    const database_url& url() const noexcept;

    // SELECT 1 through the pool (reconnecting if needed); for /ready. Never throws.
    bool ping() noexcept;

    std::vector<migration_state> migration_status();
    std::vector<migration_state> migrate_up();
    std::vector<migration_state> migrate_down(int count);

    // Administration (CLI, HTTP host). MCA functions need the master key: RECOUP_MASTER_KEY or,
    // for SQLite, the key file beside the database (see secrets_crypto.hpp); require_master_key()
    // checks it up front.
    void require_master_key();
    void add_profile(const profile_record& profile);
    // Replaces the profile's retry algorithm, schedule and network rules; throws when it does not exist.
    void update_profile(const profile_record& profile);
    std::optional<profile_record> find_profile(const std::string& id);
    // The configuration's version: every add_profile, add_mca and rotate_mca_secret raises it in
    // its own transaction (migration 0007), so a copy of profiles and MCAs read at version v is
    // current while config_version() is still v. One prepared one-row read.
    std::int64_t config_version();
    void add_mca(const mca_record& mca);
    std::optional<mca_record> find_mca(const std::string& profile_id, const std::string& mca_id);
    std::optional<mca_record> find_mca(const std::string& profile_id, const std::string& mca_id,
                                       std::int64_t now);
    std::vector<mca_summary> list_mcas(const std::optional<std::string>& profile_id = std::nullopt);
    // The new secret becomes the first; with keep_old the previous ones stay valid until
    // now + window, else they are dropped. Throws when the MCA does not exist.
    void rotate_mca_secret(const std::string& profile_id, const std::string& mca_id, const std::string& secret,
                           bool keep_old, std::int64_t now,
                           std::int64_t window = default_rotation_window_seconds);
    // Newest first.
    std::vector<recoup::event_record> list_events(const std::optional<std::string>& mca_id, std::size_t limit);
    std::optional<recoup::event_record> find_event(const std::string& id);
    // The intent, the tasks `task_ids` and the attempts of a payment: plain reads, no row lock and
    // no write transaction, so looking never holds up a webhook or the scheduler.
    workflow_rows read_workflow(const std::string& payment_id, const std::vector<std::string>& task_ids);
    // The earliest schedule_time of a task not finished (a plain read), nullopt when there is
    // none: `recoupd simulate` jumps its virtual clock there.
    std::optional<std::int64_t> next_task_time();

    // ---- merchant endpoints and the outbox (soci_store_outbox.cpp) ----
    // Adds an enabled endpoint with its whsec_ secret sealed; std::invalid_argument for an unknown
    // profile, a taken id or a secret that is not whsec_ + base64.
    void add_endpoint(const endpoint_record& endpoint, const std::string& secret);
    std::vector<endpoint_record> list_endpoints(const std::optional<std::string>& profile_id = std::nullopt);
    std::optional<endpoint_record> find_endpoint(const std::string& id);
    // The ids of a profile's enabled endpoints, by id (the account cache keeps them).
    std::vector<std::string> enabled_endpoint_ids(const std::string& profile_id);
    // Enables (failure count reset) or disables (with the reason) an endpoint; false when unknown.
    // Adding, enabling and disabling one (here or by record_delivery) raises the config version.
    bool set_endpoint_status(const std::string& id, bool enabled, const std::optional<std::string>& reason,
                             std::int64_t now);
    // Outgoing webhooks of an endpoint (or all), oldest first.
    std::vector<outgoing_record> list_outgoing(const std::optional<std::string>& endpoint_id = std::nullopt);
    std::optional<outgoing_record> find_outgoing(const std::string& id);
    // Queues a webhook again, due at `now` with a fresh three-day window: one by its id (false when
    // unknown), or every failed one of an endpoint (how many).
    bool resend_outgoing(const std::string& id, std::int64_t now);
    std::size_t resend_failed(const std::string& endpoint_id, std::int64_t now);
    // Pending webhooks of enabled endpoints due at `now`, oldest first, leased until now + lease
    // (FOR UPDATE SKIP LOCKED on PostgreSQL, so no two instances send the same one at once).
    std::vector<outgoing_delivery> claim_outgoing(std::int64_t now, std::size_t limit, std::int64_t lease_seconds);
    // Records an attempt on the webhook and its endpoint's failure count; disables the endpoint
    // when recoup::should_disable_endpoint() says so. True when it did.
    bool record_delivery(const outgoing_record& webhook, const delivery_result& result);

private:
    friend struct recovery_reader; // store/recovery_queries.cpp: the read-only recovery queries
    std::unique_ptr<impl> impl_;
};

static_assert(recoup::recovery_transaction<soci_store::transaction>);
static_assert(recoup::workflow_transaction<soci_store::transaction>);
static_assert(recoup::recovery_store<soci_store>);
static_assert(recoup::merchant_event_sink<soci_store::transaction>);

} // namespace recoupd
