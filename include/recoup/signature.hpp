// recoup: verification of webhook sources and the matching signers for tests and tools. One
// configurable HMAC-SHA256 scheme (hmac_scheme) describes where a platform puts its timestamp and
// signatures and what it signs; Stripe, Recurly and Standard Webhooks are presets of it, and a new
// platform is usually a few lines (docs/writing-a-connector.md). HTTP Basic auth is separate. Every
// verifier is a pure function of the header values, the raw body, the MCA's secrets and `now`;
// none throws.
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
#include <vector>

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

// ---- the generic HMAC-SHA256 scheme ------------------------------------------------------------

enum class signature_encoding { hex, base64 }; // hex is accepted in either letter case
enum class timestamp_unit { seconds, milliseconds };
enum class secret_encoding { raw, base64 }; // base64: the key is the decoded secret

// Where a platform puts the timestamp, the id and the signatures, and what it signs.
//
// The signature header is a list of elements separated by `separator`. An element is
// "<key><key_separator><value>"; only elements keyed `signature_key` are signatures (any of them
// may match any secret: rotation), the one keyed `timestamp_key` is the timestamp, and others are
// ignored (a weaker scheme next to v1 must not be a way in). An empty `signature_key` means unkeyed
// signatures: every element is one, after a leading unkeyed timestamp when `timestamp_key` and
// `timestamp_header` are both empty ("<ms>,<hex>,<hex>", Recurly). A timestamp in its own header
// is named by `timestamp_header`. When the separator is a space, empty elements are skipped;
// otherwise an empty element is malformed.
//
// `payload` is the signed text: "{timestamp}", "{id}" and "{body}" are replaced by the timestamp
// exactly as sent, the id header's value and the raw body; other text is literal.
struct hmac_scheme {
    std::string_view signature_header;
    char separator = ',';
    char key_separator = '=';
    std::string_view timestamp_key = "t";
    std::string_view signature_key = "v1";
    std::string_view timestamp_header = {};
    std::string_view id_header = {};
    std::string_view payload = "{timestamp}.{body}";
    signature_encoding encoding = signature_encoding::hex;
    timestamp_unit unit = timestamp_unit::seconds;
    secret_encoding secret = secret_encoding::raw;
    std::string_view secret_prefix = {}; // stripped before decoding a base64 secret ("whsec_")
};

// "Stripe-Signature: t=<unix s>,v1=<hex>[,v1=...]" over "<t>.<body>".
inline constexpr hmac_scheme stripe_scheme{.signature_header = "Stripe-Signature"};

// "recurly-signature: <unix ms>,<hex>[,<hex>...]" over "<ms>.<body>".
inline constexpr hmac_scheme recurly_scheme{.signature_header = "recurly-signature",
                                            .timestamp_key = {},
                                            .signature_key = {},
                                            .unit = timestamp_unit::milliseconds};

// standardwebhooks.com: "webhook-signature: v1,<base64> [v1,<base64>...]" over
// "<webhook-id>.<webhook-timestamp>.<body>", keyed with the base64 secret after "whsec_".
inline constexpr hmac_scheme standard_webhooks_scheme{.signature_header = "webhook-signature",
                                                      .separator = ' ',
                                                      .key_separator = ',',
                                                      .timestamp_key = {},
                                                      .timestamp_header = "webhook-timestamp",
                                                      .id_header = "webhook-id",
                                                      .payload = "{id}.{timestamp}.{body}",
                                                      .encoding = signature_encoding::base64,
                                                      .secret = secret_encoding::base64,
                                                      .secret_prefix = "whsec_"};

// Paddle Billing: "Paddle-Signature: ts=<unix>;h1=<hex>[;h1=...]" over "<ts>:<body>"; a platform
// described in five lines, for the bundled Paddle connector and for signing its cases.
inline constexpr hmac_scheme paddle_scheme{.signature_header = "Paddle-Signature",
                                           .separator = ';',
                                           .timestamp_key = "ts",
                                           .signature_key = "h1",
                                           .payload = "{timestamp}:{body}"};

// The header values of one delivery; `timestamp` and `id` only when the scheme names those headers.
struct hmac_headers {
    std::string_view signature;
    std::string_view timestamp = {};
    std::string_view id = {};
};

// Verifies one delivery: secrets, then the id, the signature header, the timestamp, its
// tolerance (both directions, the boundary accepted; compared in the scheme's unit), and finally
// every signature against every secret in constant time. A tolerance of zero or below is refused
// (timestamp_out_of_tolerance, "tolerance must be positive"): std::nullopt is the only way to
// turn the check off. Failures name the header at fault.
result<void> verify_hmac(const hmac_scheme& scheme, const hmac_headers& headers, std::string_view body,
                         std::span<const std::string> secrets, time_point now,
                         std::optional<std::chrono::seconds> tolerance);

// The same, reading each header the scheme names from the request with single_header().
result<void> verify_hmac(const hmac_scheme& scheme, const webhook_request& req, std::span<const std::string> secrets,
                         time_point now, std::optional<std::chrono::seconds> tolerance);

struct signed_header {
    std::string name;
    std::string value;
};

// The headers that make `body` verify under `secret` at `at`: the id (when the scheme has an id
// header), the timestamp (when it has its own header) and the signature header. Throws
// std::invalid_argument when the secret does not decode or the id is needed but empty.
std::vector<signed_header> sign_hmac(const hmac_scheme& scheme, std::string_view body, std::string_view secret,
                                     time_point at, std::string_view id = {});

// ---- the built-in schemes, as before ------------------------------------------------------------

// Secrets: every secret the MCA holds (several during a rotation); empty strings are ignored.
// Tolerance: applies both ways (too old, too far in the future); std::nullopt disables it; here a
// negative tolerance acts as zero (verify_hmac refuses it instead).

// stripe_scheme: "t=<unix s>,v1=<hex>[,v1=<hex>...][,v0=...]"; HMAC-SHA256 of "<t>.<body>" keyed with the whole
// secret string; any v1 may match any secret; other schemes are ignored (downgrade protection).
result<void> verify_stripe_signature(
    std::string_view header_value, std::string_view body, std::span<const std::string> secrets,
    time_point now,
    std::optional<std::chrono::seconds> tolerance = std::chrono::seconds(RECOUP_DEFAULT_TOLERANCE_SECONDS));

// recurly_scheme: "<timestamp_ms>,<hex>[,<hex>...]"; HMAC-SHA256 of "<timestamp_ms>.<body>"; hex of either case;
// the tolerance is compared in milliseconds.
result<void> verify_recurly_signature(
    std::string_view header_value, std::string_view body, std::span<const std::string> secrets,
    time_point now,
    std::optional<std::chrono::seconds> tolerance = std::chrono::seconds(RECOUP_DEFAULT_TOLERANCE_SECONDS));

// "Basic base64(user:password)", scheme of any case; each credential is one "user:password".
// Compares against every credential in constant time, whichever matches.
result<void> verify_basic_auth(std::string_view authorization_value,
                               std::span<const std::string> credentials);

// standard_webhooks_scheme: `signature_header` is a space-separated list of "v1,<base64>" over
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
