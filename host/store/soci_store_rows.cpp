// soci_store's row mapping (detail/rows.hpp): stored values to records, and row_error for those that do not map.
#include "store/detail/rows.hpp"

#include <algorithm>
#include <recoup/json.hpp>

#include <boost/json.hpp>

#include <utility>

namespace recoupd::store_detail {

namespace {

recoup::currency currency_of(const std::string& code, std::string_view table, const std::string& id)
{
    const auto c = recoup::find_currency(code);
    if (!c) throw row_error(table, "currency", id, "holds an unknown currency \"" + code + "\"");
    return *c;
}

template <class E>
E enum_of(const std::string& text, std::string_view table, std::string_view column, const std::string& id)
{
    const auto e = recoup::enum_from_string<E>(text);
    if (!e) throw row_error(table, column, id, "holds an unknown value \"" + text + "\"");
    return *e;
}

std::string address_json(const std::optional<recoup::address>& a)
{
    return a ? boost::json::serialize(boost::json::value_from(*a)) : std::string();
}

recoup::address address_of(const std::string& text, const std::string& id)
{
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(text, ec);
    if (ec) throw row_error(intent_row::table, "billing_address", id, "is not valid JSON: " + ec.message());
    try {
        return boost::json::value_to<recoup::address>(parsed);
    } catch (const std::exception& e) {
        throw row_error(intent_row::table, "billing_address", id, std::string("is not an address: ") + e.what());
    }
}

} // namespace

row_error::row_error(std::string_view table, std::string_view column, const std::string& id, const std::string& why)
    : std::runtime_error("cannot read " + std::string(table) + " \"" + id + "\": " + std::string(column) + " " + why)
{
}

std::optional<std::string> compact_json_object(const std::string& text)
{
    boost::system::error_code ec;
    const auto v = boost::json::parse(text.empty() ? std::string("{}") : text, ec);
    if (ec || !v.is_object()) return std::nullopt;
    return boost::json::serialize(v);
}

recoup::intent_record intent_row::record() const
{
    recoup::intent_record r;
    r.id = id;
    r.profile_id = profile_id;
    r.merchant_reference_id = reference;
    r.billing_mca_id = or_empty(mca, mca_ind);
    r.amount = amount;
    r.currency = currency_of(currency, table, id);
    r.status = enum_of<recoup::intent_status>(status, table, "status", id);
    if (address_ind == soci::i_ok && !address.empty()) r.billing_address = address_of(address, id);
    r.total_retry_count = retries;
    r.feature_metadata = metadata_ind == soci::i_ok ? metadata : "{}";
    r.created_at = created;
    r.modified_at = modified;
    if (last_event_ind == soci::i_ok) r.last_event_at = last_event;
    return r;
}

intent_binds::intent_binds(const recoup::intent_record& intent)
    : currency(intent.currency.str()), status(recoup::to_string(intent.status)),
      mca(from_non_empty(intent.billing_mca_id)), address(from_non_empty(address_json(intent.billing_address))),
      metadata(from_non_empty(intent.feature_metadata)), amount(intent.amount), created(intent.created_at),
      modified(intent.modified_at), last_event(intent.last_event_at.value_or(0)),
      last_event_ind(intent.last_event_at ? soci::i_ok : soci::i_null)
{
}

recoup::attempt_record attempt_row::record() const
{
    recoup::attempt_record r;
    r.id = id;
    r.payment_id = payment_id;
    r.status = enum_of<recoup::attempt_status>(status, table, "status", id);
    r.amount = amount;
    r.currency = currency_of(currency, table, id);
    r.connector_payment_id = connector_payment_id;
    r.charge_id = to_optional(charge_id, charge_ind);
    r.error_code = to_optional(error_code, code_ind);
    r.error_message = to_optional(error_message, message_ind);
    r.triggered_by = enum_of<recoup::triggered_by>(triggered, table, "triggered_by", id);
    r.feature_metadata = or_empty(metadata, metadata_ind);
    r.details = or_empty(details, details_ind);
    r.created_at = created;
    r.modified_at = modified;
    r.decline_class = to_optional(decline_class, class_ind);
    r.network = to_optional(network, network_ind);
    r.network_decline_code = to_optional(network_code, network_code_ind);
    r.network_advice_code = to_optional(advice_code, advice_ind);
    r.payment_method_id = to_optional(method, method_ind);
    r.credential_id = to_optional(credential, credential_ind);
    return r;
}

attempt_binds::attempt_binds(const recoup::attempt_record& a)
    : status(recoup::to_string(a.status)), currency(a.currency.str()), triggered(recoup::to_string(a.triggered_by)),
      charge(from_optional(a.charge_id)), code(from_optional(a.error_code)), message(from_optional(a.error_message)),
      metadata(from_non_empty(a.feature_metadata)), details(from_non_empty(a.details)),
      decline_class(from_optional(a.decline_class)), network(from_optional(a.network)),
      network_code(from_optional(a.network_decline_code)), advice_code(from_optional(a.network_advice_code)),
      method(from_optional(a.payment_method_id)), credential(from_optional(a.credential_id)), amount(a.amount),
      created(a.created_at), modified(a.modified_at)
{
}

recoup::task_record task_row::record() const
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

recoup::event_record event_row::record() const
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

profile_record profile_row::record() const
{
    profile_record p;
    p.id = id;
    p.retry_algorithm = algorithm;
    p.retry_schedule = to_optional(schedule, schedule_ind);
    p.created_at = created;
    if (rules_ind == soci::i_ok) {
        // Compact, as it was given: PostgreSQL's JSONB adds spaces.
        boost::system::error_code ec;
        const auto v = boost::json::parse(rules, ec);
        if (ec) throw row_error(table, "network_rules", id, "is not valid JSON: " + ec.message());
        p.network_rules = boost::json::serialize(v);
    }
    return p;
}

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

std::vector<stored_secret> secrets_from_json(const std::string& text, const std::string& mca_id)
{
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(text, ec);
    if (ec) throw row_error(mca_row::table, "secrets", mca_id, "is not valid JSON: " + ec.message());
    std::vector<stored_secret> out;
    try {
        for (const auto& v : parsed.as_array()) {
            const auto& o = v.as_object();
            stored_secret s{std::string(o.at("value").as_string()), std::nullopt};
            if (const auto* e = o.if_contains("expires_at"); e && e->is_int64()) s.expires_at = e->as_int64();
            out.push_back(std::move(s));
        }
    } catch (const std::exception& e) {
        throw row_error(mca_row::table, "secrets", mca_id, std::string("is not a list of secrets: ") + e.what());
    }
    return out;
}

std::string secrets_aad(const std::string& mca_id) { return "merchant_connector_account:" + mca_id + ":secrets"; }
std::string api_key_aad(const std::string& mca_id) { return "merchant_connector_account:" + mca_id + ":api_key"; }

mca_record mca_row::record(const secret_box& box, std::int64_t now) const
{
    mca_record m;
    m.id = id;
    m.profile_id = profile_id;
    m.connector = connector;
    for (auto& s : secrets_from_json(box.open(sealed, secrets_aad(id)), id))
        if (!s.expires_at || *s.expires_at > now) {
            if (s.expires_at)
                m.secrets_expire_at = std::min(m.secrets_expire_at.value_or(*s.expires_at), *s.expires_at);
            m.secrets.push_back(std::move(s.value));
        }
    if (key_ind == soci::i_ok) m.api_key = box.open(api_key, api_key_aad(id));
    m.base_url = to_optional(base_url, url_ind);
    m.settings = settings;
    m.created_at = created;
    return m;
}

mca_summary mca_summary_row::record() const
{
    mca_summary s;
    s.id = id;
    s.profile_id = profile_id;
    s.connector = connector;
    s.secret_count = secret_count;
    s.has_api_key = has_key == 1;
    s.base_url = to_optional(base_url, url_ind);
    // Compact, as it was given: PostgreSQL's JSONB adds spaces.
    const auto compact = compact_json_object(settings);
    if (!compact) throw row_error(table, "settings", id, "is not a JSON object");
    s.settings = *compact;
    s.created_at = created;
    return s;
}

} // namespace recoupd::store_detail
