// recoup: verification of webhook sources (Stripe and Recurly HMAC signatures, HTTP Basic auth,
// Standard Webhooks) and the matching signing helpers for tests and tools. Every verifier is a
// pure function of the header values, the raw body, the MCA's secrets and `now`; none throws.
#pragma once

#include <recoup/detail/config.hpp>
#include <recoup/clock.hpp>
#include <recoup/crypto.hpp>
#include <recoup/error.hpp>
#include <recoup/result.hpp>
#include <recoup/webhook_request.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

RECOUP_BEGIN_NAMESPACE

inline constexpr std::string_view stripe_signature_header = "Stripe-Signature";
inline constexpr std::string_view recurly_signature_header = "recurly-signature";
inline constexpr std::string_view authorization_header = "Authorization";
inline constexpr std::string_view standard_webhook_id_header = "webhook-id";
inline constexpr std::string_view standard_webhook_timestamp_header = "webhook-timestamp";
inline constexpr std::string_view standard_webhook_signature_header = "webhook-signature";

// Longer signature or credential headers are rejected before any parsing.
inline constexpr std::size_t max_signature_header_size = 8192;

// The header that must appear exactly once: missing -> error::missing_signature, more than once
// -> error::duplicate_signature_header; the failure's field is `name`.
result<std::string_view> single_header(const webhook_request& req, std::string_view name);

// Secrets: every secret the MCA holds (several during a rotation); empty strings are ignored.
// Tolerance: applies both ways (too old, too far in the future); std::nullopt disables it.

// "t=<unix s>,v1=<hex>[,v1=<hex>...][,v0=...]"; HMAC-SHA256 of "<t>.<body>" keyed with the whole
// secret string; any v1 may match any secret; other schemes are ignored (downgrade protection).
result<void> verify_stripe_signature(
    std::string_view header_value, std::string_view body, std::span<const std::string> secrets,
    time_point now,
    std::optional<std::chrono::seconds> tolerance = std::chrono::seconds(RECOUP_DEFAULT_TOLERANCE_SECONDS));

// "<timestamp_ms>,<hex>[,<hex>...]"; HMAC-SHA256 of "<timestamp_ms>.<body>"; hex of either case;
// the tolerance is compared in milliseconds.
result<void> verify_recurly_signature(
    std::string_view header_value, std::string_view body, std::span<const std::string> secrets,
    time_point now,
    std::optional<std::chrono::seconds> tolerance = std::chrono::seconds(RECOUP_DEFAULT_TOLERANCE_SECONDS));

// "Basic base64(user:password)", scheme of any case; each credential is one "user:password".
// Compares against every credential in constant time, whichever matches.
result<void> verify_basic_auth(std::string_view authorization_value,
                               std::span<const std::string> credentials);

// standardwebhooks.com: `signature_header` is a space-separated list of "v1,<base64>" over
// "<id>.<timestamp>.<body>", keyed with the base64-decoded secret (an optional "whsec_" prefix
// is stripped first); other versions are ignored.
result<void> verify_standard_webhook(
    std::string_view id, std::string_view timestamp, std::string_view signature_header,
    std::string_view body, std::span<const std::string> secrets, time_point now,
    std::optional<std::chrono::seconds> tolerance = std::chrono::seconds(RECOUP_DEFAULT_TOLERANCE_SECONDS));

// Signing helpers, for tests, tools and the demo command. They may throw.
std::string sign_stripe(std::string_view body, std::string_view secret, time_point at);  // "t=..,v1=.."
std::string sign_recurly(std::string_view body, std::string_view secret, time_point at); // "<ms>,<hex>"
// "v1,<base64>"; throws std::invalid_argument when the secret is not base64 (after "whsec_").
std::string sign_standard_webhook(std::string_view id, std::int64_t timestamp, std::string_view body,
                                  std::string_view secret);
std::string basic_auth_value(std::string_view user, std::string_view password); // "Basic ...."

RECOUP_END_NAMESPACE

#include <recoup/impl/signature.hpp>
