#pragma once

#include <recoup/crypto.hpp>

RECOUP_BEGIN_NAMESPACE

inline std::optional<std::string> endpoint_secret_key(std::string_view secret)
{
    if (!secret.starts_with(endpoint_secret_prefix)) return std::nullopt;
    auto key = base64_decode(secret.substr(endpoint_secret_prefix.size()));
    if (!key || key->empty()) return std::nullopt;
    return key;
}

inline std::string endpoint_secret_from(std::string_view random_bytes)
{
    return std::string(endpoint_secret_prefix) + base64_encode(random_bytes);
}

inline std::string standard_webhook_signature(std::string_view key, std::string_view id, std::int64_t timestamp,
                                              std::string_view body)
{
    std::string content;
    content.reserve(id.size() + body.size() + 24);
    content.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
    return "v1," + base64_encode(as_string_view(hmac_sha256(key, content)));
}

inline delivery_decision decide_after_delivery(std::int32_t attempts_before, std::int64_t created_at,
                                               std::int64_t now, bool delivered) noexcept
{
    delivery_decision d;
    d.attempts = attempts_before + 1;
    if (delivered) {
        d.next = delivery_decision::state::delivered;
        return d;
    }
    const auto step = static_cast<std::size_t>(d.attempts - 1);
    const auto delay = outgoing_retry_delays[step < outgoing_retry_delays.size() ? step : outgoing_retry_delays.size() - 1];
    d.next_attempt_at = now + delay;
    d.next = d.next_attempt_at > created_at + outgoing_retry_window ? delivery_decision::state::failed
                                                                    : delivery_decision::state::pending;
    return d;
}

inline bool should_disable_endpoint(std::int32_t consecutive_failures, const delivery_decision& d) noexcept
{
    return d.next == delivery_decision::state::failed && consecutive_failures >= d.attempts;
}

RECOUP_END_NAMESPACE
