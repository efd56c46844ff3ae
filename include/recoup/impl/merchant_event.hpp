#pragma once

#include <recoup/time.hpp>

#include <boost/json.hpp>

#include <type_traits>

RECOUP_BEGIN_NAMESPACE

template <class Attempt>
std::optional<std::string> decline_class_of(const Attempt& a)
{
    if constexpr (requires { a.decline_class; }) {
        using field = std::remove_cvref_t<decltype(a.decline_class)>;
        if constexpr (std::is_convertible_v<const field&, std::optional<std::string>>) {
            std::optional<std::string> text = a.decline_class;
            if (text && text->empty()) return std::nullopt; // a plain string column left empty
            return text;
        } else if constexpr (requires { a.decline_class.has_value(); to_string(*a.decline_class); }) {
            if (!a.decline_class) return std::nullopt;
            return std::string(to_string(*a.decline_class));
        } else if constexpr (requires { to_string(a.decline_class); }) {
            return std::string(to_string(a.decline_class));
        }
    }
    return std::nullopt;
}

inline merchant_event make_merchant_event(merchant_event_type type, const intent_record& intent, std::int64_t now)
{
    merchant_event e;
    e.type = type;
    e.profile_id = intent.profile_id;
    e.payment_id = intent.id;
    e.invoice = intent.merchant_reference_id;
    e.amount = intent.amount;
    e.currency = intent.currency;
    e.occurred_at = now;
    return e;
}

inline merchant_event_attempt merchant_attempt_of(const attempt_record& a, std::optional<std::int32_t> number)
{
    return {a.id, number, a.triggered_by, a.error_code, a.error_message};
}

inline std::string merchant_event_body(const merchant_event& e)
{
    namespace json = boost::json;
    const auto text = [](const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); };
    json::value attempt = nullptr;
    if (e.attempt) {
        const auto& a = *e.attempt;
        attempt = json::object{
            {"id", a.id},
            {"number", a.number ? json::value(*a.number) : json::value(nullptr)},
            {"triggered_by", to_string(a.triggered_by)},
            {"error_code", text(a.error_code)},
            {"error_message", text(a.error_message)},
        };
    }
    json::object data{
        {"payment_id", e.payment_id},
        {"invoice", e.invoice},
        {"profile_id", e.profile_id},
        {"amount", e.amount},
        {"currency", e.currency.str()},
        {"attempt", std::move(attempt)},
        {"decline_class", text(e.decline_class)},
        {"next_retry_at", e.next_retry_at ? json::value(format_iso8601(*e.next_retry_at)) : json::value(nullptr)},
        {"reason", text(e.reason)},
    };
    return json::serialize(json::object{
        {"type", to_string(e.type)}, {"timestamp", format_iso8601(e.occurred_at)}, {"data", std::move(data)}});
}

RECOUP_END_NAMESPACE
