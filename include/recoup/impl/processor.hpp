#pragma once

RECOUP_BEGIN_NAMESPACE

inline void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const charge_request& r)
{
    auto& o = jv.emplace_object();
    o["payment_id"] = r.payment_id;
    o["attempt_id"] = r.attempt_id;
    o["amount"] = r.amount;
    o["currency"] = r.currency.str();
    o["payment_method_token"] = r.payment_method_token;
    detail::put_optional(o, "customer_id", r.customer_id);
    o["idempotency_key"] = r.idempotency_key;
    detail::put_optional(o, "description", r.description);
}

inline charge_request tag_invoke(const boost::json::value_to_tag<charge_request>&, const boost::json::value& jv)
{
    const auto& o = wire::as_object(jv);
    charge_request r;
    r.payment_id = wire::required<std::string>(o, "payment_id");
    r.attempt_id = wire::required<std::string>(o, "attempt_id");
    r.amount = wire::required<std::int64_t>(o, "amount");
    r.currency = detail::read_currency(o, "currency");
    r.payment_method_token = wire::required<std::string>(o, "payment_method_token");
    r.customer_id = wire::optional<std::string>(o, "customer_id");
    r.idempotency_key = wire::required<std::string>(o, "idempotency_key");
    r.description = wire::optional<std::string>(o, "description");
    return r;
}

inline void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const charge_result& r)
{
    auto& o = jv.emplace_object();
    o["status"] = to_string(r.status);
    if (r.decline) o["decline"] = to_string(*r.decline);
    else o["decline"] = nullptr;
    detail::put_optional(o, "error_code", r.error_code);
    detail::put_optional(o, "error_message", r.error_message);
    detail::put_optional(o, "processor_transaction_id", r.processor_transaction_id);
    if (r.decline_class) o["decline_class"] = to_string(*r.decline_class);
    if (r.network) o["network"] = to_string(*r.network);
    detail::put_optional(o, "network_decline_code", r.network_decline_code);
    detail::put_optional(o, "network_advice_code", r.network_advice_code);
}

inline charge_result tag_invoke(const boost::json::value_to_tag<charge_result>&, const boost::json::value& jv)
{
    const auto& o = wire::as_object(jv);
    charge_result r;
    r.status = detail::read_enum<charge_status>(o, "status");
    if (const auto* d = o.if_contains("decline"); d && !d->is_null())
        r.decline = detail::read_enum<decline_kind>(o, "decline");
    r.error_code = wire::optional<std::string>(o, "error_code");
    r.error_message = wire::optional<std::string>(o, "error_message");
    r.processor_transaction_id = wire::optional<std::string>(o, "processor_transaction_id");
    // The taxonomy keys are optional (a plugin built before them omits them); a value recoup
    // does not know is refused, never read as absent.
    if (const auto* c = o.if_contains("decline_class"); c && !c->is_null())
        r.decline_class = detail::read_enum<recoup::decline_class>(o, "decline_class");
    if (const auto* n = o.if_contains("network"); n && !n->is_null())
        r.network = detail::read_enum<card_network>(o, "network");
    r.network_decline_code = wire::optional<std::string>(o, "network_decline_code");
    r.network_advice_code = wire::optional<std::string>(o, "network_advice_code");
    if (r.decline_class) {
        if (r.status != charge_status::failed)
            wire::raise(error::invalid_field, "decline_class", "a decline class on a charge that did not fail");
        const auto implied = decline_kind_of(*r.decline_class);
        if (!r.decline) r.decline = implied;
        else if (*r.decline != implied)
            wire::raise(error::invalid_field, "decline",
                        "\"" + std::string(to_string(*r.decline)) + "\" contradicts decline_class \"" +
                            std::string(to_string(*r.decline_class)) + "\", which is " +
                            std::string(to_string(implied)));
    }
    return r;
}

inline charge_result declined_charge(recoup::decline_class cls, std::optional<std::string> error_code,
                                     std::optional<std::string> error_message)
{
    charge_result r;
    r.status = charge_status::failed;
    r.decline = decline_kind_of(cls);
    r.decline_class = cls;
    r.error_code = std::move(error_code);
    r.error_message = std::move(error_message);
    return r;
}

inline void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const charge_step& s)
{
    auto& o = jv.emplace_object();
    detail::put_optional(o, "request", s.request);
    detail::put_optional(o, "result", s.result);
}

inline charge_step tag_invoke(const boost::json::value_to_tag<charge_step>&, const boost::json::value& jv)
{
    const auto& o = wire::as_object(jv);
    charge_step s;
    s.request = wire::optional<outbound_request>(o, "request");
    s.result = wire::optional<charge_result>(o, "result");
    if (s.request.has_value() == s.result.has_value())
        wire::raise(error::invalid_field, "request", "a charge step has exactly one of request and result");
    return s;
}

inline void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const status_request& s)
{
    auto& o = jv.emplace_object();
    o["processor_transaction_id"] = s.processor_transaction_id;
    o["charge"] = boost::json::value_from(s.charge);
}

inline status_request tag_invoke(const boost::json::value_to_tag<status_request>&, const boost::json::value& jv)
{
    const auto& o = wire::as_object(jv);
    status_request s;
    s.processor_transaction_id = wire::required<std::string>(o, "processor_transaction_id");
    s.charge = wire::required<charge_request>(o, "charge");
    return s;
}

RECOUP_END_NAMESPACE
