#include "store/soci_store.hpp"

#include "store/secrets_crypto.hpp"

#include <recoup/json.hpp>

#include <boost/json.hpp>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <stdexcept>

namespace recoupd {

namespace {

constexpr int lease_timeout_ms = 30'000;

std::string one_line(const std::string& text) { return database_error_line(text); }

[[noreturn]] void rethrow_as_storage_error()
{
    try {
        throw;
    } catch (const soci::soci_error& e) {
        throw recoup::storage_error("database error: " + one_line(e.get_error_message()));
    }
}

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

// A nullable bound value: SOCI wants lvalues for both.
struct nullable {
    std::string value;
    soci::indicator ind = soci::i_null;
};

nullable from_optional(const std::optional<std::string>& v) { return v ? nullable{*v, soci::i_ok} : nullable{}; }
nullable from_non_empty(const std::string& v) { return v.empty() ? nullable{} : nullable{v, soci::i_ok}; }
std::optional<std::string> to_optional(const std::string& v, soci::indicator ind)
{
    return ind == soci::i_ok ? std::optional<std::string>(v) : std::nullopt;
}
std::string or_empty(const std::string& v, soci::indicator ind) { return ind == soci::i_ok ? v : std::string(); }

recoup::currency currency_of(const std::string& code)
{
    const auto c = recoup::find_currency(code);
    if (!c) throw std::runtime_error("database holds an unknown currency \"" + code + "\"");
    return *c;
}

template <class E>
E enum_of(const std::string& text, std::string_view column)
{
    const auto e = recoup::enum_from_string<E>(text);
    if (!e) throw std::runtime_error("database holds an unknown " + std::string(column) + " \"" + text + "\"");
    return *e;
}

std::string address_json(const std::optional<recoup::address>& a)
{
    return a ? boost::json::serialize(boost::json::value_from(*a)) : std::string();
}

bool valid_id(std::string_view id)
{
    if (id.empty() || id.size() > 64) return false;
    for (const char c : id)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
    return true;
}

void check_id(std::string_view what, const std::string& id)
{
    if (!valid_id(id))
        throw std::invalid_argument(std::string(what) + " id \"" + id +
                                    "\" is invalid: use 1-64 characters of A-Z a-z 0-9 _ -");
}

std::string json_object_text(const std::string& text, std::string_view what)
{
    boost::system::error_code ec;
    const auto v = boost::json::parse(text.empty() ? std::string("{}") : text, ec);
    if (ec || !v.is_object()) throw std::invalid_argument(std::string(what) + " must be a JSON object");
    return boost::json::serialize(v);
}

// ---- row mapping -------------------------------------------------------------------------------

constexpr std::string_view intent_columns =
    "id, profile_id, merchant_reference_id, billing_mca_id, amount, currency, status, billing_address, "
    "total_retry_count, feature_metadata, created_at, modified_at";

struct intent_row {
    std::string id, profile_id, reference, mca, currency, status, address, metadata;
    soci::indicator mca_ind = soci::i_ok, address_ind = soci::i_ok, metadata_ind = soci::i_ok;
    long long amount = 0, created = 0, modified = 0;
    int retries = 0;

    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(id), soci::into(profile_id), soci::into(reference), soci::into(mca, mca_ind),
                soci::into(amount), soci::into(currency), soci::into(status), soci::into(address, address_ind),
                soci::into(retries), soci::into(metadata, metadata_ind), soci::into(created), soci::into(modified));
    }

    recoup::intent_record record() const
    {
        recoup::intent_record r;
        r.id = id;
        r.profile_id = profile_id;
        r.merchant_reference_id = reference;
        r.billing_mca_id = or_empty(mca, mca_ind);
        r.amount = amount;
        r.currency = currency_of(currency);
        r.status = enum_of<recoup::intent_status>(status, "intent status");
        if (address_ind == soci::i_ok && !address.empty())
            r.billing_address = boost::json::value_to<recoup::address>(boost::json::parse(address));
        r.total_retry_count = retries;
        r.feature_metadata = metadata_ind == soci::i_ok ? metadata : "{}";
        r.created_at = created;
        r.modified_at = modified;
        return r;
    }
};

constexpr std::string_view attempt_columns =
    "id, payment_id, status, amount, currency, connector_payment_id, charge_id, error_code, error_message, "
    "triggered_by, feature_metadata, details, created_at, modified_at";

struct attempt_row {
    std::string id, payment_id, status, currency, connector_payment_id, charge_id, error_code, error_message,
        triggered, metadata, details;
    soci::indicator charge_ind = soci::i_ok, code_ind = soci::i_ok, message_ind = soci::i_ok,
                    metadata_ind = soci::i_ok, details_ind = soci::i_ok;
    long long amount = 0, created = 0, modified = 0;

    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(id), soci::into(payment_id), soci::into(status), soci::into(amount),
                soci::into(currency), soci::into(connector_payment_id), soci::into(charge_id, charge_ind),
                soci::into(error_code, code_ind), soci::into(error_message, message_ind), soci::into(triggered),
                soci::into(metadata, metadata_ind), soci::into(details, details_ind), soci::into(created),
                soci::into(modified));
    }

    recoup::attempt_record record() const
    {
        recoup::attempt_record r;
        r.id = id;
        r.payment_id = payment_id;
        r.status = enum_of<recoup::attempt_status>(status, "attempt status");
        r.amount = amount;
        r.currency = currency_of(currency);
        r.connector_payment_id = connector_payment_id;
        r.charge_id = to_optional(charge_id, charge_ind);
        r.error_code = to_optional(error_code, code_ind);
        r.error_message = to_optional(error_message, message_ind);
        r.triggered_by = enum_of<recoup::triggered_by>(triggered, "triggered_by");
        r.feature_metadata = or_empty(metadata, metadata_ind);
        r.details = or_empty(details, details_ind);
        r.created_at = created;
        r.modified_at = modified;
        return r;
    }
};

constexpr std::string_view task_columns = "id, name, runner, status, business_status, retry_count, schedule_time, "
                                          "tracking_data, payment_id, created_at, updated_at";

struct task_row {
    std::string id, name, runner, status, business_status, tracking_data, payment_id;
    soci::indicator tracking_ind = soci::i_ok, payment_ind = soci::i_ok;
    int retries = 0;
    long long schedule = 0, created = 0, updated = 0;

    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(id), soci::into(name), soci::into(runner), soci::into(status),
                soci::into(business_status), soci::into(retries), soci::into(schedule),
                soci::into(tracking_data, tracking_ind), soci::into(payment_id, payment_ind), soci::into(created),
                soci::into(updated));
    }

    recoup::task_record record() const
    {
        recoup::task_record r;
        r.id = id;
        r.name = name;
        r.runner = runner;
        r.status = status;
        r.business_status = business_status;
        r.retry_count = retries;
        r.schedule_time = schedule;
        r.tracking_data = or_empty(tracking_data, tracking_ind);
        r.payment_id = or_empty(payment_id, payment_ind);
        r.created_at = created;
        r.updated_at = updated;
        return r;
    }
};

constexpr std::string_view event_columns =
    "id, profile_id, merchant_connector_id, connector_event_id, dedup_key, event_type, action, outcome, "
    "http_status, payment_id, body_digest, received_at";

struct event_row {
    std::string id, profile_id, mca, event_id, dedup_key, event_type, action, outcome, payment_id, digest, body;
    soci::indicator event_id_ind = soci::i_ok, payment_ind = soci::i_ok, body_ind = soci::i_null;
    int http_status = 0;
    long long received = 0;

    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(id), soci::into(profile_id), soci::into(mca), soci::into(event_id, event_id_ind),
                soci::into(dedup_key), soci::into(event_type), soci::into(action), soci::into(outcome),
                soci::into(http_status), soci::into(payment_id, payment_ind), soci::into(digest),
                soci::into(received));
    }

    recoup::event_record record() const
    {
        recoup::event_record r;
        r.id = id;
        r.profile_id = profile_id;
        r.merchant_connector_id = mca;
        r.connector_event_id = to_optional(event_id, event_id_ind);
        r.dedup_key = dedup_key;
        r.event_type = event_type;
        r.action = action;
        r.outcome = outcome;
        r.http_status = http_status;
        r.payment_id = to_optional(payment_id, payment_ind);
        r.body_digest = digest;
        r.body = to_optional(body, body_ind);
        r.received_at = received;
        return r;
    }
};

// Secrets are stored as one sealed JSON list: [{"value": "...", "expires_at": N|null}, ...].
struct stored_secret {
    std::string value;
    std::optional<std::int64_t> expires_at;
};

std::string secrets_json(const std::vector<stored_secret>& secrets)
{
    boost::json::array a;
    for (const auto& s : secrets) {
        boost::json::object o;
        o["value"] = s.value;
        if (s.expires_at)
            o["expires_at"] = *s.expires_at;
        else
            o["expires_at"] = nullptr;
        a.push_back(std::move(o));
    }
    return boost::json::serialize(a);
}

std::vector<stored_secret> secrets_from_json(const std::string& text)
{
    std::vector<stored_secret> out;
    const auto parsed = boost::json::parse(text);
    for (const auto& v : parsed.as_array()) {
        const auto& o = v.as_object();
        stored_secret s{std::string(o.at("value").as_string()), std::nullopt};
        if (const auto* e = o.if_contains("expires_at"); e && e->is_int64()) s.expires_at = e->as_int64();
        out.push_back(std::move(s));
    }
    return out;
}

std::string secrets_aad(const std::string& mca_id) { return "merchant_connector_account:" + mca_id + ":secrets"; }
std::string api_key_aad(const std::string& mca_id) { return "merchant_connector_account:" + mca_id + ":api_key"; }

} // namespace

// ---- pool ---------------------------------------------------------------------------------------

struct soci_store::impl {
    database_url url;
    std::size_t size;
    soci::connection_pool pool;
    std::vector<unsigned char> suspect; // per slot; only its leaseholder touches it
    std::mutex key_mutex;
    std::optional<secret_box> box;

    impl(const database_url& u, std::size_t n) : url(u), size(n == 0 ? 1 : n), pool(size), suspect(size, 0)
    {
        if (url.backend == backend::sqlite) {
            if (const auto parent = std::filesystem::path(url.path).parent_path(); !parent.empty())
                std::filesystem::create_directories(parent);
        }
        for (std::size_t i = 0; i < size; ++i) {
            try {
                open(pool.at(i));
            } catch (const std::exception& e) {
                throw std::runtime_error("cannot connect to the database \"" + url.redacted() +
                                         "\": " + one_line(e.what()));
            }
        }
    }

    void open(soci::session& sql)
    {
        if (url.backend == backend::sqlite)
            sql.open(soci::sqlite3, sqlite_connect_string(url));
        else
            sql.open(soci::postgresql, libpq_connect_string(url));
        configure(sql);
    }

    // Per-connection settings, again after every reconnect.
    void configure(soci::session& sql)
    {
        if (url.backend != backend::sqlite) {
            sql << "SET client_min_messages TO WARNING"; // no NOTICE lines on stderr
            return;
        }
        std::string mode;
        sql << "PRAGMA busy_timeout = 30000";
        sql << "PRAGMA foreign_keys = ON";
        sql << "PRAGMA journal_mode = WAL", soci::into(mode);
        sql << "PRAGMA synchronous = FULL"; // a 2xx only after the outcome is durable
    }

    void reconnect(soci::session& sql)
    {
        sql.reconnect();
        configure(sql);
    }

    std::size_t lease()
    {
        std::size_t slot = 0;
        if (!pool.try_lease(slot, lease_timeout_ms))
            throw recoup::storage_error("database busy: no free connection after 30 s");
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
                throw recoup::storage_error("cannot reach the database \"" + url.redacted() + "\": " + one_line(e.what()));
            }
        }
        return slot;
    }

    void give_back(std::size_t slot) { pool.give_back(slot); }

    void begin_on(std::size_t slot)
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
                                         "\": " + one_line(e.what()));
            }
        }
    }

    // Runs body(session) on a leased session, outside any explicit transaction.
    template <class F>
    decltype(auto) with_session(F&& body)
    {
        const auto slot = lease();
        struct returner {
            impl* self;
            std::size_t slot;
            ~returner() { self->give_back(slot); }
        } guard{this, slot};
        try {
            return body(pool.at(slot));
        } catch (const soci::soci_error&) {
            if (!reconnected_after_loss(slot)) {
                suspect[slot] = 1;
                rethrow_as_storage_error();
            }
        }
        // The connection was lost (the server restarted) and is back: these bodies only read or
        // run their own transactions, so running them again is safe.
        try {
            return body(pool.at(slot));
        } catch (const soci::soci_error&) {
            suspect[slot] = 1;
            rethrow_as_storage_error();
        }
    }

    // After a failure: true when the connection itself had died and a reconnect revived it;
    // false when the connection is fine (the error was the statement's) or still down.
    bool reconnected_after_loss(std::size_t slot)
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

    // Runs body(session) inside its own transaction.
    template <class F>
    void with_transaction(F&& body)
    {
        const auto slot = lease();
        struct returner {
            impl* self;
            std::size_t slot;
            ~returner() { self->give_back(slot); }
        } guard{this, slot};
        begin_on(slot);
        auto& sql = pool.at(slot);
        try {
            body(sql);
            sql << "COMMIT";
        } catch (...) {
            try {
                sql << "ROLLBACK";
            } catch (...) {
                suspect[slot] = 1;
            }
            try {
                throw;
            } catch (const soci::soci_error&) {
                suspect[slot] = 1;
                rethrow_as_storage_error();
            }
        }
    }

    const secret_box& secrets()
    {
        std::lock_guard lock(key_mutex);
        if (!box) box = load_secret_box(url);
        return *box;
    }

    std::string lock_suffix() const { return url.backend == backend::postgresql ? " FOR UPDATE" : ""; }
};

soci_store::soci_store(const database_url& url, std::size_t pool_size) : impl_(std::make_unique<impl>(url, pool_size))
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

// ---- transaction --------------------------------------------------------------------------------

soci_store::transaction soci_store::begin()
{
    const auto slot = impl_->lease();
    try {
        impl_->begin_on(slot);
    } catch (...) {
        impl_->give_back(slot);
        throw;
    }
    return transaction(impl_.get(), slot);
}

soci_store::transaction::transaction(impl* store, std::size_t slot) : store_(store), slot_(slot) {}

soci_store::transaction::transaction(transaction&& other) noexcept
    : store_(other.store_), slot_(other.slot_), open_(other.open_)
{
    other.store_ = nullptr;
    other.open_ = false;
}

soci_store::transaction::~transaction()
{
    if (store_ == nullptr) return;
    if (open_) {
        try {
            store_->pool.at(slot_) << "ROLLBACK";
        } catch (...) {
            store_->suspect[slot_] = 1;
        }
    }
    store_->give_back(slot_);
}

template <class F>
decltype(auto) soci_store::transaction::guarded(F&& body)
{
    if (store_ == nullptr || !open_) throw std::logic_error("the transaction has already ended");
    try {
        return body(store_->pool.at(slot_));
    } catch (const soci::soci_error&) {
        store_->suspect[slot_] = 1;
        rethrow_as_storage_error();
    }
}

bool soci_store::transaction::claim_delivery(const std::string& mca_id, const std::string& dedup_key)
{
    return guarded([&](soci::session& sql) {
        soci::statement st = (sql.prepare << "INSERT INTO webhook_delivery (merchant_connector_id, dedup_key) "
                                             "VALUES (:m, :k) ON CONFLICT DO NOTHING",
                              soci::use(mca_id), soci::use(dedup_key));
        st.execute(true);
        return st.get_affected_rows() == 1;
    });
}

recoup::intent_record soci_store::transaction::lock_or_create_intent(const recoup::intent_record& intent)
{
    return guarded([&](soci::session& sql) {
        const std::string currency(intent.currency.str());
        const std::string status(recoup::to_string(intent.status));
        auto mca = from_non_empty(intent.billing_mca_id);
        auto address = from_non_empty(address_json(intent.billing_address));
        auto metadata = from_non_empty(intent.feature_metadata);
        const long long amount = intent.amount, created = intent.created_at, modified = intent.modified_at;
        sql << "INSERT INTO payment_intent (id, profile_id, merchant_reference_id, billing_mca_id, amount, currency, "
               "status, billing_address, total_retry_count, feature_metadata, created_at, modified_at) "
               "VALUES (:id, :p, :r, :m, :a, :c, :s, :b, :t, :f, :ca, :ma) "
               "ON CONFLICT (profile_id, merchant_reference_id) DO NOTHING",
            soci::use(intent.id), soci::use(intent.profile_id), soci::use(intent.merchant_reference_id),
            soci::use(mca.value, mca.ind), soci::use(amount), soci::use(currency), soci::use(status),
            soci::use(address.value, address.ind), soci::use(intent.total_retry_count),
            soci::use(metadata.value, metadata.ind), soci::use(created), soci::use(modified);

        intent_row row;
        const std::string query = "SELECT " + std::string(intent_columns) +
                                  " FROM payment_intent WHERE profile_id = :p AND merchant_reference_id = :r" +
                                  store_->lock_suffix();
        {
            auto once = (sql << query);
            row.into(once), soci::use(intent.profile_id), soci::use(intent.merchant_reference_id);
        }
        if (!sql.got_data()) throw std::runtime_error("database error: the intent vanished after its insert");
        return row.record();
    });
}

std::optional<recoup::intent_record> soci_store::transaction::find_intent(const std::string& payment_id)
{
    return guarded([&](soci::session& sql) -> std::optional<recoup::intent_record> {
        intent_row row;
        const std::string query = "SELECT " + std::string(intent_columns) + " FROM payment_intent WHERE id = :id" +
                                  store_->lock_suffix();
        {
            auto once = (sql << query);
            row.into(once), soci::use(payment_id);
        }
        if (!sql.got_data()) return std::nullopt;
        return row.record();
    });
}

void soci_store::transaction::update_intent(const recoup::intent_record& intent)
{
    guarded([&](soci::session& sql) {
        const std::string currency(intent.currency.str());
        const std::string status(recoup::to_string(intent.status));
        auto mca = from_non_empty(intent.billing_mca_id);
        auto address = from_non_empty(address_json(intent.billing_address));
        auto metadata = from_non_empty(intent.feature_metadata);
        const long long amount = intent.amount, modified = intent.modified_at;
        soci::statement st =
            (sql.prepare << "UPDATE payment_intent SET billing_mca_id = :m, amount = :a, currency = :c, status = :s, "
                            "billing_address = :b, total_retry_count = :t, feature_metadata = :f, modified_at = :ma "
                            "WHERE id = :id",
             soci::use(mca.value, mca.ind), soci::use(amount), soci::use(currency), soci::use(status),
             soci::use(address.value, address.ind), soci::use(intent.total_retry_count),
             soci::use(metadata.value, metadata.ind), soci::use(modified), soci::use(intent.id));
        st.execute(true);
        if (st.get_affected_rows() != 1)
            throw std::runtime_error("database error: no payment_intent \"" + intent.id + "\" to update");
    });
}

std::optional<recoup::attempt_record> soci_store::transaction::find_attempt(const std::string& payment_id,
                                                                           const std::string& connector_payment_id)
{
    return guarded([&](soci::session& sql) -> std::optional<recoup::attempt_record> {
        attempt_row row;
        const std::string query = "SELECT " + std::string(attempt_columns) +
                                  " FROM payment_attempt WHERE payment_id = :p AND connector_payment_id = :c";
        {
            auto once = (sql << query);
            row.into(once), soci::use(payment_id), soci::use(connector_payment_id);
        }
        if (!sql.got_data()) return std::nullopt;
        return row.record();
    });
}

std::vector<recoup::attempt_record> soci_store::transaction::attempts_of(const std::string& payment_id)
{
    return guarded([&](soci::session& sql) {
        attempt_row row;
        const std::string query = "SELECT " + std::string(attempt_columns) +
                                  " FROM payment_attempt WHERE payment_id = :p ORDER BY created_at, id";
        auto prepared = (sql.prepare << query);
        row.into(prepared), soci::use(payment_id);
        soci::statement st(prepared);
        st.execute();
        std::vector<recoup::attempt_record> out;
        while (st.fetch()) out.push_back(row.record());
        return out;
    });
}

namespace {

struct attempt_binds {
    std::string status, currency, triggered;
    nullable charge, code, message, metadata, details;
    long long amount, created, modified;

    explicit attempt_binds(const recoup::attempt_record& a)
        : status(recoup::to_string(a.status)), currency(a.currency.str()), triggered(recoup::to_string(a.triggered_by)),
          charge(from_optional(a.charge_id)), code(from_optional(a.error_code)),
          message(from_optional(a.error_message)), metadata(from_non_empty(a.feature_metadata)),
          details(from_non_empty(a.details)), amount(a.amount), created(a.created_at), modified(a.modified_at)
    {
    }
};

} // namespace

void soci_store::transaction::insert_attempt(const recoup::attempt_record& attempt)
{
    guarded([&](soci::session& sql) {
        attempt_binds b(attempt);
        sql << "INSERT INTO payment_attempt (id, payment_id, status, amount, currency, connector_payment_id, "
               "charge_id, error_code, error_message, triggered_by, feature_metadata, details, created_at, "
               "modified_at) VALUES (:id, :p, :s, :a, :c, :cp, :ch, :ec, :em, :t, :f, :d, :ca, :ma)",
            soci::use(attempt.id), soci::use(attempt.payment_id), soci::use(b.status), soci::use(b.amount),
            soci::use(b.currency), soci::use(attempt.connector_payment_id), soci::use(b.charge.value, b.charge.ind),
            soci::use(b.code.value, b.code.ind), soci::use(b.message.value, b.message.ind), soci::use(b.triggered),
            soci::use(b.metadata.value, b.metadata.ind), soci::use(b.details.value, b.details.ind),
            soci::use(b.created), soci::use(b.modified);
    });
}

void soci_store::transaction::update_attempt(const recoup::attempt_record& attempt)
{
    guarded([&](soci::session& sql) {
        attempt_binds b(attempt);
        soci::statement st =
            (sql.prepare << "UPDATE payment_attempt SET status = :s, amount = :a, currency = :c, "
                            "connector_payment_id = :cp, charge_id = :ch, error_code = :ec, error_message = :em, "
                            "triggered_by = :t, feature_metadata = :f, details = :d, modified_at = :ma WHERE id = :id",
             soci::use(b.status), soci::use(b.amount), soci::use(b.currency), soci::use(attempt.connector_payment_id),
             soci::use(b.charge.value, b.charge.ind), soci::use(b.code.value, b.code.ind),
             soci::use(b.message.value, b.message.ind), soci::use(b.triggered),
             soci::use(b.metadata.value, b.metadata.ind), soci::use(b.details.value, b.details.ind),
             soci::use(b.modified), soci::use(attempt.id));
        st.execute(true);
        if (st.get_affected_rows() != 1)
            throw std::runtime_error("database error: no payment_attempt \"" + attempt.id + "\" to update");
    });
}

std::optional<recoup::task_record> soci_store::transaction::find_task(const std::string& id)
{
    return guarded([&](soci::session& sql) -> std::optional<recoup::task_record> {
        task_row row;
        const std::string query = "SELECT " + std::string(task_columns) + " FROM process_tracker WHERE id = :id" +
                                  store_->lock_suffix();
        {
            auto once = (sql << query);
            row.into(once), soci::use(id);
        }
        if (!sql.got_data()) return std::nullopt;
        return row.record();
    });
}

void soci_store::transaction::upsert_task(const recoup::task_record& task)
{
    guarded([&](soci::session& sql) {
        auto tracking = from_non_empty(task.tracking_data);
        auto payment = from_non_empty(task.payment_id);
        const long long schedule = task.schedule_time, created = task.created_at, updated = task.updated_at;
        sql << "INSERT INTO process_tracker (id, name, runner, status, business_status, retry_count, schedule_time, "
               "tracking_data, payment_id, created_at, updated_at) "
               "VALUES (:id, :n, :r, :s, :b, :rc, :st, :td, :p, :ca, :ua) "
               "ON CONFLICT (id) DO UPDATE SET name = excluded.name, runner = excluded.runner, "
               "status = excluded.status, business_status = excluded.business_status, "
               "retry_count = excluded.retry_count, schedule_time = excluded.schedule_time, "
               "tracking_data = excluded.tracking_data, payment_id = excluded.payment_id, "
               "updated_at = excluded.updated_at",
            soci::use(task.id), soci::use(task.name), soci::use(task.runner), soci::use(task.status),
            soci::use(task.business_status), soci::use(task.retry_count), soci::use(schedule),
            soci::use(tracking.value, tracking.ind), soci::use(payment.value, payment.ind), soci::use(created),
            soci::use(updated);
    });
}

void soci_store::transaction::finish_tasks(const std::string& payment_id, const std::string& business_status,
                                           std::int64_t now)
{
    guarded([&](soci::session& sql) {
        const std::string finish(recoup::task_status_finish);
        const long long at = now;
        sql << "UPDATE process_tracker SET status = :f, business_status = :b, updated_at = :u "
               "WHERE payment_id = :p AND status <> :f2",
            soci::use(finish), soci::use(business_status), soci::use(at), soci::use(payment_id), soci::use(finish);
    });
}

std::vector<recoup::task_record> soci_store::transaction::due_tasks(std::int64_t now, std::size_t limit)
{
    return guarded([&](soci::session& sql) {
        task_row row;
        const std::string finish(recoup::task_status_finish);
        const long long at = now, max = static_cast<long long>(limit);
        const std::string query = "SELECT " + std::string(task_columns) +
                                  " FROM process_tracker WHERE status <> :f AND schedule_time <= :t "
                                  "ORDER BY schedule_time, id LIMIT :n" +
                                  (store_->url.backend == backend::postgresql ? " FOR UPDATE SKIP LOCKED" : "");
        auto prepared = (sql.prepare << query);
        row.into(prepared), soci::use(finish), soci::use(at), soci::use(max);
        soci::statement st(prepared);
        st.execute();
        std::vector<recoup::task_record> out;
        while (st.fetch()) out.push_back(row.record());
        return out;
    });
}

void soci_store::transaction::append_event(const recoup::event_record& event)
{
    guarded([&](soci::session& sql) {
        auto event_id = from_optional(event.connector_event_id);
        auto payment = from_optional(event.payment_id);
        auto body = from_optional(event.body);
        const long long received = event.received_at;
        sql << "INSERT INTO webhook_event (id, profile_id, merchant_connector_id, connector_event_id, dedup_key, "
               "event_type, action, outcome, http_status, payment_id, body_digest, body, received_at) "
               "VALUES (:id, :p, :m, :e, :k, :t, :a, :o, :h, :pay, :d, :b, :r)",
            soci::use(event.id), soci::use(event.profile_id), soci::use(event.merchant_connector_id),
            soci::use(event_id.value, event_id.ind), soci::use(event.dedup_key), soci::use(event.event_type),
            soci::use(event.action), soci::use(event.outcome), soci::use(event.http_status),
            soci::use(payment.value, payment.ind), soci::use(event.body_digest), soci::use(body.value, body.ind),
            soci::use(received);
    });
}

namespace {

void check_savepoint_name(const std::string& name)
{
    if (!valid_id(name)) throw std::invalid_argument("invalid savepoint name \"" + name + "\"");
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

// ---- migrations ---------------------------------------------------------------------------------

std::vector<migration_state> soci_store::migration_status()
{
    return impl_->with_session([&](soci::session& sql) { return recoupd::migration_status(sql, backend()); });
}

std::vector<migration_state> soci_store::migrate_up()
{
    return impl_->with_session([&](soci::session& sql) { return recoupd::migrate_up(sql, backend()); });
}

std::vector<migration_state> soci_store::migrate_down(int count)
{
    return impl_->with_session([&](soci::session& sql) { return recoupd::migrate_down(sql, backend(), count); });
}

// ---- administration -----------------------------------------------------------------------------

void soci_store::require_master_key() { impl_->secrets(); }

void soci_store::add_profile(const profile_record& profile)
{
    check_id("profile", profile.id);
    if (profile.retry_algorithm != "cascading" && profile.retry_algorithm != "monitoring")
        throw std::invalid_argument("retry algorithm \"" + profile.retry_algorithm +
                                    "\" is unknown: use cascading or monitoring");
    nullable schedule;
    if (profile.retry_schedule) {
        boost::system::error_code ec;
        const auto v = boost::json::parse(*profile.retry_schedule, ec);
        if (ec) throw std::invalid_argument("the retry schedule is not valid JSON");
        schedule = {boost::json::serialize(v), soci::i_ok};
    }
    impl_->with_transaction([&](soci::session& sql) {
        int count = 0;
        sql << "SELECT COUNT(*) FROM business_profile WHERE id = :id", soci::use(profile.id), soci::into(count);
        if (count != 0) throw std::invalid_argument("profile \"" + profile.id + "\" already exists");
        const long long created = profile.created_at != 0 ? profile.created_at : unix_now();
        sql << "INSERT INTO business_profile (id, retry_algorithm, retry_schedule, created_at) "
               "VALUES (:id, :a, :s, :c)",
            soci::use(profile.id), soci::use(profile.retry_algorithm), soci::use(schedule.value, schedule.ind),
            soci::use(created);
    });
}

std::optional<profile_record> soci_store::find_profile(const std::string& id)
{
    return impl_->with_session([&](soci::session& sql) -> std::optional<profile_record> {
        profile_record p;
        std::string schedule;
        soci::indicator schedule_ind = soci::i_null;
        long long created = 0;
        sql << "SELECT id, retry_algorithm, retry_schedule, created_at FROM business_profile WHERE id = :id",
            soci::use(id), soci::into(p.id), soci::into(p.retry_algorithm), soci::into(schedule, schedule_ind),
            soci::into(created);
        if (!sql.got_data()) return std::nullopt;
        p.retry_schedule = to_optional(schedule, schedule_ind);
        p.created_at = created;
        return p;
    });
}

void soci_store::add_mca(const mca_record& mca)
{
    check_id("MCA", mca.id);
    check_id("profile", mca.profile_id);
    if (mca.connector.empty()) throw std::invalid_argument("the MCA needs a connector name");
    if (mca.secrets.empty()) throw std::invalid_argument("the MCA needs at least one webhook secret");
    const auto settings = json_object_text(mca.settings, "the MCA settings");
    const auto& box = impl_->secrets();
    std::vector<stored_secret> stored;
    for (const auto& s : mca.secrets) stored.push_back({s, std::nullopt});
    const auto sealed = box.seal(secrets_json(stored), secrets_aad(mca.id));
    nullable api_key;
    if (mca.api_key) api_key = {box.seal(*mca.api_key, api_key_aad(mca.id)), soci::i_ok};
    auto base_url = from_optional(mca.base_url);
    const int count = static_cast<int>(mca.secrets.size());
    const long long now = mca.created_at != 0 ? mca.created_at : unix_now();

    impl_->with_transaction([&](soci::session& sql) {
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
            soci::use(settings), soci::use(now), soci::use(now);
    });
}

std::optional<mca_record> soci_store::find_mca(const std::string& profile_id, const std::string& mca_id)
{
    return find_mca(profile_id, mca_id, unix_now());
}

std::optional<mca_record> soci_store::find_mca(const std::string& profile_id, const std::string& mca_id,
                                               std::int64_t now)
{
    mca_record m;
    std::string sealed, api_key, base_url;
    soci::indicator key_ind = soci::i_null, url_ind = soci::i_null;
    long long created = 0;
    const bool found = impl_->with_session([&](soci::session& sql) {
        sql << "SELECT id, profile_id, connector, secrets, api_key, base_url, settings, created_at "
               "FROM merchant_connector_account WHERE id = :id AND profile_id = :p",
            soci::use(mca_id), soci::use(profile_id), soci::into(m.id), soci::into(m.profile_id),
            soci::into(m.connector), soci::into(sealed), soci::into(api_key, key_ind),
            soci::into(base_url, url_ind), soci::into(m.settings), soci::into(created);
        return sql.got_data();
    });
    if (!found) return std::nullopt;
    const auto& box = impl_->secrets();
    for (auto& s : secrets_from_json(box.open(sealed, secrets_aad(m.id))))
        if (!s.expires_at || *s.expires_at > now) m.secrets.push_back(std::move(s.value));
    if (key_ind == soci::i_ok) m.api_key = box.open(api_key, api_key_aad(m.id));
    m.base_url = to_optional(base_url, url_ind);
    m.created_at = created;
    return m;
}

std::vector<mca_summary> soci_store::list_mcas(const std::optional<std::string>& profile_id)
{
    return impl_->with_session([&](soci::session& sql) {
        mca_summary s;
        std::string base_url;
        soci::indicator url_ind = soci::i_null, key_ind = soci::i_null;
        int has_key = 0;
        long long created = 0;
        const std::string filter = profile_id.value_or("");
        const int all = profile_id ? 0 : 1;
        soci::statement st =
            (sql.prepare << "SELECT id, profile_id, connector, secret_count, "
                            "CASE WHEN api_key IS NULL THEN 0 ELSE 1 END, base_url, settings, created_at "
                            "FROM merchant_connector_account WHERE (:all = 1 OR profile_id = :p) "
                            "ORDER BY profile_id, id",
             soci::use(all), soci::use(filter), soci::into(s.id), soci::into(s.profile_id), soci::into(s.connector),
             soci::into(s.secret_count), soci::into(has_key, key_ind), soci::into(base_url, url_ind),
             soci::into(s.settings), soci::into(created));
        st.execute();
        std::vector<mca_summary> out;
        while (st.fetch()) {
            s.has_api_key = has_key == 1;
            s.settings = json_object_text(s.settings, "settings"); // compact, as given (JSONB adds spaces)
            s.base_url = to_optional(base_url, url_ind);
            s.created_at = created;
            out.push_back(s);
        }
        return out;
    });
}

void soci_store::rotate_mca_secret(const std::string& profile_id, const std::string& mca_id,
                                   const std::string& secret, bool keep_old, std::int64_t now, std::int64_t window)
{
    if (secret.empty()) throw std::invalid_argument("the new secret is empty");
    const auto& box = impl_->secrets();
    impl_->with_transaction([&](soci::session& sql) {
        std::string sealed;
        sql << "SELECT secrets FROM merchant_connector_account WHERE id = :id AND profile_id = :p" +
                   impl_->lock_suffix(),
            soci::use(mca_id), soci::use(profile_id), soci::into(sealed);
        if (!sql.got_data())
            throw std::invalid_argument("unknown MCA \"" + mca_id + "\" in profile \"" + profile_id + "\"");
        std::vector<stored_secret> next{{secret, std::nullopt}};
        if (keep_old) {
            for (auto& s : secrets_from_json(box.open(sealed, secrets_aad(mca_id)))) {
                if (s.expires_at && *s.expires_at <= now) continue; // already past its window
                if (s.value == secret) continue;
                const auto until = now + window;
                s.expires_at = s.expires_at ? std::min(*s.expires_at, until) : until;
                next.push_back(std::move(s));
            }
        }
        const auto resealed = box.seal(secrets_json(next), secrets_aad(mca_id));
        const int count = static_cast<int>(next.size());
        const long long at = now;
        sql << "UPDATE merchant_connector_account SET secrets = :s, secret_count = :n, modified_at = :m "
               "WHERE id = :id",
            soci::use(resealed), soci::use(count), soci::use(at), soci::use(mca_id);
    });
}

std::vector<recoup::event_record> soci_store::list_events(const std::optional<std::string>& mca_id, std::size_t limit)
{
    return impl_->with_session([&](soci::session& sql) {
        event_row row;
        const std::string filter = mca_id.value_or("");
        const int all = mca_id ? 0 : 1;
        const long long max = static_cast<long long>(limit);
        const std::string query = "SELECT " + std::string(event_columns) +
                                  " FROM webhook_event WHERE (:all = 1 OR merchant_connector_id = :m) "
                                  "ORDER BY received_at DESC, id DESC LIMIT :n";
        auto prepared = (sql.prepare << query);
        row.into(prepared), soci::use(all), soci::use(filter), soci::use(max);
        soci::statement st(prepared);
        st.execute();
        std::vector<recoup::event_record> out;
        while (st.fetch()) out.push_back(row.record());
        return out;
    });
}

std::optional<recoup::event_record> soci_store::find_event(const std::string& id)
{
    return impl_->with_session([&](soci::session& sql) -> std::optional<recoup::event_record> {
        event_row row;
        const std::string query = "SELECT " + std::string(event_columns) + ", body FROM webhook_event WHERE id = :id";
        {
            auto once = (sql << query);
            row.into(once), soci::into(row.body, row.body_ind), soci::use(id);
        }
        if (!sql.got_data()) return std::nullopt;
        return row.record();
    });
}

} // namespace recoupd
