#pragma once

RECOUP_BEGIN_NAMESPACE

inline std::string task_id(task_kind kind, std::string_view payment_id)
{
    std::string id(passive_recovery_runner);
    id.append("_").append(to_string(kind)).append("_").append(payment_id);
    return id;
}

namespace detail::tracking {

inline std::string text(const boost::json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

inline std::int64_t integer(const boost::json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    if (v && v->is_int64()) return v->as_int64();
    if (v && v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
    return 0;
}

inline const boost::json::object& object(const boost::json::value& jv)
{
    static const boost::json::object empty;
    return jv.is_object() ? jv.as_object() : empty;
}

} // namespace detail::tracking

inline void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const execute_tracking& t)
{
    boost::json::object o{{"payment_id", t.payment_id}, {"profile_id", t.profile_id},
                          {"billing_mca_id", t.billing_mca_id}};
    if (t.processor_faults != 0) o["processor_faults"] = t.processor_faults;
    jv = std::move(o);
}

inline void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const psync_tracking& t)
{
    boost::json::object o{{"payment_id", t.payment_id},
                          {"attempt_id", t.attempt_id},
                          {"processor_transaction_id", t.processor_transaction_id},
                          {"poll_count", t.poll_count}};
    if (t.processor_faults != 0) o["processor_faults"] = t.processor_faults;
    jv = std::move(o);
}

inline void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const record_back_tracking& t)
{
    boost::json::object o{{"payment_id", t.payment_id},
                          {"profile_id", t.profile_id},
                          {"billing_mca_id", t.billing_mca_id},
                          {"outcome", to_string(t.outcome)},
                          {"invoice_id", t.invoice_id},
                          {"amount", t.amount},
                          {"currency", t.currency.str()},
                          {"attempt_id", t.attempt_id},
                          {"occurred_at", t.occurred_at}};
    if (t.connector_transaction_id) o["connector_transaction_id"] = *t.connector_transaction_id;
    jv = std::move(o);
}

inline execute_tracking tag_invoke(const boost::json::value_to_tag<execute_tracking>&, const boost::json::value& jv)
{
    const auto& o = detail::tracking::object(jv);
    return {detail::tracking::text(o, "payment_id"), detail::tracking::text(o, "profile_id"),
            detail::tracking::text(o, "billing_mca_id"),
            static_cast<std::int32_t>(detail::tracking::integer(o, "processor_faults"))};
}

inline psync_tracking tag_invoke(const boost::json::value_to_tag<psync_tracking>&, const boost::json::value& jv)
{
    const auto& o = detail::tracking::object(jv);
    return {detail::tracking::text(o, "payment_id"), detail::tracking::text(o, "attempt_id"),
            detail::tracking::text(o, "processor_transaction_id"),
            static_cast<std::int32_t>(detail::tracking::integer(o, "poll_count")),
            static_cast<std::int32_t>(detail::tracking::integer(o, "processor_faults"))};
}

inline record_back_tracking tag_invoke(const boost::json::value_to_tag<record_back_tracking>&,
                                       const boost::json::value& jv)
{
    const auto& o = detail::tracking::object(jv);
    record_back_tracking t;
    t.payment_id = detail::tracking::text(o, "payment_id");
    t.profile_id = detail::tracking::text(o, "profile_id");
    t.billing_mca_id = detail::tracking::text(o, "billing_mca_id");
    // Anything but "succeeded" reports a failure, as the scheduler always read it.
    t.outcome = detail::tracking::text(o, "outcome") == to_string(recovery_outcome::succeeded)
                    ? recovery_outcome::succeeded
                    : recovery_outcome::failed;
    t.invoice_id = detail::tracking::text(o, "invoice_id");
    t.amount = detail::tracking::integer(o, "amount");
    if (auto c = find_currency(detail::tracking::text(o, "currency"))) t.currency = *c;
    t.attempt_id = detail::tracking::text(o, "attempt_id");
    t.occurred_at = detail::tracking::integer(o, "occurred_at");
    if (const auto* v = o.if_contains("connector_transaction_id"); v && v->is_string())
        t.connector_transaction_id = std::string(v->as_string());
    return t;
}

template <class T>
std::string tracking_text(const T& data)
{
    return boost::json::serialize(boost::json::value_from(data));
}

template <class T>
T tracking_of(std::string_view text)
{
    boost::system::error_code ec;
    const auto v = boost::json::parse(text, ec);
    return boost::json::value_to<T>(ec ? boost::json::value() : v);
}

RECOUP_END_NAMESPACE
