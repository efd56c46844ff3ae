// The recovery summary (recovery_queries.hpp): one read of every intent in the window with the
// aggregates of its attempts, streamed and tallied here, so memory grows with the number of
// groups (currencies, connectors, decline classes, days), never with the number of invoices.
#include "store/recovery_queries.hpp"

#include "store/detail/recovery_reader.hpp"

#include <chrono>
#include <cstdio>

namespace recoupd {

namespace {

// "YYYY-MM-DD" of a unix time, in UTC.
std::string utc_date(std::int64_t unix_seconds)
{
    using namespace std::chrono;
    const auto days = floor<std::chrono::days>(sys_seconds{seconds{unix_seconds}});
    const year_month_day ymd{days};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return buf;
}

// One intent of the window and what the summary needs of its attempts.
struct summary_row {
    static std::string select()
    {
        using store_detail::sql_literal;
        const auto failure = sql_literal(recoup::to_string(recoup::attempt_status::failure));
        const auto charged = sql_literal(recoup::to_string(recoup::attempt_status::charged));
        const auto internal = sql_literal(recoup::to_string(recoup::triggered_by::internal));
        return "SELECT i.status, i.amount, i.currency, i.modified_at, m.connector, "
               "(SELECT COUNT(*) FROM payment_attempt c WHERE c.payment_id = i.id), "
               "(SELECT COUNT(*) FROM payment_attempt c WHERE c.payment_id = i.id AND c.status = " +
               failure + "), " + store_detail::last_failure("decline_class") +
               ", (SELECT COUNT(*) FROM payment_attempt c WHERE c.payment_id = i.id AND c.status = " + charged +
               " AND c.triggered_by = " + internal +
               "), (SELECT MAX(c.modified_at) FROM payment_attempt c WHERE c.payment_id = i.id AND c.status = " +
               charged + ") FROM payment_intent i LEFT JOIN merchant_connector_account m ON m.id = i.billing_mca_id";
    }

    std::string status, currency, connector, decline_class;
    soci::indicator connector_ind = soci::i_ok, class_ind = soci::i_ok, charged_ind = soci::i_ok;
    long long amount = 0, modified = 0, attempts = 0, failures = 0, internal_charges = 0, charged_at = 0;

    template <class T>
    T& into(T& t)
    {
        return (t, soci::into(status), soci::into(amount), soci::into(currency), soci::into(modified),
                soci::into(connector, connector_ind), soci::into(attempts), soci::into(failures),
                soci::into(decline_class, class_ind), soci::into(internal_charges),
                soci::into(charged_at, charged_ind));
    }
};

void count(recovery_tally& t, bool in_recovery, bool recovered, const std::string& currency, std::int64_t amount)
{
    ++t.invoices;
    if (in_recovery) ++t.invoices_in_recovery;
    if (!recovered) return;
    ++t.recovered_invoices;
    t.recovered_amount[currency] += amount;
}

} // namespace

recovery_summary summary_of(soci_store& store, const std::optional<std::string>& profile_id,
                            std::optional<std::int64_t> from, std::optional<std::int64_t> to)
{
    recovery_summary s;
    s.profile_id = profile_id;
    s.from = from;
    s.to = to;
    std::string where = " WHERE 1 = 1";
    if (profile_id) where += " AND i.profile_id = :profile_id";
    if (from) where += " AND i.created_at >= :from_time";
    if (to) where += " AND i.created_at < :to_time";
    const std::string profile = profile_id.value_or("");
    const long long from_time = from.value_or(0), to_time = to.value_or(0);
    const std::string succeeded(recoup::to_string(recoup::intent_status::succeeded));

    std::int64_t recovered_attempts = 0;
    recovery_reader::read(store, [&](soci::session& sql) {
        summary_row row;
        auto prepared = (sql.prepare << summary_row::select() + where);
        row.into(prepared);
        if (profile_id) prepared, soci::use(profile);
        if (from) prepared, soci::use(from_time);
        if (to) prepared, soci::use(to_time);
        soci::statement st(prepared);
        st.execute();
        while (st.fetch()) {
            const bool in_recovery = row.failures > 0;
            const bool recovered = in_recovery && row.status == succeeded;
            count(s.total, in_recovery, recovered, row.currency, row.amount);
            count(s.by_connector[row.connector_ind == soci::i_ok ? row.connector : std::string(unknown_group)],
                  in_recovery, recovered, row.currency, row.amount);
            if (in_recovery)
                count(s.by_decline_class[row.class_ind == soci::i_ok ? row.decline_class : std::string(unknown_group)],
                      in_recovery, recovered, row.currency, row.amount);
            if (!recovered) continue;
            recovered_attempts += row.attempts;
            if (row.internal_charges > 0) ++s.recovered_by_internal;
            else ++s.recovered_by_external;
            auto& day = s.per_day[utc_date(row.charged_ind == soci::i_ok ? row.charged_at : row.modified)];
            ++day.recovered_invoices;
            day.recovered_amount[row.currency] += row.amount;
        }
    });
    if (s.total.invoices_in_recovery > 0)
        s.recovery_rate = static_cast<double>(s.total.recovered_invoices) / static_cast<double>(s.total.invoices_in_recovery);
    if (s.total.recovered_invoices > 0)
        s.attempts_per_recovery =
            static_cast<double>(recovered_attempts) / static_cast<double>(s.total.recovered_invoices);
    return s;
}

} // namespace recoupd
