#pragma once

#include <algorithm>
#include <string>

RECOUP_BEGIN_NAMESPACE

inline std::optional<std::size_t> utf8_length(std::string_view text) noexcept
{
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++chars) {
        const auto b0 = static_cast<unsigned char>(text[i]);
        if (b0 < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        unsigned char lo = 0x80, hi = 0xBF; // the second byte's range (RFC 3629 table)
        if (b0 >= 0xC2 && b0 <= 0xDF) len = 2;
        else if (b0 == 0xE0) len = 3, lo = 0xA0;
        else if (b0 == 0xED) len = 3, hi = 0x9F; // no surrogates
        else if (b0 >= 0xE1 && b0 <= 0xEF) len = 3;
        else if (b0 == 0xF0) len = 4, lo = 0x90;
        else if (b0 == 0xF4) len = 4, hi = 0x8F; // nothing past U+10FFFF
        else if (b0 >= 0xF1 && b0 <= 0xF3) len = 4;
        else return std::nullopt; // a continuation byte, C0, C1 or F5-FF first
        if (text.size() - i < len) return std::nullopt;
        for (std::size_t k = 1; k < len; ++k) {
            const auto b = static_cast<unsigned char>(text[i + k]);
            if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return std::nullopt;
        }
        i += len;
    }
    return chars;
}

inline result<void> check_storable_text(std::string_view text, std::string_view field, std::size_t max_chars)
{
    if (text.find('\0') != std::string_view::npos)
        return fail(error::invalid_field, std::string(field), "contains a NUL character");
    const auto chars = utf8_length(text);
    if (!chars) return fail(error::invalid_field, std::string(field), "is not valid UTF-8");
    if (*chars > max_chars)
        return fail(error::invalid_field, std::string(field),
                    "longer than " + std::to_string(max_chars) + " characters (" + std::to_string(*chars) + ")");
    return {};
}

namespace detail {

inline result<void> check_optional(const std::optional<std::string>& text, std::string_view field,
                                   std::size_t max_chars = no_length_limit)
{
    if (!text) return {};
    return check_storable_text(*text, field, max_chars);
}

inline result<void> check_address(const address& a, std::string_view prefix)
{
    // billing_address is JSONB: no length limit, but no NUL and UTF-8 only.
    const std::pair<const std::optional<std::string>*, std::string_view> parts[] = {
        {&a.first_name, "first_name"}, {&a.last_name, "last_name"}, {&a.line1, "line1"},
        {&a.line2, "line2"},           {&a.line3, "line3"},         {&a.city, "city"},
        {&a.state, "state"},           {&a.zip, "zip"},             {&a.country, "country"},
    };
    for (const auto& [text, name] : parts)
        if (auto ok = check_optional(*text, std::string(prefix) + std::string(name)); !ok) return ok;
    return {};
}

inline result<void> check_invoice(const recovery_invoice& i)
{
    if (auto ok = check_storable_text(i.merchant_reference_id.str(), "invoice.merchant_reference_id",
                                      max_chars("payment_intent.merchant_reference_id"));
        !ok)
        return ok;
    if (i.billing_address) return check_address(*i.billing_address, "invoice.billing_address.");
    return {};
}

inline result<void> check_attempt(const recovery_attempt& a)
{
    if (auto ok = check_storable_text(a.connector_transaction_id, "attempt.connector_transaction_id",
                                      max_chars("payment_attempt.connector_payment_id"));
        !ok)
        return ok;
    if (auto ok = check_optional(a.charge_id, "attempt.charge_id", max_chars("payment_attempt.charge_id")); !ok)
        return ok;
    if (auto ok = check_optional(a.error_code, "attempt.error_code", max_chars("payment_attempt.error_code")); !ok)
        return ok;
    // The token charged becomes payment_attempt.payment_method_id, an alternate's too when it is tried.
    constexpr auto method_chars = max_chars("payment_attempt.payment_method_id");
    if (auto ok = check_optional(a.processor_payment_method_token, "attempt.processor_payment_method_token",
                                 method_chars);
        !ok)
        return ok;
    for (const auto& m : a.alternate_payment_methods) {
        if (auto ok = check_storable_text(m.id, "attempt.alternate_payment_methods.id", method_chars); !ok) return ok;
        if (auto ok = check_optional(m.network, "attempt.alternate_payment_methods.network"); !ok) return ok;
        if (auto ok = check_optional(m.type, "attempt.alternate_payment_methods.type"); !ok) return ok;
    }
    // TEXT (error_message) and the attempt's JSONB details.
    const std::pair<const std::optional<std::string>*, std::string_view> unbounded[] = {
        {&a.error_message, "attempt.error_message"},
        {&a.card_network, "attempt.card_network"},
        {&a.connector_customer_id, "attempt.connector_customer_id"},
        {&a.connector_account_reference_id, "attempt.connector_account_reference_id"},
        {&a.payment_method_type, "attempt.payment_method_type"},
        {&a.payment_method_subtype, "attempt.payment_method_subtype"},
    };
    for (const auto& [text, name] : unbounded)
        if (auto ok = check_optional(*text, name); !ok) return ok;
    return check_storable_text(a.merchant_reference_id.str(), "attempt.merchant_reference_id",
                               max_chars("payment_intent.merchant_reference_id"));
}

} // namespace detail

inline result<void> check_storable(const normalized_webhook& w, std::optional<std::string_view> kept_body)
{
    // The event id is the dedup key too (webhook_event.dedup_key, webhook_delivery.dedup_key).
    constexpr auto event_id_chars = std::min({max_chars("webhook_event.connector_event_id"),
                                              max_chars("webhook_event.dedup_key"),
                                              max_chars("webhook_delivery.dedup_key")});
    if (auto ok = detail::check_optional(w.event_id, "event_id", event_id_chars); !ok) return ok;
    if (w.invoice)
        if (auto ok = detail::check_invoice(*w.invoice); !ok) return ok;
    if (w.attempt)
        if (auto ok = detail::check_attempt(*w.attempt); !ok) return ok;
    if (!kept_body) return {};
    return check_storable_text(*kept_body, "body"); // webhook_event.body, TEXT
}

inline result<void> check_storable(const charge_result& c)
{
    if (auto ok = detail::check_optional(c.processor_transaction_id, "charge.processor_transaction_id",
                                         max_chars("payment_attempt.connector_payment_id"));
        !ok)
        return ok;
    if (auto ok = detail::check_optional(c.error_code, "charge.error_code", max_chars("payment_attempt.error_code"));
        !ok)
        return ok;
    if (auto ok = detail::check_optional(c.network_decline_code, "charge.network_decline_code",
                                         max_chars("payment_attempt.network_decline_code"));
        !ok)
        return ok;
    if (auto ok = detail::check_optional(c.network_advice_code, "charge.network_advice_code",
                                         max_chars("payment_attempt.network_advice_code"));
        !ok)
        return ok;
    return detail::check_optional(c.error_message, "charge.error_message"); // TEXT
}

RECOUP_END_NAMESPACE
