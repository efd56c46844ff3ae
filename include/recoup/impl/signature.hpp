#pragma once

#include <algorithm>
#include <charconv>
#include <limits>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

RECOUP_BEGIN_NAMESPACE

namespace detail {

inline std::vector<std::string_view> split(std::string_view text, char separator)
{
    std::vector<std::string_view> items;
    for (;;) {
        const auto pos = text.find(separator);
        items.push_back(text.substr(0, pos));
        if (pos == std::string_view::npos) return items;
        text.remove_prefix(pos + 1);
    }
}

// Digits only: no sign, no blanks, no overflow.
inline std::optional<std::int64_t> parse_unix_time(std::string_view text) noexcept
{
    if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// a - b, clamped: a signed timestamp may be any 19-digit number.
inline std::int64_t saturating_sub(std::int64_t a, std::int64_t b) noexcept
{
    constexpr auto lo = std::numeric_limits<std::int64_t>::min();
    constexpr auto hi = std::numeric_limits<std::int64_t>::max();
    if (b > 0 && a < lo + b) return lo;
    if (b < 0 && a > hi + b) return hi;
    return a - b;
}

// Negative tolerances act as zero; huge ones saturate instead of overflowing.
inline std::int64_t tolerance_in(std::chrono::seconds tolerance, std::int64_t units_per_second) noexcept
{
    const std::int64_t s = std::max<std::int64_t>(tolerance.count(), 0);
    if (s > std::numeric_limits<std::int64_t>::max() / units_per_second)
        return std::numeric_limits<std::int64_t>::max();
    return s * units_per_second;
}

// signed_at, now and tolerance are all in `unit` ("s" or "ms"); the boundary itself is accepted.
inline result<void> check_tolerance(std::int64_t signed_at, std::int64_t now, std::int64_t tolerance,
                                    std::string_view unit, std::string_view field)
{
    const std::string limit = ", tolerance " + std::to_string(tolerance) + " " + std::string(unit);
    const std::int64_t age = saturating_sub(now, signed_at);
    if (age > tolerance)
        return fail(error::timestamp_out_of_tolerance, std::string(field),
                    "timestamp is " + std::to_string(age) + " " + std::string(unit) + " in the past" + limit);
    const std::int64_t ahead = saturating_sub(signed_at, now);
    if (ahead > tolerance)
        return fail(error::timestamp_out_of_tolerance, std::string(field),
                    "timestamp is " + std::to_string(ahead) + " " + std::string(unit) + " in the future" + limit);
    return {};
}

// An empty secret would let anyone sign, so it never counts as configured.
inline bool has_secret(std::span<const std::string> secrets) noexcept
{
    return std::any_of(secrets.begin(), secrets.end(), [](const std::string& s) { return !s.empty(); });
}

inline result<void> check_header_size(std::string_view value, std::string_view field)
{
    if (value.empty()) return fail(error::malformed_signature, std::string(field), "empty header");
    if (value.size() > max_signature_header_size)
        return fail(error::malformed_signature, std::string(field),
                    "header longer than " + std::to_string(max_signature_header_size) + " bytes");
    return {};
}

inline result<void> check_digest_size(std::string_view decoded, std::string_view field)
{
    if (decoded.size() == sha256_digest{}.size()) return {};
    return fail(error::malformed_signature, std::string(field),
                "signature is " + std::to_string(decoded.size()) + " bytes, expected 32");
}

// A non-hex candidate is rejected, not skipped: no sender emits one, so it means tampering.
inline result<std::string> decode_hex_signature(std::string_view hex, std::string_view field)
{
    auto bytes = hex_decode(hex);
    if (!bytes && hex.size() % 2 != 0)
        return fail(error::malformed_signature, std::string(field), "signature has an odd number of hex digits");
    if (!bytes) return fail(error::malformed_signature, std::string(field), "signature is not hex");
    if (auto size = check_digest_size(*bytes, field); !size) return size.error();
    return std::move(*bytes);
}

// Every key against every candidate, without stopping at the first match.
inline result<void> match_hmac_sha256(std::span<const std::string> keys, std::string_view signed_payload,
                                      std::span<const std::string> candidates, std::string_view field)
{
    bool matched = false;
    for (const auto& key : keys) {
        if (key.empty()) continue;
        sha256_digest expected{};
        if (!hmac_into(EVP_sha256(), key, signed_payload, expected))
            return fail(error::signature_mismatch, std::string(field), "HMAC computation failed");
        for (const auto& candidate : candidates)
            matched = constant_time_equal(candidate, as_string_view(expected)) || matched;
    }
    if (!matched) return fail(error::signature_mismatch, std::string(field), "no signature matches any secret");
    return {};
}

struct parsed_hmac_header {
    std::string_view timestamp_text; // signed as sent
    std::int64_t timestamp = 0;
    bool has_timestamp = false;
    std::vector<std::string> signatures; // decoded, 32 bytes each
};

// Where tolerance failures point: the header the timestamp came from.
inline std::string_view timestamp_field(const hmac_scheme& s) noexcept
{
    return s.timestamp_header.empty() ? s.signature_header : s.timestamp_header;
}

// Mistakes in the scheme itself, found before any header is read.
inline result<void> check_scheme(const hmac_scheme& s)
{
    const auto bad = [](std::string detail) { return fail(error::invalid_field, "hmac_scheme", std::move(detail)); };
    if (s.signature_header.empty()) return bad("signature_header is empty");
    if (s.signature_key.empty() && !s.timestamp_key.empty())
        return bad("unkeyed signatures need an unkeyed timestamp (timestamp_key empty)");
    if (!s.timestamp_key.empty() && !s.timestamp_header.empty())
        return bad("the timestamp is either keyed in the signature header or in timestamp_header, not both");
    if (s.payload.find("{body}") == std::string_view::npos) return bad("payload does not sign {body}");
    if (s.payload.find("{timestamp}") == std::string_view::npos) return bad("payload does not sign {timestamp}");
    if ((s.payload.find("{id}") != std::string_view::npos) != !s.id_header.empty())
        return bad("payload signs {id} exactly when id_header is set");
    return {};
}

inline std::string signed_payload(const hmac_scheme& s, std::string_view timestamp, std::string_view id,
                                  std::string_view body)
{
    std::string out;
    out.reserve(body.size() + timestamp.size() + id.size() + s.payload.size());
    for (auto f = s.payload; !f.empty();) {
        if (f.starts_with("{timestamp}")) out.append(timestamp), f.remove_prefix(11);
        else if (f.starts_with("{id}")) out.append(id), f.remove_prefix(4);
        else if (f.starts_with("{body}")) out.append(body), f.remove_prefix(6);
        else out.push_back(f.front()), f.remove_prefix(1);
    }
    return out;
}

inline std::string signature_name(const hmac_scheme& s)
{
    return s.signature_key.empty() ? std::string("signature") : std::string(s.signature_key) + " signature";
}

inline result<std::string> decode_signature(const hmac_scheme& s, std::string_view text)
{
    const auto field = s.signature_header;
    if (s.encoding == signature_encoding::hex) return decode_hex_signature(text, field);
    auto sig = base64_decode(text);
    if (!sig) return fail(error::malformed_signature, std::string(field), signature_name(s) + " is not base64");
    if (auto size = check_digest_size(*sig, field); !size) return size.error();
    return std::move(*sig);
}

inline result<void> set_timestamp(const hmac_scheme& s, parsed_hmac_header& out, std::string_view value,
                                  std::string_view field)
{
    const std::string name = s.timestamp_key.empty() ? "timestamp" : "timestamp " + std::string(s.timestamp_key);
    if (out.has_timestamp)
        return fail(error::malformed_signature, std::string(field), "more than one " + std::string(s.timestamp_key));
    auto t = parse_unix_time(value);
    if (!t) return fail(error::malformed_signature, std::string(field), name + " is not a number");
    out.timestamp_text = value;
    out.timestamp = *t;
    out.has_timestamp = true;
    return {};
}

// One keyed element: the timestamp, a signature, or ignored (another scheme: no downgrade).
inline result<void> read_keyed_element(const hmac_scheme& s, parsed_hmac_header& out, std::string_view item)
{
    const auto field = s.signature_header;
    const auto sep = item.find(s.key_separator);
    if (sep == std::string_view::npos)
        return fail(error::malformed_signature, std::string(field),
                    std::string("element without '") + s.key_separator + "'");
    const auto key = item.substr(0, sep), value = item.substr(sep + 1);
    if (!s.timestamp_key.empty() && key == s.timestamp_key) return set_timestamp(s, out, value, field);
    if (key != s.signature_key) return {};
    auto sig = decode_signature(s, value);
    if (!sig) return sig.error();
    out.signatures.push_back(std::move(*sig));
    return {};
}

inline result<parsed_hmac_header> parse_hmac_header(const hmac_scheme& s, std::string_view value)
{
    const auto field = s.signature_header;
    if (auto size = check_header_size(value, field); !size) return size.error();
    parsed_hmac_header out;
    const auto items = split(value, s.separator);
    std::size_t i = 0;
    if (s.timestamp_key.empty() && s.timestamp_header.empty()) {
        if (auto t = set_timestamp(s, out, items.front(), field); !t) return t.error();
        i = 1;
    }
    for (; i < items.size(); ++i) {
        if (items[i].empty() && s.separator == ' ') continue; // repeated blanks
        if (!s.signature_key.empty()) {
            if (auto ok = read_keyed_element(s, out, items[i]); !ok) return ok.error();
            continue;
        }
        auto sig = decode_signature(s, items[i]);
        if (!sig) return sig.error();
        out.signatures.push_back(std::move(*sig));
    }
    if (s.timestamp_header.empty() && !out.has_timestamp)
        return fail(error::malformed_signature, std::string(field), "missing timestamp " + std::string(s.timestamp_key));
    if (out.signatures.empty())
        return fail(error::malformed_signature, std::string(field),
                    s.signature_key.empty() ? std::string("no signature") : "no " + signature_name(s));
    return out;
}

inline result<void> read_timestamp_header(const hmac_scheme& s, parsed_hmac_header& out, std::string_view value)
{
    if (auto size = check_header_size(value, s.timestamp_header); !size) return size;
    return set_timestamp(s, out, value, s.timestamp_header);
}

inline std::optional<std::string> decode_secret(const hmac_scheme& s, std::string_view secret)
{
    if (s.secret == secret_encoding::raw) return std::string(secret);
    if (secret.starts_with(s.secret_prefix)) secret.remove_prefix(s.secret_prefix.size());
    return base64_decode(secret);
}

// Secrets that do not decode are skipped, so one bad entry does not block a rotation.
inline result<std::vector<std::string>> hmac_keys(const hmac_scheme& s, std::span<const std::string> secrets)
{
    const std::string field(s.signature_header);
    if (!has_secret(secrets)) return fail(error::no_secret_configured, field, "no webhook secret");
    std::vector<std::string> keys;
    for (const auto& secret : secrets)
        if (auto key = decode_secret(s, secret); key && !key->empty()) keys.push_back(std::move(*key));
    if (keys.empty()) return fail(error::no_secret_configured, field, "no secret is valid base64");
    return keys;
}

// verify_hmac without refusing a non-positive tolerance: the built-in verifiers treat it as zero.
inline result<void> verify_hmac_unchecked(const hmac_scheme& s, const hmac_headers& h, std::string_view body,
                                          std::span<const std::string> secrets, time_point now,
                                          std::optional<std::chrono::seconds> tolerance)
{
    if (auto valid = check_scheme(s); !valid) return valid;
    auto keys = hmac_keys(s, secrets);
    if (!keys) return keys.error();
    if (!s.id_header.empty() && h.id.empty())
        return fail(error::malformed_signature, std::string(s.id_header), "empty header");
    auto parsed = parse_hmac_header(s, h.signature);
    if (!parsed) return parsed.error();
    if (!s.timestamp_header.empty())
        if (auto t = read_timestamp_header(s, *parsed, h.timestamp); !t) return t;
    if (tolerance) {
        const bool ms = s.unit == timestamp_unit::milliseconds;
        auto fresh = check_tolerance(parsed->timestamp, ms ? to_unix_millis(now) : to_unix_seconds(now),
                                     tolerance_in(*tolerance, ms ? 1000 : 1), ms ? "ms" : "s", timestamp_field(s));
        if (!fresh) return fresh;
    }
    return match_hmac_sha256(*keys, signed_payload(s, parsed->timestamp_text, h.id, body), parsed->signatures,
                             s.signature_header);
}

// "Basic <token68>" -> the decoded "user:password".
inline result<std::string> parse_basic_credentials(std::string_view value)
{
    constexpr auto field = authorization_header;
    if (auto size = check_header_size(value, field); !size) return size.error();
    const auto space = value.find(' ');
    if (space == std::string_view::npos || !iequals(value.substr(0, space), "Basic"))
        return fail(error::malformed_signature, std::string(field), "scheme is not Basic");
    auto token = value.substr(space + 1);
    token.remove_prefix(std::min(token.find_first_not_of(" \t"), token.size()));
    token.remove_suffix(token.size() - std::min(token.find_last_not_of(" \t") + 1, token.size()));
    auto decoded = base64_decode(token);
    if (!decoded) return fail(error::malformed_signature, std::string(field), "credentials are not base64");
    if (decoded->find(':') == std::string::npos)
        return fail(error::malformed_signature, std::string(field), "credentials have no ':'");
    return std::move(*decoded);
}

// Hashing both sides makes every comparison 32 bytes: timing reveals neither length nor which.
inline result<void> match_credentials(std::string_view presented, std::span<const std::string> credentials)
{
    constexpr auto field = authorization_header;
    sha256_digest presented_hash{}, expected_hash{};
    if (!sha256_into(presented, presented_hash))
        return fail(error::signature_mismatch, std::string(field), "SHA-256 computation failed");
    bool matched = false;
    for (const auto& credential : credentials) {
        if (credential.empty()) continue;
        if (!sha256_into(credential, expected_hash))
            return fail(error::signature_mismatch, std::string(field), "SHA-256 computation failed");
        matched = constant_time_equal(as_string_view(presented_hash), as_string_view(expected_hash)) || matched;
    }
    if (!matched) return fail(error::signature_mismatch, std::string(field), "credentials do not match");
    return {};
}

} // namespace detail

inline result<std::string_view> single_header(const webhook_request& req, std::string_view name)
{
    const auto count = req.header_count(name);
    if (count == 0) return fail(error::missing_signature, std::string(name), "header absent");
    if (count > 1)
        return fail(error::duplicate_signature_header, std::string(name),
                    "header appears " + std::to_string(count) + " times");
    return *req.header(name);
}

inline result<void> verify_hmac(const hmac_scheme& scheme, const hmac_headers& headers, std::string_view body,
                                std::span<const std::string> secrets, time_point now,
                                std::optional<std::chrono::seconds> tolerance)
{
    if (tolerance && tolerance->count() <= 0)
        return fail(error::timestamp_out_of_tolerance, std::string(detail::timestamp_field(scheme)),
                    "tolerance must be positive, not " + std::to_string(tolerance->count()) +
                        " s; std::nullopt turns the timestamp check off");
    return detail::verify_hmac_unchecked(scheme, headers, body, secrets, now, tolerance);
}

inline result<void> verify_hmac(const hmac_scheme& scheme, const webhook_request& req,
                                std::span<const std::string> secrets, time_point now,
                                std::optional<std::chrono::seconds> tolerance)
{
    hmac_headers headers;
    auto signature = single_header(req, scheme.signature_header);
    if (!signature) return signature.error();
    headers.signature = *signature;
    if (!scheme.timestamp_header.empty()) {
        auto t = single_header(req, scheme.timestamp_header);
        if (!t) return t.error();
        headers.timestamp = *t;
    }
    if (!scheme.id_header.empty()) {
        auto id = single_header(req, scheme.id_header);
        if (!id) return id.error();
        headers.id = *id;
    }
    return verify_hmac(scheme, headers, req.body, secrets, now, tolerance);
}

inline std::vector<signed_header> sign_hmac(const hmac_scheme& scheme, std::string_view body,
                                            std::string_view secret, time_point at, std::string_view id)
{
    if (auto valid = detail::check_scheme(scheme); !valid) throw std::invalid_argument("recoup: " + valid.error().what());
    const auto key = detail::decode_secret(scheme, secret);
    if (!key) throw std::invalid_argument("recoup: the secret is not base64");
    const bool ms = scheme.unit == timestamp_unit::milliseconds;
    const auto t = std::to_string(ms ? to_unix_millis(at) : to_unix_seconds(at));
    const auto digest = hmac_sha256(*key, detail::signed_payload(scheme, t, id, body));
    std::string value = scheme.encoding == signature_encoding::hex ? hex_encode(digest)
                                                                   : base64_encode(as_string_view(digest));
    if (!scheme.signature_key.empty()) value = std::string(scheme.signature_key) + scheme.key_separator + value;
    if (scheme.timestamp_header.empty()) {
        const auto stamp = scheme.timestamp_key.empty() ? t : std::string(scheme.timestamp_key) + scheme.key_separator + t;
        value = stamp + scheme.separator + value;
    }
    std::vector<signed_header> out;
    if (!scheme.id_header.empty()) out.push_back({std::string(scheme.id_header), std::string(id)});
    if (!scheme.timestamp_header.empty()) out.push_back({std::string(scheme.timestamp_header), t});
    out.push_back({std::string(scheme.signature_header), std::move(value)});
    return out;
}

inline result<void> verify_stripe_signature(std::string_view header_value, std::string_view body,
                                            std::span<const std::string> secrets, time_point now,
                                            std::optional<std::chrono::seconds> tolerance)
{
    return detail::verify_hmac_unchecked(stripe_scheme, {header_value}, body, secrets, now, tolerance);
}

inline result<void> verify_recurly_signature(std::string_view header_value, std::string_view body,
                                             std::span<const std::string> secrets, time_point now,
                                             std::optional<std::chrono::seconds> tolerance)
{
    return detail::verify_hmac_unchecked(recurly_scheme, {header_value}, body, secrets, now, tolerance);
}

inline result<void> verify_basic_auth(std::string_view authorization_value,
                                      std::span<const std::string> credentials)
{
    if (!detail::has_secret(credentials))
        return fail(error::no_secret_configured, std::string(authorization_header), "no credentials");
    auto presented = detail::parse_basic_credentials(authorization_value);
    if (!presented) return presented.error();
    return detail::match_credentials(*presented, credentials);
}

inline result<void> verify_standard_webhook(std::string_view id, std::string_view timestamp,
                                            std::string_view signature_header, std::string_view body,
                                            std::span<const std::string> secrets, time_point now,
                                            std::optional<std::chrono::seconds> tolerance)
{
    return detail::verify_hmac_unchecked(standard_webhooks_scheme, {signature_header, timestamp, id}, body, secrets,
                                         now, tolerance);
}

inline std::string sign_stripe(std::string_view body, std::string_view secret, time_point at)
{
    return sign_hmac(stripe_scheme, body, secret, at).back().value;
}

inline std::string sign_recurly(std::string_view body, std::string_view secret, time_point at)
{
    return sign_hmac(recurly_scheme, body, secret, at).back().value;
}

inline std::string sign_standard_webhook(std::string_view id, std::int64_t timestamp, std::string_view body,
                                         std::string_view secret)
{
    return sign_hmac(standard_webhooks_scheme, body, secret, from_unix_seconds(timestamp), id).back().value;
}

inline std::string basic_auth_value(std::string_view user, std::string_view password)
{
    std::string credentials(user);
    credentials.push_back(':');
    credentials.append(password);
    return "Basic " + base64_encode(credentials);
}

RECOUP_END_NAMESPACE
