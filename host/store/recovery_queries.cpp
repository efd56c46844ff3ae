// The recovery read model (recovery_queries.hpp): the invoice list with its keyset cursor, and an
// invoice's timeline. The summary is in recovery_summary.cpp.
#include "store/recovery_queries.hpp"

#include "store/detail/recovery_reader.hpp"
#include "store/detail/rows.hpp"
#include "store/detail/select.hpp"

#include <recoup/crypto.hpp>
#include <recoup/replay.hpp>
#include <recoup/task.hpp>

#include <algorithm>
#include <charconv>
#include <span>

namespace recoupd {

using store_detail::row_lock;

// ---- the cursor ---------------------------------------------------------------------------------

namespace {

constexpr std::string_view cursor_version = "v1:";

std::optional<std::int64_t> parse_int64(std::string_view s)
{
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

} // namespace

std::string encode_cursor(const invoice_cursor& c)
{
    const auto text = std::string(cursor_version) + std::to_string(c.created_at) + ":" + c.payment_id;
    return recoup::hex_encode(std::span(reinterpret_cast<const unsigned char*>(text.data()), text.size()));
}

std::optional<invoice_cursor> decode_cursor(std::string_view text)
{
    if (text.size() > 2 * 128) return std::nullopt;
    const auto raw = recoup::hex_decode(text);
    if (!raw || !raw->starts_with(cursor_version)) return std::nullopt;
    const std::string_view rest = std::string_view(*raw).substr(cursor_version.size());
    const auto colon = rest.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const auto created = parse_int64(rest.substr(0, colon));
    const auto id = rest.substr(colon + 1);
    if (!created || !recoup::is_valid_id(id)) return std::nullopt;
    return invoice_cursor{*created, std::string(id)};
}

// ---- the invoice rows ---------------------------------------------------------------------------

namespace {

// An invoice as the list shows it: the intent, its billing MCA's connector and a few aggregates
// of its attempts and tasks (correlated subqueries on indexed payment_id columns).
struct invoice_row {
    static std::string select()
    {
        return "SELECT i.id, i.merchant_reference_id, i.profile_id, m.connector, i.billing_mca_id, i.status, "
               "i.amount, i.currency, i.total_retry_count, "
               "(SELECT COUNT(*) FROM payment_attempt c WHERE c.payment_id = i.id), " +
               store_detail::last_failure("decline_class") + ", " + store_detail::last_failure("error_code") +
               ", i.created_at, i.modified_at, "
               "(SELECT MIN(t.schedule_time) FROM process_tracker t WHERE t.payment_id = i.id AND t.name = " +
               store_detail::sql_literal(recoup::execute_workflow_task) +
               " AND t.status <> " + store_detail::sql_literal(recoup::task_status_finish) +
               ") FROM payment_intent i LEFT JOIN merchant_connector_account m ON m.id = i.billing_mca_id";
    }

    std::string id, reference, profile_id, connector, mca, status, currency, decline_class, decline_code;
    soci::indicator connector_ind = soci::i_ok, mca_ind = soci::i_ok, class_ind = soci::i_ok,
                    code_ind = soci::i_ok, next_ind = soci::i_ok;
    long long amount = 0, attempts = 0, created = 0, modified = 0, next_retry = 0;
    int retries = 0;

    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(id), soci::into(reference), soci::into(profile_id), soci::into(connector, connector_ind),
                soci::into(mca, mca_ind), soci::into(status), soci::into(amount), soci::into(currency),
                soci::into(retries), soci::into(attempts), soci::into(decline_class, class_ind),
                soci::into(decline_code, code_ind), soci::into(created), soci::into(modified),
                soci::into(next_retry, next_ind));
    }

    invoice_item record() const
    {
        invoice_item r;
        r.payment_id = id;
        r.invoice = reference;
        r.profile_id = profile_id;
        r.connector = store_detail::to_optional(connector, connector_ind);
        r.billing_mca_id = store_detail::or_empty(mca, mca_ind);
        const auto s = recoup::enum_from_string<recoup::intent_status>(status);
        if (!s) throw store_detail::row_error("payment_intent", "status", id, "holds an unknown value \"" + status + "\"");
        r.status = *s;
        r.amount = amount;
        r.currency = currency;
        r.retry_count = retries;
        r.attempts = attempts;
        r.last_decline_class = store_detail::to_optional(decline_class, class_ind);
        r.last_decline_code = store_detail::to_optional(decline_code, code_ind);
        r.created_at = created;
        r.modified_at = modified;
        if (next_ind == soci::i_ok) r.next_retry_at = next_retry;
        return r;
    }
};

// The values a filter binds, kept alive for the statement.
struct filter_binds {
    std::string profile_id, status, connector, decline_class, cursor_id;
    long long from = 0, to = 0, cursor_created = 0, limit = 0;
};

} // namespace

invoice_page list_invoices(soci_store& store, const invoice_filter& filter)
{
    filter_binds b;
    std::string where = " WHERE 1 = 1";
    if (filter.profile_id) where += " AND i.profile_id = :profile_id";
    if (filter.status) where += " AND i.status = :status";
    if (filter.connector) where += " AND m.connector = :connector";
    if (filter.decline_class) where += " AND " + store_detail::last_failure("decline_class") + " = :decline_class";
    if (filter.from) where += " AND i.created_at >= :from_time";
    if (filter.to) where += " AND i.created_at < :to_time";
    // A row-value comparison: an index range on (created_at, id), on PostgreSQL and SQLite alike.
    if (filter.cursor) where += " AND (i.created_at, i.id) < (:cursor_created, :cursor_id)";
    const auto query = invoice_row::select() + where + " ORDER BY i.created_at DESC, i.id DESC LIMIT :page_limit";

    b.profile_id = filter.profile_id.value_or("");
    b.status = filter.status ? std::string(recoup::to_string(*filter.status)) : std::string();
    b.connector = filter.connector.value_or("");
    b.decline_class = filter.decline_class.value_or("");
    b.from = filter.from.value_or(0);
    b.to = filter.to.value_or(0);
    if (filter.cursor) {
        b.cursor_created = filter.cursor->created_at;
        b.cursor_id = filter.cursor->payment_id;
    }
    const std::size_t limit = std::clamp<std::size_t>(filter.limit, 1, max_invoice_page);
    b.limit = static_cast<long long>(limit) + 1; // one more: is there a next page?

    return recovery_reader::read(store, [&](soci::session& sql) {
        invoice_row row;
        auto prepared = (sql.prepare << query);
        row.into(prepared);
        if (filter.profile_id) prepared, soci::use(b.profile_id);
        if (filter.status) prepared, soci::use(b.status);
        if (filter.connector) prepared, soci::use(b.connector);
        if (filter.decline_class) prepared, soci::use(b.decline_class);
        if (filter.from) prepared, soci::use(b.from);
        if (filter.to) prepared, soci::use(b.to);
        if (filter.cursor) prepared, soci::use(b.cursor_created), soci::use(b.cursor_id);
        prepared, soci::use(b.limit);
        soci::statement st(prepared);
        st.execute();
        invoice_page page;
        while (st.fetch()) page.data.push_back(row.record());
        if (page.data.size() > limit) {
            page.data.resize(limit);
            page.next_cursor = invoice_cursor{page.data.back().created_at, page.data.back().payment_id};
        }
        return page;
    });
}

// ---- the timeline -------------------------------------------------------------------------------

namespace {

struct webhook_row {
    static constexpr std::string_view table = "webhook_event";
    static std::string columns()
    {
        return "id, received_at, merchant_connector_id, connector_event_id, event_type, action, outcome, http_status";
    }

    std::string id, mca, event_id, event_type, action, outcome;
    soci::indicator event_id_ind = soci::i_ok;
    long long received = 0;
    int http_status = 0;

    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(id), soci::into(received), soci::into(mca), soci::into(event_id, event_id_ind),
                soci::into(event_type), soci::into(action), soci::into(outcome), soci::into(http_status));
    }

    timeline_webhook record() const
    {
        return {id, received, mca, store_detail::to_optional(event_id, event_id_ind), event_type, action, outcome,
                http_status};
    }
};

// An attempt with the decline columns of migration 0004.
struct declined_attempt_row : store_detail::attempt_row {
    static std::string columns()
    {
        return attempt_row::columns() + ", decline_class, network, network_decline_code, network_advice_code";
    }

    std::string decline_class, network, network_code, advice_code;
    soci::indicator class_ind = soci::i_ok, network_ind = soci::i_ok, network_code_ind = soci::i_ok,
                    advice_ind = soci::i_ok;

    template <class T>
    T& into(T& t)
    {
        return (attempt_row::into(t), soci::into(decline_class, class_ind), soci::into(network, network_ind),
                soci::into(network_code, network_code_ind), soci::into(advice_code, advice_ind));
    }

    timeline_attempt record() const
    {
        using store_detail::to_optional;
        return {attempt_row::record(), to_optional(decline_class, class_ind), to_optional(network, network_ind),
                to_optional(network_code, network_code_ind), to_optional(advice_code, advice_ind)};
    }
};

// An outbox row: no body, no URL, no secret.
struct outgoing_row {
    static constexpr std::string_view table = "outgoing_webhook";
    static std::string columns()
    {
        return "id, endpoint_id, event_type, status, attempts, last_status, next_attempt_at, created_at, delivered_at";
    }

    std::string id, endpoint_id, event_type, status;
    int attempts = 0, last_status = 0;
    long long next_attempt = 0, created = 0, delivered = 0;
    soci::indicator last_status_ind = soci::i_ok, delivered_ind = soci::i_ok;

    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(id), soci::into(endpoint_id), soci::into(event_type), soci::into(status),
                soci::into(attempts), soci::into(last_status, last_status_ind), soci::into(next_attempt),
                soci::into(created), soci::into(delivered, delivered_ind));
    }

    timeline_outgoing_webhook record() const
    {
        timeline_outgoing_webhook r{id, endpoint_id, event_type, status, attempts, std::nullopt, next_attempt, created,
                                    std::nullopt};
        if (last_status_ind == soci::i_ok) r.last_status = last_status;
        if (delivered_ind == soci::i_ok) r.delivered_at = delivered;
        return r;
    }
};

} // namespace

std::optional<invoice_timeline> invoice_timeline_of(soci_store& store, const std::string& payment_id)
{
    const auto b = store.backend();
    return recovery_reader::read(store, [&](soci::session& sql) -> std::optional<invoice_timeline> {
        invoice_row row;
        {
            auto once = (sql << invoice_row::select() + " WHERE i.id = :id");
            row.into(once), soci::use(payment_id);
        }
        if (!sql.got_data()) return std::nullopt;
        invoice_timeline t;
        t.invoice = row.record();
        t.webhooks = store_detail::select_all<webhook_row>(sql, b, "payment_id = :p ORDER BY received_at, id",
                                                          row_lock::none, payment_id);
        t.attempts = store_detail::select_all<declined_attempt_row>(sql, b, "payment_id = :p ORDER BY created_at, id",
                                                                   row_lock::none, payment_id);
        t.tasks = store_detail::select_all<store_detail::task_row>(sql, b, "payment_id = :p ORDER BY created_at, id",
                                                                  row_lock::none, payment_id);
        for (const auto& task : t.tasks)
            if (task.name == recoup::record_back_workflow_task) t.record_backs.push_back(task);
        t.outgoing_webhooks = store_detail::select_all<outgoing_row>(sql, b, "payment_id = :p ORDER BY created_at, id",
                                                                    row_lock::none, payment_id);
        return t;
    });
}

// ---- replays -------------------------------------------------------------------------------------

std::int64_t replays_of(soci_store& store, const std::string& mca_id, const std::string& original_dedup_key)
{
    const auto prefix = recoup::replay_dedup_prefix(original_dedup_key);
    const long long length = static_cast<long long>(prefix.size());
    return recovery_reader::read(store, [&](soci::session& sql) {
        long long n = 0;
        sql << "SELECT COUNT(*) FROM webhook_delivery WHERE merchant_connector_id = :m AND SUBSTR(dedup_key, 1, :n) = :p",
            soci::use(mca_id), soci::use(length), soci::use(prefix), soci::into(n);
        return static_cast<std::int64_t>(n);
    });
}

} // namespace recoupd
