// soci_store's merchant endpoints and outbox (docs/merchant-webhooks.md): adding, listing,
// enabling and disabling endpoints, re-queueing webhooks, and what the delivery loop claims and
// records. The rows are written by transaction::emit() (soci_store_transaction.cpp).
#include "store/detail/identifier.hpp"
#include "store/detail/outbox_rows.hpp"
#include "store/detail/pool.hpp"
#include "store/detail/rows.hpp"
#include "store/detail/select.hpp"

#include <recoup/merchant_delivery.hpp>

#include <stdexcept>

namespace recoupd {

using store_detail::row_lock;

namespace {

const std::string pending = "pending";
const std::string failed = "failed";
const std::string delivered = "delivered";

} // namespace

void soci_store::add_endpoint(const endpoint_record& endpoint, const std::string& secret)
{
    if (!store_detail::valid_id(endpoint.id))
        throw std::invalid_argument("endpoint id \"" + endpoint.id + "\" is invalid: use 1-64 characters of A-Z a-z 0-9 _ -");
    if (!recoup::endpoint_secret_key(secret))
        throw std::invalid_argument("the endpoint secret must be whsec_ followed by base64");
    const auto sealed = impl_->secrets().seal(secret, store_detail::endpoint_secret_aad(endpoint.id));
    const long long now = endpoint.created_at;
    impl_->with_transaction([&](soci::session& sql) {
        impl_->bump_config_version(sql); // serving hosts take the endpoint at their next webhook
        int found = 0;
        sql << "SELECT COUNT(*) FROM business_profile WHERE id = :id", soci::use(endpoint.profile_id),
            soci::into(found);
        if (found == 0) throw std::invalid_argument("unknown profile \"" + endpoint.profile_id + "\"");
        sql << "SELECT COUNT(*) FROM merchant_endpoint WHERE id = :id", soci::use(endpoint.id), soci::into(found);
        if (found != 0) throw std::invalid_argument("endpoint \"" + endpoint.id + "\" already exists");
        sql << "INSERT INTO merchant_endpoint (id, profile_id, url, secret, status, consecutive_failures, created_at, "
               "modified_at) VALUES (:id, :p, :u, :s, 'enabled', 0, :c, :m)",
            soci::use(endpoint.id), soci::use(endpoint.profile_id), soci::use(endpoint.url), soci::use(sealed),
            soci::use(now), soci::use(now);
    });
}

std::vector<endpoint_record> soci_store::list_endpoints(const std::optional<std::string>& profile_id)
{
    return impl_->with_session([&](soci::session& sql) {
        const std::string filter = profile_id.value_or("");
        const int all = profile_id ? 0 : 1;
        return store_detail::select_all<store_detail::endpoint_row>(
            sql, backend(), "(:all = 1 OR profile_id = :p) ORDER BY profile_id, id", row_lock::none, all, filter);
    });
}

std::optional<endpoint_record> soci_store::find_endpoint(const std::string& id)
{
    return impl_->with_session([&](soci::session& sql) -> std::optional<endpoint_record> {
        const auto row =
            store_detail::select_one<store_detail::endpoint_row>(sql, backend(), "id = :id", row_lock::none, id);
        if (!row) return std::nullopt;
        return row->record();
    });
}

std::vector<std::string> soci_store::enabled_endpoint_ids(const std::string& profile_id)
{
    return impl_->with_session([&](soci::session& sql) {
        return store_detail::enabled_endpoint_ids(sql, profile_id);
    });
}

bool soci_store::set_endpoint_status(const std::string& id, bool enabled, const std::optional<std::string>& reason,
                                     std::int64_t now)
{
    bool found = false;
    impl_->with_transaction([&](soci::session& sql) {
        const std::string status = enabled ? "enabled" : "disabled";
        auto why = store_detail::from_optional(enabled ? std::nullopt : reason);
        const long long at = now;
        soci::statement st = (sql.prepare << "UPDATE merchant_endpoint SET status = :s, disabled_reason = :r, "
                                             "consecutive_failures = CASE WHEN :e = 1 THEN 0 ELSE consecutive_failures "
                                             "END, modified_at = :m WHERE id = :id",
                              soci::use(status), soci::use(why.value, why.ind), soci::use(enabled ? 1 : 0),
                              soci::use(at), soci::use(id));
        st.execute(true);
        found = st.get_affected_rows() == 1;
        if (found) impl_->bump_config_version(sql);
    });
    return found;
}

std::vector<outgoing_record> soci_store::list_outgoing(const std::optional<std::string>& endpoint_id)
{
    return impl_->with_session([&](soci::session& sql) {
        const std::string filter = endpoint_id.value_or("");
        const int all = endpoint_id ? 0 : 1;
        return store_detail::select_all<store_detail::outgoing_row>(
            sql, backend(), "(:all = 1 OR endpoint_id = :e) ORDER BY created_at, id", row_lock::none, all, filter);
    });
}

std::optional<outgoing_record> soci_store::find_outgoing(const std::string& id)
{
    return impl_->with_session([&](soci::session& sql) -> std::optional<outgoing_record> {
        const auto row =
            store_detail::select_one<store_detail::outgoing_row>(sql, backend(), "id = :id", row_lock::none, id);
        if (!row) return std::nullopt;
        return row->record();
    });
}

bool soci_store::resend_outgoing(const std::string& id, std::int64_t now)
{
    bool found = false;
    impl_->with_transaction([&](soci::session& sql) {
        const long long at = now;
        soci::statement st = (sql.prepare << "UPDATE outgoing_webhook SET status = :s, attempts = 0, next_attempt_at = :n, "
                                             "created_at = :c, delivered_at = NULL WHERE id = :id",
                              soci::use(pending), soci::use(at), soci::use(at), soci::use(id));
        st.execute(true);
        found = st.get_affected_rows() == 1;
        if (found) impl_->bump_config_version(sql);
    });
    return found;
}

std::size_t soci_store::resend_failed(const std::string& endpoint_id, std::int64_t now)
{
    std::size_t count = 0;
    impl_->with_transaction([&](soci::session& sql) {
        const long long at = now;
        soci::statement st = (sql.prepare << "UPDATE outgoing_webhook SET status = :s, attempts = 0, next_attempt_at = :n, "
                                             "created_at = :c WHERE endpoint_id = :e AND status = :f",
                              soci::use(pending), soci::use(at), soci::use(at), soci::use(endpoint_id),
                              soci::use(failed));
        st.execute(true);
        count = static_cast<std::size_t>(st.get_affected_rows());
    });
    return count;
}

std::vector<outgoing_delivery> soci_store::claim_outgoing(std::int64_t now, std::size_t limit,
                                                          std::int64_t lease_seconds)
{
    struct claimed {
        outgoing_record webhook;
        std::string url, sealed;
    };
    std::vector<claimed> rows;
    impl_->with_transaction([&](soci::session& sql) {
        rows.clear();
        store_detail::outgoing_row row;
        std::string url, sealed;
        const long long at = now, max = static_cast<long long>(limit);
        std::string query = "SELECT o.id, o.endpoint_id, o.profile_id, o.payment_id, o.event_type, o.body, o.status, "
                            "o.attempts, o.next_attempt_at, o.last_status, o.last_error, o.created_at, o.delivered_at, "
                            "e.url, e.secret FROM outgoing_webhook o JOIN merchant_endpoint e ON e.id = o.endpoint_id "
                            "WHERE o.status = :s AND o.next_attempt_at <= :n AND e.status = 'enabled' "
                            "ORDER BY o.next_attempt_at, o.id LIMIT :l";
        if (backend() == backend::postgresql) query += " FOR UPDATE OF o SKIP LOCKED";
        auto prepared = (sql.prepare << query);
        row.into(prepared);
        prepared, soci::into(url), soci::into(sealed), soci::use(pending), soci::use(at), soci::use(max);
        soci::statement st(prepared);
        st.execute();
        while (st.fetch()) rows.push_back({row.record(), url, sealed});
        const long long until = now + lease_seconds;
        for (const auto& r : rows)
            sql << "UPDATE outgoing_webhook SET next_attempt_at = :n WHERE id = :id", soci::use(until),
                soci::use(r.webhook.id);
    });
    // Opened outside the transaction: a wrong master key is no database fault.
    std::vector<outgoing_delivery> out;
    const auto& box = impl_->secrets();
    for (auto& r : rows) {
        auto secret = box.open(r.sealed, store_detail::endpoint_secret_aad(r.webhook.endpoint_id));
        r.webhook.next_attempt_at = now + lease_seconds;
        out.push_back({std::move(r.webhook), std::move(r.url), std::move(secret)});
    }
    return out;
}

bool soci_store::record_delivery(const outgoing_record& webhook, const delivery_result& result)
{
    using state = recoup::delivery_decision::state;
    bool disabled = false;
    impl_->with_transaction([&](soci::session& sql) {
        disabled = false;
        const auto& d = result.decision;
        const std::string& status = d.next == state::delivered ? delivered : d.next == state::failed ? failed : pending;
        const long long at = result.at, next = d.next == state::pending ? d.next_attempt_at : webhook.next_attempt_at;
        const int code = result.status.value_or(0);
        soci::indicator code_ind = result.status ? soci::i_ok : soci::i_null;
        auto error = store_detail::from_optional(result.error);
        soci::indicator delivered_ind = d.next == state::delivered ? soci::i_ok : soci::i_null;
        // Only while the row is still the one leased: a resend meanwhile starts over.
        soci::statement st =
            (sql.prepare << "UPDATE outgoing_webhook SET status = :s, attempts = :a, next_attempt_at = :n, "
                            "last_status = :ls, last_error = :le, delivered_at = :d "
                            "WHERE id = :id AND status = :p AND next_attempt_at = :leased",
             soci::use(status), soci::use(d.attempts), soci::use(next), soci::use(code, code_ind),
             soci::use(error.value, error.ind), soci::use(at, delivered_ind), soci::use(webhook.id), soci::use(pending),
             soci::use(static_cast<long long>(webhook.next_attempt_at)));
        st.execute(true);
        if (st.get_affected_rows() != 1) return;
        if (d.next == state::delivered) {
            sql << "UPDATE merchant_endpoint SET consecutive_failures = 0 WHERE id = :id", soci::use(webhook.endpoint_id);
            return;
        }
        int failures = 0;
        sql << "UPDATE merchant_endpoint SET consecutive_failures = consecutive_failures + 1 WHERE id = :id",
            soci::use(webhook.endpoint_id);
        sql << "SELECT consecutive_failures FROM merchant_endpoint WHERE id = :id", soci::use(webhook.endpoint_id),
            soci::into(failures);
        if (!recoup::should_disable_endpoint(failures, d)) return;
        const std::string reason = "every delivery failed for three days (" + std::to_string(failures) +
                                   " consecutive failures; last: " + result.error.value_or("no answer") + ")";
        soci::statement disable =
            (sql.prepare << "UPDATE merchant_endpoint SET status = 'disabled', disabled_reason = :r, modified_at = :m "
                            "WHERE id = :id AND status = 'enabled'",
             soci::use(reason), soci::use(at), soci::use(webhook.endpoint_id));
        disable.execute(true);
        disabled = disable.get_affected_rows() == 1; // once, by whichever given-up webhook got there first
        if (disabled) impl_->bump_config_version(sql); // serving hosts stop emitting to it
    });
    return disabled;
}

} // namespace recoupd
