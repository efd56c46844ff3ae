#pragma once

RECOUP_BEGIN_NAMESPACE

inline std::optional<std::chrono::seconds> mca_config::signature_tolerance() const noexcept
{
    const auto* v = setting("signature_tolerance_seconds");
    if (v == nullptr || !v->is_int64()) return std::chrono::seconds(RECOUP_DEFAULT_TOLERANCE_SECONDS);
    if (v->get_int64() <= 0) return std::nullopt;
    return std::chrono::seconds(v->get_int64());
}

inline std::optional<std::string_view> find_header(std::span<const http_header> headers,
                                                   std::string_view name)
{
    for (const auto& h : headers)
        if (iequals(h.name, name)) return std::string_view(h.value);
    return std::nullopt;
}

template <billing_connector C>
result<normalized_webhook> normalize(const C& connector, const webhook_request& req,
                                     const mca_config& mca, std::span<const sync_exchange> sync)
{
    auto parsed = connector.parse(req, mca, sync);
    if (!parsed) return parsed.error();
    const auto& w = *parsed;

    normalized_webhook out;
    out.event_type = connector.event_type(w);
    out.event_id = connector.event_id(w);
    if constexpr (has_event_time<C>) out.event_at = connector.event_time(w);
    if constexpr (has_api_response<C>) out.response = connector.api_response(w);
    if (out.event_type == incoming_webhook_event::event_not_supported) return out;

    if constexpr (has_sync_requests<C>) {
        out.sync_requests = connector.sync_requests(w, mca);
        if (!out.sync_requests.empty()) return out;
    }
    auto ref = connector.object_reference_id(w);
    if (!ref) return ref.error();
    out.object_reference_id = std::move(*ref);

    auto invoice = connector.invoice_details(w);
    if (!invoice) return invoice.error();
    out.invoice = std::move(*invoice);

    if (is_transaction_event(out.event_type)) {
        auto attempt = connector.attempt_details(w);
        if (!attempt) return attempt.error();
        out.attempt = std::move(*attempt);
        if constexpr (!has_event_time<C>) out.event_at = out.attempt->transaction_created_at;
    }
    return out;
}

RECOUP_END_NAMESPACE
