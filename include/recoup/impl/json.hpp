#pragma once

RECOUP_BEGIN_NAMESPACE

namespace detail {

template <class T>
void put_optional(boost::json::object& o, std::string_view key, const std::optional<T>& v)
{
    if (v) o[key] = boost::json::value_from(*v, o.storage()); // built where it is kept, not copied there
    else o[key] = nullptr;
}

template <named_enum E>
E read_enum(const boost::json::object& o, std::string_view key)
{
    auto s = wire::required<std::string>(o, key);
    auto e = enum_from_string<E>(s);
    if (!e) wire::raise(error::invalid_field, std::string(key), "unknown value \"" + s + "\"");
    return *e;
}

inline currency read_currency(const boost::json::object& o, std::string_view key)
{
    auto c = parse_currency(wire::required<std::string>(o, key), key);
    if (!c) throw exception(c.error());
    return *c;
}

inline merchant_reference_id read_reference(const boost::json::object& o, std::string_view key)
{
    auto r = merchant_reference_id::make(wire::required<std::string>(o, key), key);
    if (!r) throw exception(r.error());
    return *r;
}

} // namespace detail

inline void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const address& a)
{
    auto& o = jv.emplace_object();
    detail::put_optional(o, "first_name", a.first_name);
    detail::put_optional(o, "last_name", a.last_name);
    detail::put_optional(o, "line1", a.line1);
    detail::put_optional(o, "line2", a.line2);
    detail::put_optional(o, "line3", a.line3);
    detail::put_optional(o, "city", a.city);
    detail::put_optional(o, "state", a.state);
    detail::put_optional(o, "zip", a.zip);
    detail::put_optional(o, "country", a.country);
}

inline void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const recovery_invoice& i)
{
    auto& o = jv.emplace_object();
    o["merchant_reference_id"] = i.merchant_reference_id.str();
    o["amount"] = i.amount;
    o["currency"] = i.currency.str();
    detail::put_optional(o, "billing_address", i.billing_address);
    o["retry_count"] = i.retry_count;
    detail::put_optional(o, "next_billing_at", i.next_billing_at);
}

inline void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const recovery_attempt& a)
{
    auto& o = jv.emplace_object();
    o["amount"] = a.amount;
    o["currency"] = a.currency.str();
    o["merchant_reference_id"] = a.merchant_reference_id.str();
    o["connector_transaction_id"] = a.connector_transaction_id;
    detail::put_optional(o, "error_code", a.error_code);
    detail::put_optional(o, "error_message", a.error_message);
    detail::put_optional(o, "processor_payment_method_token", a.processor_payment_method_token);
    detail::put_optional(o, "connector_customer_id", a.connector_customer_id);
    detail::put_optional(o, "connector_account_reference_id", a.connector_account_reference_id);
    detail::put_optional(o, "transaction_created_at", a.transaction_created_at);
    o["status"] = to_string(a.status);
    detail::put_optional(o, "payment_method_type", a.payment_method_type);
    detail::put_optional(o, "payment_method_subtype", a.payment_method_subtype);
    detail::put_optional(o, "retry_count", a.retry_count);
    detail::put_optional(o, "charge_id", a.charge_id);
    // Optional keys, written only when there is something to say (plugins before them omit them).
    if (a.card_network) o["card_network"] = *a.card_network;
    if (!a.alternate_payment_methods.empty()) {
        auto& methods = o["alternate_payment_methods"].emplace_array();
        for (const auto& m : a.alternate_payment_methods) {
            boost::json::object pm{{"id", m.id}};
            detail::put_optional(pm, "network", m.network);
            detail::put_optional(pm, "type", m.type);
            methods.push_back(std::move(pm));
        }
    }
}

inline payment_method_ref tag_invoke(const boost::json::value_to_tag<payment_method_ref>&,
                                     const boost::json::value& jv)
{
    const auto& o = wire::as_object(jv);
    payment_method_ref m;
    m.id = wire::required<std::string>(o, "id");
    if (m.id.empty()) wire::raise(error::invalid_field, "id", "must not be empty");
    m.network = wire::optional<std::string>(o, "network");
    m.type = wire::optional<std::string>(o, "type");
    return m;
}

inline address tag_invoke(const boost::json::value_to_tag<address>&, const boost::json::value& jv)
{
    const auto& o = wire::as_object(jv);
    address a;
    a.first_name = wire::optional<std::string>(o, "first_name");
    a.last_name = wire::optional<std::string>(o, "last_name");
    a.line1 = wire::optional<std::string>(o, "line1");
    a.line2 = wire::optional<std::string>(o, "line2");
    a.line3 = wire::optional<std::string>(o, "line3");
    a.city = wire::optional<std::string>(o, "city");
    a.state = wire::optional<std::string>(o, "state");
    a.zip = wire::optional<std::string>(o, "zip");
    a.country = wire::optional<std::string>(o, "country");
    return a;
}

inline recovery_invoice tag_invoke(const boost::json::value_to_tag<recovery_invoice>&,
                                   const boost::json::value& jv)
{
    const auto& o = wire::as_object(jv);
    recovery_invoice i;
    i.merchant_reference_id = detail::read_reference(o, "merchant_reference_id");
    i.amount = wire::unwrap(checked_minor_units(wire::required<std::int64_t>(o, "amount"), "amount"));
    i.currency = detail::read_currency(o, "currency");
    i.billing_address = wire::optional<address>(o, "billing_address");
    i.retry_count = wire::optional<std::int32_t>(o, "retry_count").value_or(0);
    i.next_billing_at = wire::optional<std::int64_t>(o, "next_billing_at");
    return i;
}

inline recovery_attempt tag_invoke(const boost::json::value_to_tag<recovery_attempt>&,
                                   const boost::json::value& jv)
{
    const auto& o = wire::as_object(jv);
    recovery_attempt a;
    a.amount = wire::unwrap(checked_minor_units(wire::required<std::int64_t>(o, "amount"), "amount"));
    a.currency = detail::read_currency(o, "currency");
    a.merchant_reference_id = detail::read_reference(o, "merchant_reference_id");
    a.connector_transaction_id = wire::required<std::string>(o, "connector_transaction_id");
    a.error_code = wire::optional<std::string>(o, "error_code");
    a.error_message = wire::optional<std::string>(o, "error_message");
    a.processor_payment_method_token = wire::optional<std::string>(o, "processor_payment_method_token");
    a.connector_customer_id = wire::optional<std::string>(o, "connector_customer_id");
    a.connector_account_reference_id = wire::optional<std::string>(o, "connector_account_reference_id");
    a.transaction_created_at = wire::optional<std::int64_t>(o, "transaction_created_at");
    a.status = detail::read_enum<attempt_status>(o, "status");
    a.payment_method_type = wire::optional<std::string>(o, "payment_method_type");
    a.payment_method_subtype = wire::optional<std::string>(o, "payment_method_subtype");
    a.retry_count = wire::optional<std::int32_t>(o, "retry_count");
    a.charge_id = wire::optional<std::string>(o, "charge_id");
    a.card_network = wire::optional<std::string>(o, "card_network");
    if (auto methods = wire::optional<std::vector<payment_method_ref>>(o, "alternate_payment_methods"))
        a.alternate_payment_methods = std::move(*methods);
    return a;
}

namespace detail {

inline boost::json::array headers_to_json(const std::vector<http_header>& headers)
{
    boost::json::array arr;
    for (const auto& h : headers) arr.push_back(boost::json::array{h.name, h.value});
    return arr;
}

inline std::vector<http_header> headers_from_json(const boost::json::object& o, std::string_view key)
{
    std::vector<http_header> out;
    auto pairs = wire::optional<std::vector<std::vector<std::string>>>(o, key);
    if (!pairs) return out;
    for (auto& pair : *pairs) {
        if (pair.size() != 2) wire::raise(error::invalid_field, std::string(key), "expected [name, value]");
        out.push_back(http_header{std::move(pair[0]), std::move(pair[1])});
    }
    return out;
}

} // namespace detail

inline void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const outbound_request& r)
{
    auto& o = jv.emplace_object();
    o["method"] = r.method;
    o["path"] = r.path;
    o["headers"] = detail::headers_to_json(r.headers);
    o["body"] = r.body;
}

inline outbound_request tag_invoke(const boost::json::value_to_tag<outbound_request>&,
                                   const boost::json::value& jv)
{
    const auto& o = wire::as_object(jv);
    outbound_request r;
    r.method = wire::required<std::string>(o, "method");
    r.path = wire::required<std::string>(o, "path");
    r.headers = detail::headers_from_json(o, "headers");
    r.body = wire::optional<std::string>(o, "body").value_or("");
    return r;
}

inline void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const api_response& r)
{
    jv = boost::json::object{{"status", r.status}, {"body", r.body}};
}

inline api_response tag_invoke(const boost::json::value_to_tag<api_response>&, const boost::json::value& jv)
{
    const auto& o = wire::as_object(jv);
    api_response r;
    r.status = wire::optional<int>(o, "status").value_or(200);
    // It answers a delivery the host has recorded: a success, and a status Beast can write.
    if (r.status < 200 || r.status > 299)
        wire::raise(error::invalid_field, "status", "expected a 2xx status, got " + std::to_string(r.status));
    r.body = wire::optional<std::string>(o, "body").value_or("{}");
    return r;
}

inline void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const normalized_webhook& w)
{
    auto& o = jv.emplace_object();
    o["event_type"] = to_string(w.event_type);
    detail::put_optional(o, "event_id", w.event_id);
    detail::put_optional(o, "event_at", w.event_at);
    o["object_reference_id"] = w.object_reference_id;
    detail::put_optional(o, "invoice", w.invoice);
    detail::put_optional(o, "attempt", w.attempt);
    auto& sync = o["sync_requests"].emplace_array();
    for (const auto& r : w.sync_requests) sync.push_back(boost::json::value_from(r, o.storage()));
    o["api_response"] = boost::json::value_from(w.response, o.storage());
}

inline normalized_webhook tag_invoke(const boost::json::value_to_tag<normalized_webhook>&,
                                     const boost::json::value& jv)
{
    const auto& o = wire::as_object(jv);
    normalized_webhook w;
    w.event_type = detail::read_enum<incoming_webhook_event>(o, "event_type");
    w.event_id = wire::optional<std::string>(o, "event_id");
    w.event_at = wire::optional<std::int64_t>(o, "event_at"); // absent from plugins before ABI 1.2
    w.object_reference_id = wire::optional<std::string>(o, "object_reference_id").value_or("");
    w.invoice = wire::optional<recovery_invoice>(o, "invoice");
    w.attempt = wire::optional<recovery_attempt>(o, "attempt");
    if (auto sync = wire::optional<std::vector<outbound_request>>(o, "sync_requests"))
        w.sync_requests = std::move(*sync);
    // Through wire::optional, so a mistyped member is named "api_response.status".
    if (auto r = wire::optional<api_response>(o, "api_response")) w.response = std::move(*r);
    return w;
}

inline void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const record_back_request& r)
{
    auto& o = jv.emplace_object();
    o["outcome"] = to_string(r.outcome);
    o["invoice_id"] = r.invoice_id;
    o["amount"] = r.amount;
    o["currency"] = r.currency.str();
    detail::put_optional(o, "connector_transaction_id", r.connector_transaction_id);
    detail::put_optional(o, "payment_method_type", r.payment_method_type);
    o["occurred_at"] = r.occurred_at;
}

inline record_back_request tag_invoke(const boost::json::value_to_tag<record_back_request>&,
                                      const boost::json::value& jv)
{
    const auto& o = wire::as_object(jv);
    record_back_request r;
    r.outcome = detail::read_enum<recovery_outcome>(o, "outcome");
    r.invoice_id = wire::required<std::string>(o, "invoice_id");
    r.amount = wire::required<std::int64_t>(o, "amount");
    r.currency = detail::read_currency(o, "currency");
    r.connector_transaction_id = wire::optional<std::string>(o, "connector_transaction_id");
    r.payment_method_type = wire::optional<std::string>(o, "payment_method_type");
    r.occurred_at = wire::optional<std::int64_t>(o, "occurred_at").value_or(0);
    return r;
}

RECOUP_END_NAMESPACE
