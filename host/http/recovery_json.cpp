// The recovery read model as JSON (recovery_json.hpp): every key of docs/api.md, named here once.
#include "http/recovery_json.hpp"

#include <recoup/domain.hpp>

namespace recoupd::http {

namespace json = boost::json;

namespace {

template <class T>
json::value or_null(const std::optional<T>& v)
{
    return v ? json::value(*v) : json::value(nullptr);
}

json::object amounts(const amounts_by_currency& a)
{
    json::object out;
    for (const auto& [currency, minor] : a) out[currency] = minor;
    return out;
}

json::object tally(const recovery_tally& t)
{
    return {{"invoices", t.invoices},
            {"invoices_in_recovery", t.invoices_in_recovery},
            {"recovered_invoices", t.recovered_invoices},
            {"recovered_amount", amounts(t.recovered_amount)}};
}

json::object tallies(const std::map<std::string, recovery_tally>& groups)
{
    json::object out;
    for (const auto& [name, t] : groups) out[name] = tally(t);
    return out;
}

json::value tracking(const std::string& text)
{
    boost::system::error_code ec;
    auto v = json::parse(text.empty() ? "{}" : text, ec);
    return ec ? json::value(nullptr) : v;
}

json::object task_json(const recoup::task_record& t)
{
    return {{"id", t.id},
            {"name", t.name},
            {"runner", t.runner},
            {"status", t.status},
            {"business_status", t.business_status},
            {"retry_count", t.retry_count},
            {"schedule_time", t.schedule_time},
            {"tracking_data", tracking(t.tracking_data)},
            {"created_at", t.created_at},
            {"updated_at", t.updated_at}};
}

json::object attempt_json(const timeline_attempt& ta)
{
    const auto& at = ta.attempt;
    return {{"id", at.id},
            {"status", recoup::to_string(at.status)},
            {"amount", at.amount},
            {"currency", at.currency.str()},
            {"connector_payment_id", at.connector_payment_id},
            {"triggered_by", recoup::to_string(at.triggered_by)},
            {"error_code", or_null(at.error_code)},
            {"error_message", or_null(at.error_message)},
            {"decline_class", or_null(ta.decline_class)},
            {"network", or_null(ta.network)},
            {"network_decline_code", or_null(ta.network_decline_code)},
            {"network_advice_code", or_null(ta.network_advice_code)},
            {"created_at", at.created_at},
            {"modified_at", at.modified_at}};
}

json::object webhook_json(const timeline_webhook& w)
{
    return {{"id", w.id},
            {"received_at", w.received_at},
            {"mca_id", w.mca_id},
            {"connector_event_id", or_null(w.connector_event_id)},
            {"event_type", w.event_type},
            {"action", w.action},
            {"outcome", w.outcome},
            {"http_status", w.http_status}};
}

json::object outgoing_json(const timeline_outgoing_webhook& o)
{
    return {{"id", o.id},
            {"endpoint_id", o.endpoint_id},
            {"event_type", o.event_type},
            {"status", o.status},
            {"attempts", o.attempts},
            {"last_status", or_null(o.last_status)},
            {"next_attempt_at", o.next_attempt_at},
            {"created_at", o.created_at},
            {"delivered_at", or_null(o.delivered_at)}};
}

template <class T, class F>
json::array array_of(const std::vector<T>& items, F&& one)
{
    json::array out;
    for (const auto& i : items) out.push_back(one(i));
    return out;
}

} // namespace

json::object to_json(const invoice_item& i)
{
    return {{"payment_id", i.payment_id},
            {"invoice", i.invoice},
            {"profile_id", i.profile_id},
            {"connector", or_null(i.connector)},
            {"billing_mca_id", i.billing_mca_id},
            {"status", recoup::to_string(i.status)},
            {"amount", i.amount},
            {"currency", i.currency},
            {"retry_count", i.retry_count},
            {"attempts", i.attempts},
            {"last_decline_class", or_null(i.last_decline_class)},
            {"last_decline_code", or_null(i.last_decline_code)},
            {"created_at", i.created_at},
            {"modified_at", i.modified_at},
            {"next_retry_at", or_null(i.next_retry_at)}};
}

json::object to_json(const invoice_page& page)
{
    return {{"data", array_of(page.data, [](const invoice_item& i) { return to_json(i); })},
            {"next_cursor", page.next_cursor ? json::value(encode_cursor(*page.next_cursor)) : json::value(nullptr)}};
}

json::object to_json(const invoice_timeline& t)
{
    return {{"invoice", to_json(t.invoice)},
            {"webhooks", array_of(t.webhooks, webhook_json)},
            {"attempts", array_of(t.attempts, attempt_json)},
            {"tasks", array_of(t.tasks, task_json)},
            {"record_backs", array_of(t.record_backs, task_json)},
            {"outgoing_webhooks", array_of(t.outgoing_webhooks, outgoing_json)}};
}

json::object to_json(const recovery_summary& s)
{
    json::object per_day;
    for (const auto& [date, d] : s.per_day)
        per_day[date] = json::object{{"recovered_invoices", d.recovered_invoices},
                                     {"recovered_amount", amounts(d.recovered_amount)}};
    return {{"profile_id", or_null(s.profile_id)},
            {"from", or_null(s.from)},
            {"to", or_null(s.to)},
            {"invoices", s.total.invoices},
            {"invoices_in_recovery", s.total.invoices_in_recovery},
            {"recovered_invoices", s.total.recovered_invoices},
            {"recovered_amount", amounts(s.total.recovered_amount)},
            {"recovery_rate", s.recovery_rate},
            {"attempts_per_recovery", s.attempts_per_recovery},
            {"recovered_by", json::object{{"internal", s.recovered_by_internal}, {"external", s.recovered_by_external}}},
            {"by_connector", tallies(s.by_connector)},
            {"by_decline_class", tallies(s.by_decline_class)},
            {"per_day", std::move(per_day)}};
}

} // namespace recoupd::http
