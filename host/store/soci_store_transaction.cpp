// soci_store::transaction: what one webhook, or one scheduler pass, reads and writes.
#include "store/detail/identifier.hpp"
#include "store/detail/outbox_rows.hpp"
#include "store/detail/pool.hpp"
#include "store/detail/rows.hpp"
#include "store/detail/select.hpp"
#include "store/detail/statement_cache.hpp"

#include <recoup/flow.hpp>
#include <recoup/task.hpp>

#include <stdexcept>
#include <type_traits>

namespace recoupd {

using store_detail::nullable_number;
using store_detail::row_lock;
using store_detail::statement_cache;

soci_store::transaction::transaction(impl* store, std::size_t slot) : store_(store), slot_(slot) {}

soci_store::transaction::transaction(transaction&& other) noexcept
    : store_(other.store_), slot_(other.slot_), open_(other.open_), endpoints_profile_(other.endpoints_profile_),
      endpoints_(other.endpoints_), created_intent_(std::move(other.created_intent_)),
      created_has_attempt_(other.created_has_attempt_), created_has_task_(other.created_has_task_)
{
    other.store_ = nullptr;
    other.open_ = false;
}

soci_store::transaction::~transaction()
{
    if (store_ == nullptr) return;
    if (open_) store_->rollback_on(slot_);
    store_->give_back(slot_);
}

// body(session) or body(session, statement cache): the cache prepares each statement once per
// pooled session (statement_cache.hpp).
template <class F>
decltype(auto) soci_store::transaction::guarded(F&& body)
{
    if (store_ == nullptr || !open_) throw std::logic_error("the transaction has already ended");
    try {
        if constexpr (std::is_invocable_v<F&, soci::session&, statement_cache&>)
            return body(store_->session(slot_), store_->statements_of(slot_));
        else
            return body(store_->session(slot_));
    } catch (const soci::soci_error&) {
        store_->fail_on(slot_);
    }
}

bool soci_store::transaction::claim_delivery(const std::string& mca_id, const std::string& dedup_key)
{
    return guarded([&](soci::session& sql, statement_cache& cache) {
        return cache.execute(sql,
                             "INSERT INTO webhook_delivery (merchant_connector_id, dedup_key) "
                             "VALUES (:m, :k) ON CONFLICT DO NOTHING",
                             mca_id, dedup_key) == 1;
    });
}

recoup::intent_record soci_store::transaction::lock_or_create_intent(const recoup::intent_record& intent)
{
    return guarded([&](soci::session& sql, statement_cache& cache) {
        store_detail::intent_binds b(intent);
        // No conflict target: a racing insert of the same invoice may collide on the primary key (the
        // id is derived from profile and reference) before the (profile, reference) index. A new
        // intent comes back from the INSERT itself (one round trip, the row ours until COMMIT);
        // only an existing one is read, and locked, by a second statement.
        static const std::string insert =
            "INSERT INTO payment_intent (id, profile_id, merchant_reference_id, billing_mca_id, amount, currency, "
            "status, billing_address, total_retry_count, feature_metadata, created_at, modified_at, last_event_at) "
            "VALUES (:id, :p, :r, :m, :a, :c, :s, :b, :t, :f, :ca, :ma, :le) "
            "ON CONFLICT DO NOTHING RETURNING " +
            store_detail::intent_row::columns();
        auto row = cache.query_one<store_detail::intent_row>(
            sql, insert, intent.id, intent.profile_id, intent.merchant_reference_id, b.mca, b.amount, b.currency,
            b.status, b.address, intent.total_retry_count, b.metadata, b.created, b.modified,
            nullable_number{b.last_event, b.last_event_ind});
        created_intent_.clear();
        created_has_attempt_ = created_has_task_ = false;
        if (row) created_intent_ = intent.id;
        else
            row = store_detail::select_one<store_detail::intent_row>(
                cache, sql, store_->url.backend, "profile_id = :p AND merchant_reference_id = :r",
                row_lock::for_update, intent.profile_id, intent.merchant_reference_id);
        // Only a row deleted under us gets here, and running the transaction again recreates it.
        if (!row) throw recoup::storage_error("database error: the intent vanished after its insert");
        return row->record();
    });
}

std::optional<recoup::intent_record> soci_store::transaction::find_intent(const std::string& payment_id)
{
    return guarded([&](soci::session& sql, statement_cache& cache) -> std::optional<recoup::intent_record> {
        const auto row = store_detail::select_one<store_detail::intent_row>(cache, sql, store_->url.backend,
                                                                            "id = :id", row_lock::for_update,
                                                                            payment_id);
        if (!row) return std::nullopt;
        return row->record();
    });
}

void soci_store::transaction::update_intent(const recoup::intent_record& intent)
{
    guarded([&](soci::session& sql, statement_cache& cache) {
        store_detail::intent_binds b(intent);
        const auto updated = cache.execute(
            sql,
            "UPDATE payment_intent SET billing_mca_id = :m, amount = :a, currency = :c, status = :s, "
            "billing_address = :b, total_retry_count = :t, feature_metadata = :f, modified_at = :ma, "
            "last_event_at = :le WHERE id = :id",
            b.mca, b.amount, b.currency, b.status, b.address, intent.total_retry_count, b.metadata, b.modified,
            nullable_number{b.last_event, b.last_event_ind}, intent.id);
        // The caller's fault (it updates what it never locked): retrying would not mend it.
        if (updated != 1)
            throw std::runtime_error("database error: no payment_intent \"" + intent.id + "\" to update");
    });
}

std::optional<recoup::attempt_record> soci_store::transaction::find_attempt(const std::string& payment_id,
                                                                           const std::string& connector_payment_id)
{
    if (payment_id == created_intent_ && !created_has_attempt_ && open_) return std::nullopt; // created_intent_
    return guarded([&](soci::session& sql, statement_cache& cache) -> std::optional<recoup::attempt_record> {
        const auto row = store_detail::select_one<store_detail::attempt_row>(
            cache, sql, store_->url.backend, "payment_id = :p AND connector_payment_id = :c", row_lock::none, payment_id,
            connector_payment_id);
        if (!row) return std::nullopt;
        return row->record();
    });
}

std::vector<recoup::attempt_record> soci_store::transaction::attempts_of(const std::string& payment_id)
{
    return guarded([&](soci::session& sql, statement_cache& cache) {
        return store_detail::select_all<store_detail::attempt_row>(
            cache, sql, store_->url.backend, "payment_id = :p ORDER BY created_at, id", row_lock::none, payment_id);
    });
}

std::vector<recoup::attempt_record> soci_store::transaction::credential_history(const std::string& credential_id,
                                                                              const std::string& network,
                                                                              std::int64_t since)
{
    return guarded([&](soci::session& sql) {
        const long long from = since;
        return store_detail::select_all<store_detail::attempt_row>(
            sql, store_->url.backend, "credential_id = :c AND network = :n AND created_at >= :s ORDER BY created_at, id",
            row_lock::none, credential_id, network, from);
    });
}

void soci_store::transaction::insert_attempt(const recoup::attempt_record& attempt)
{
    if (attempt.payment_id == created_intent_) created_has_attempt_ = true;
    guarded([&](soci::session& sql, statement_cache& cache) {
        store_detail::attempt_binds b(attempt);
        cache.execute(sql,
                      "INSERT INTO payment_attempt (id, payment_id, status, amount, currency, connector_payment_id, "
                      "charge_id, error_code, error_message, triggered_by, feature_metadata, details, created_at, "
                      "modified_at, decline_class, network, network_decline_code, network_advice_code, "
                      "payment_method_id, credential_id) VALUES (:id, :p, :s, :a, :c, :cp, :ch, :ec, :em, :t, :f, "
                      ":d, :ca, :ma, :dc, :nw, :nc, :na, :pm, :cr)",
                      attempt.id, attempt.payment_id, b.status, b.amount, b.currency, attempt.connector_payment_id,
                      b.charge, b.code, b.message, b.triggered, b.metadata, b.details, b.created, b.modified,
                      b.decline_class, b.network, b.network_code, b.advice_code, b.method, b.credential);
    });
}

void soci_store::transaction::update_attempt(const recoup::attempt_record& attempt)
{
    guarded([&](soci::session& sql, statement_cache& cache) {
        store_detail::attempt_binds b(attempt);
        const auto updated = cache.execute(
            sql,
            "UPDATE payment_attempt SET status = :s, amount = :a, currency = :c, "
            "connector_payment_id = :cp, charge_id = :ch, error_code = :ec, error_message = :em, "
            "triggered_by = :t, feature_metadata = :f, details = :d, modified_at = :ma, "
            "decline_class = :dc, network = :nw, network_decline_code = :nc, network_advice_code = :na, "
            "payment_method_id = :pm, credential_id = :cr WHERE id = :id",
            b.status, b.amount, b.currency, attempt.connector_payment_id, b.charge, b.code, b.message, b.triggered,
            b.metadata, b.details, b.modified, b.decline_class, b.network, b.network_code, b.advice_code, b.method,
            b.credential, attempt.id);
        // The caller's fault, as in update_intent.
        if (updated != 1)
            throw std::runtime_error("database error: no payment_attempt \"" + attempt.id + "\" to update");
    });
}

std::optional<recoup::task_record> soci_store::transaction::find_task(const std::string& id)
{
    if (!created_intent_.empty() && !created_has_task_ && open_ &&
        id == recoup::task_id(recoup::task_kind::execute, created_intent_))
        return std::nullopt; // created_intent_
    return guarded([&](soci::session& sql, statement_cache& cache) -> std::optional<recoup::task_record> {
        const auto row = store_detail::select_one<store_detail::task_row>(cache, sql, store_->url.backend,
                                                                          "id = :id", row_lock::for_update, id);
        if (!row) return std::nullopt;
        return row->record();
    });
}

void soci_store::transaction::upsert_task(const recoup::task_record& task)
{
    if (!created_intent_.empty() && task.payment_id == created_intent_) created_has_task_ = true;
    guarded([&](soci::session& sql, statement_cache& cache) {
        const auto tracking = store_detail::from_non_empty(task.tracking_data);
        const auto payment = store_detail::from_non_empty(task.payment_id);
        const long long schedule = task.schedule_time, created = task.created_at, updated = task.updated_at;
        cache.execute(sql, "INSERT INTO process_tracker (id, name, runner, status, business_status, retry_count, schedule_time, "
               "tracking_data, payment_id, created_at, updated_at) "
               "VALUES (:id, :n, :r, :s, :b, :rc, :st, :td, :p, :ca, :ua) "
               "ON CONFLICT (id) DO UPDATE SET name = excluded.name, runner = excluded.runner, "
               "status = excluded.status, business_status = excluded.business_status, "
               "retry_count = excluded.retry_count, schedule_time = excluded.schedule_time, "
               "tracking_data = excluded.tracking_data, payment_id = excluded.payment_id, "
               "updated_at = excluded.updated_at",
            task.id, task.name, task.runner, task.status, task.business_status, task.retry_count, schedule, tracking,
            payment, created, updated);
    });
}

void soci_store::transaction::finish_tasks(const std::string& payment_id, const std::string& business_status,
                                           std::int64_t now)
{
    if (payment_id == created_intent_ && !created_has_task_ && open_) return; // created_intent_: no task to finish
    guarded([&](soci::session& sql, statement_cache& cache) {
        const std::string finish(recoup::task_status_finish);
        const long long at = now;
        cache.execute(sql,
                      "UPDATE process_tracker SET status = :f, business_status = :b, updated_at = :u "
                      "WHERE payment_id = :p AND status <> :f2",
                      finish, business_status, at, payment_id, finish);
    });
}

std::vector<recoup::task_record> soci_store::transaction::due_tasks(std::int64_t now, std::size_t limit)
{
    return guarded([&](soci::session& sql, statement_cache& cache) {
        const std::string finish(recoup::task_status_finish);
        const long long at = now, max = static_cast<long long>(limit);
        return store_detail::select_all<store_detail::task_row>(
            cache, sql, store_->url.backend, "status <> :f AND schedule_time <= :t ORDER BY schedule_time, id LIMIT :n",
            row_lock::skip_locked, finish, at, max);
    });
}

void soci_store::transaction::append_event(const recoup::event_record& event)
{
    guarded([&](soci::session& sql, statement_cache& cache) {
        const auto event_id = store_detail::from_optional(event.connector_event_id);
        const auto payment = store_detail::from_optional(event.payment_id);
        const auto body = store_detail::from_optional(event.body);
        const long long received = event.received_at;
        cache.execute(sql, "INSERT INTO webhook_event (id, profile_id, merchant_connector_id, connector_event_id, dedup_key, "
               "event_type, action, outcome, http_status, payment_id, body_digest, body, received_at) "
               "VALUES (:id, :p, :m, :e, :k, :t, :a, :o, :h, :pay, :d, :b, :r)",
            event.id, event.profile_id, event.merchant_connector_id, event_id, event.dedup_key, event.event_type,
            event.action, event.outcome, event.http_status, payment, event.body_digest, body, received);
    });
}

// ---- the merchant's events: the outbox ---------------------------------------------------------

void soci_store::transaction::use_endpoints(const std::string& profile_id, const std::vector<std::string>& endpoint_ids)
{
    endpoints_profile_ = &profile_id;
    endpoints_ = &endpoint_ids;
}

void soci_store::transaction::emit(const recoup::merchant_event& event)
{
    // The caller's copy when it has the event's profile (most profiles have no endpoint: no
    // statement at all), else one indexed read.
    const bool known = endpoints_ != nullptr && *endpoints_profile_ == event.profile_id;
    if (known && endpoints_->empty()) return;
    guarded([&](soci::session& sql, statement_cache& cache) {
        std::vector<std::string> read;
        if (!known) read = store_detail::enabled_endpoint_ids(sql, event.profile_id);
        const auto& ids = known ? *endpoints_ : read;
        if (ids.empty()) return;
        const auto body = recoup::merchant_event_body(event);
        const std::string type(recoup::to_string(event.type));
        const auto payment = store_detail::from_non_empty(event.payment_id);
        const long long at = event.occurred_at;
        for (const auto& endpoint : ids) {
            const auto id = recoup::detail::random_id("msg_");
            cache.execute(sql,
                          "INSERT INTO outgoing_webhook (id, endpoint_id, profile_id, payment_id, event_type, body, status, "
                          "attempts, next_attempt_at, created_at) VALUES (:id, :e, :p, :pay, :t, :b, 'pending', 0, :n, :c)",
                          id, endpoint, event.profile_id, payment, type, body, at, at);
        }
    });
}

// ---- savepoints, for group commit ---------------------------------------------------------------

namespace {

void check_savepoint_name(const std::string& name)
{
    if (!store_detail::valid_id(name)) throw std::invalid_argument("invalid savepoint name \"" + name + "\"");
}

} // namespace

void soci_store::transaction::savepoint(const std::string& name)
{
    check_savepoint_name(name);
    guarded([&](soci::session& sql) { sql << "SAVEPOINT " + name; });
}

void soci_store::transaction::release_savepoint(const std::string& name)
{
    check_savepoint_name(name);
    guarded([&](soci::session& sql) { sql << "RELEASE SAVEPOINT " + name; });
}

void soci_store::transaction::rollback_to_savepoint(const std::string& name)
{
    check_savepoint_name(name);
    guarded([&](soci::session& sql) { sql << "ROLLBACK TO SAVEPOINT " + name; });
}

void soci_store::transaction::commit()
{
    guarded([&](soci::session& sql) { sql << "COMMIT"; });
    open_ = false;
}

} // namespace recoupd
