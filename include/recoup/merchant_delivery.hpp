// recoup: delivering merchant events (docs/merchant-webhooks.md), the pure part: the Standard
// Webhooks signature, the retry schedule of an outgoing webhook, and when an endpoint that keeps
// failing is disabled. The host sends; these decide.
#pragma once

#include <recoup/detail/config.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

RECOUP_BEGIN_NAMESPACE

// Endpoint secrets are "whsec_" + base64 of the key bytes (Standard Webhooks).
inline constexpr std::string_view endpoint_secret_prefix = "whsec_";

// The key of a "whsec_..." secret: its base64 part decoded; nullopt when it is not that shape or
// the key is empty.
std::optional<std::string> endpoint_secret_key(std::string_view secret);

// A new secret from `random_bytes` (24 to 64 of them): "whsec_" + their base64.
std::string endpoint_secret_from(std::string_view random_bytes);

// The webhook-signature header value: "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)).
std::string standard_webhook_signature(std::string_view key, std::string_view id, std::int64_t timestamp,
                                       std::string_view body);

// After a failed attempt, the next waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then 10 h again and
// again (Svix's published schedule, kept up beyond its last step), for as long as the next attempt
// falls within three days of the webhook's creation; then it is given up (failed).
inline constexpr std::array<std::int64_t, 6> outgoing_retry_delays{5, 300, 1800, 7200, 18000, 36000};
inline constexpr std::int64_t outgoing_retry_window = 3 * 24 * 3600;

struct delivery_decision {
    enum class state { delivered, pending, failed } next = state::pending;
    std::int32_t attempts = 0;      // attempts made, this one included
    std::int64_t next_attempt_at = 0; // when pending
};

// After attempt number `attempts_before + 1` of a webhook created at `created_at`, made at `now`.
// `delivered`: the endpoint answered 2xx.
delivery_decision decide_after_delivery(std::int32_t attempts_before, std::int64_t created_at, std::int64_t now,
                                        bool delivered) noexcept;

// An endpoint is disabled when a webhook to it is given up (three days of failed attempts) and no
// delivery to it succeeded meanwhile: its consecutive failures, counted over every webhook and
// reset by any 2xx, are at least the given-up webhook's attempts.
bool should_disable_endpoint(std::int32_t consecutive_failures, const delivery_decision& d) noexcept;

RECOUP_END_NAMESPACE

#include <recoup/impl/merchant_delivery.hpp>
