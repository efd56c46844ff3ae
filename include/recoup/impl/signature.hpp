#pragma once

#include <algorithm>
#include <charconv>
#include <initializer_list>
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

// "<a>.<b>[.<c>]": the string every HMAC scheme here signs.
inline std::string dot_join(std::initializer_list<std::string_view> parts)
{
    std::string out;
    bool first = true;
    for (auto part : parts) {
        if (!first) out.push_back('.');
        out.append(part);
        first = false;
    }
    return out;
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

struct parsed_signature_header {
    std::string_view timestamp_text; // signed as sent
    std::int64_t timestamp = 0;
    std::vector<std::string> signatures; // decoded, 32 bytes each
};

inline result<void> set_stripe_timestamp(parsed_signature_header& out, std::string_view value, bool& seen)
{
    constexpr auto field = stripe_signature_header;
    if (seen) return fail(error::malformed_signature, std::string(field), "more than one t");
    auto t = parse_unix_time(value);
    if (!t) return fail(error::malformed_signature, std::string(field), "timestamp t is not a number");
    out.timestamp_text = value;
    out.timestamp = *t;
    seen = true;
    return {};
}

inline result<parsed_signature_header> parse_stripe_header(std::string_view value)
{
    constexpr auto field = stripe_signature_header;
    if (auto size = check_header_size(value, field); !size) return size.error();
    parsed_signature_header out;
    bool seen_t = false;
    for (auto item : split(value, ',')) {
        const auto eq = item.find('=');
        if (eq == std::string_view::npos)
            return fail(error::malformed_signature, std::string(field), "element without '='");
        const auto key = item.substr(0, eq), val = item.substr(eq + 1);
        if (key == "t") {
            if (auto t = set_stripe_timestamp(out, val, seen_t); !t) return t.error();
        } else if (key == "v1") {
            auto sig = decode_hex_signature(val, field);
            if (!sig) return sig.error();
            out.signatures.push_back(std::move(*sig));
        } // v0 and unknown schemes are ignored: accepting them would allow a downgrade
    }
    if (!seen_t) return fail(error::malformed_signature, std::string(field), "missing timestamp t");
    if (out.signatures.empty()) return fail(error::malformed_signature, std::string(field), "no v1 signature");
    return out;
}

inline result<parsed_signature_header> parse_recurly_header(std::string_view value)
{
    constexpr auto field = recurly_signature_header;
    if (auto size = check_header_size(value, field); !size) return size.error();
    const auto items = split(value, ',');
    auto t = parse_unix_time(items.front());
    if (!t) return fail(error::malformed_signature, std::string(field), "timestamp is not a number");
    if (items.size() < 2) return fail(error::malformed_signature, std::string(field), "no signature");
    parsed_signature_header out{items.front(), *t, {}};
    for (std::size_t i = 1; i < items.size(); ++i) {
        auto sig = decode_hex_signature(items[i], field);
        if (!sig) return sig.error();
        out.signatures.push_back(std::move(*sig));
    }
    return out;
}

inline std::optional<std::string> decode_standard_webhook_secret(std::string_view secret)
{
    if (secret.starts_with("whsec_")) secret.remove_prefix(6);
    return base64_decode(secret);
}

// Secrets that are not base64 are skipped, so one bad entry does not block a rotation.
inline result<std::vector<std::string>> standard_webhook_keys(std::span<const std::string> secrets)
{
    constexpr auto field = standard_webhook_signature_header;
    if (!has_secret(secrets))
        return fail(error::no_secret_configured, std::string(field), "no webhook secret");
    std::vector<std::string> keys;
    for (const auto& secret : secrets)
        if (auto key = decode_standard_webhook_secret(secret); key && !key->empty()) keys.push_back(std::move(*key));
    if (keys.empty())
        return fail(error::no_secret_configured, std::string(field), "no secret is valid base64");
    return keys;
}

// One "<version>,<base64>" entry; versions other than v1 yield no signature.
inline result<std::optional<std::string>> parse_standard_webhook_entry(std::string_view entry)
{
    constexpr auto field = standard_webhook_signature_header;
    const auto comma = entry.find(',');
    if (comma == std::string_view::npos)
        return fail(error::malformed_signature, std::string(field), "element without ','");
    if (entry.substr(0, comma) != "v1") return std::optional<std::string>{};
    auto sig = base64_decode(entry.substr(comma + 1));
    if (!sig) return fail(error::malformed_signature, std::string(field), "v1 signature is not base64");
    if (auto size = check_digest_size(*sig, field); !size) return size.error();
    return std::optional<std::string>(std::move(*sig));
}

inline result<std::vector<std::string>> parse_standard_webhook_signatures(std::string_view value)
{
    constexpr auto field = standard_webhook_signature_header;
    if (auto size = check_header_size(value, field); !size) return size.error();
    std::vector<std::string> out;
    for (auto entry : split(value, ' ')) {
        if (entry.empty()) continue; // repeated spaces
        auto sig = parse_standard_webhook_entry(entry);
        if (!sig) return sig.error();
        if (*sig) out.push_back(std::move(**sig));
    }
    if (out.empty()) return fail(error::malformed_signature, std::string(field), "no v1 signature");
    return out;
}

inline result<std::int64_t> parse_standard_webhook_timestamp(std::string_view value)
{
    constexpr auto field = standard_webhook_timestamp_header;
    if (auto size = check_header_size(value, field); !size) return size.error();
    auto t = parse_unix_time(value);
    if (!t) return fail(error::malformed_signature, std::string(field), "timestamp is not a number");
    return *t;
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

inline result<void> verify_stripe_signature(std::string_view header_value, std::string_view body,
                                            std::span<const std::string> secrets, time_point now,
                                            std::optional<std::chrono::seconds> tolerance)
{
    constexpr auto field = stripe_signature_header;
    if (!detail::has_secret(secrets))
        return fail(error::no_secret_configured, std::string(field), "no webhook secret");
    auto parsed = detail::parse_stripe_header(header_value);
    if (!parsed) return parsed.error();
    if (tolerance) {
        auto fresh = detail::check_tolerance(parsed->timestamp, to_unix_seconds(now),
                                             detail::tolerance_in(*tolerance, 1), "s", field);
        if (!fresh) return fresh;
    }
    const auto payload = detail::dot_join({parsed->timestamp_text, body});
    return detail::match_hmac_sha256(secrets, payload, parsed->signatures, field);
}

inline result<void> verify_recurly_signature(std::string_view header_value, std::string_view body,
                                             std::span<const std::string> secrets, time_point now,
                                             std::optional<std::chrono::seconds> tolerance)
{
    constexpr auto field = recurly_signature_header;
    if (!detail::has_secret(secrets))
        return fail(error::no_secret_configured, std::string(field), "no webhook secret");
    auto parsed = detail::parse_recurly_header(header_value);
    if (!parsed) return parsed.error();
    if (tolerance) {
        auto fresh = detail::check_tolerance(parsed->timestamp, to_unix_millis(now),
                                             detail::tolerance_in(*tolerance, 1000), "ms", field);
        if (!fresh) return fresh;
    }
    const auto payload = detail::dot_join({parsed->timestamp_text, body});
    return detail::match_hmac_sha256(secrets, payload, parsed->signatures, field);
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
    auto keys = detail::standard_webhook_keys(secrets);
    if (!keys) return keys.error();
    if (id.empty()) return fail(error::malformed_signature, std::string(standard_webhook_id_header), "empty header");
    auto signatures = detail::parse_standard_webhook_signatures(signature_header);
    if (!signatures) return signatures.error();
    auto t = detail::parse_standard_webhook_timestamp(timestamp);
    if (!t) return t.error();
    if (tolerance) {
        auto fresh = detail::check_tolerance(*t, to_unix_seconds(now), detail::tolerance_in(*tolerance, 1), "s",
                                             standard_webhook_timestamp_header);
        if (!fresh) return fresh;
    }
    const auto payload = detail::dot_join({id, timestamp, body});
    return detail::match_hmac_sha256(*keys, payload, *signatures, standard_webhook_signature_header);
}

inline std::string sign_stripe(std::string_view body, std::string_view secret, time_point at)
{
    const auto t = std::to_string(to_unix_seconds(at));
    return "t=" + t + ",v1=" + hex_encode(hmac_sha256(secret, detail::dot_join({t, body})));
}

inline std::string sign_recurly(std::string_view body, std::string_view secret, time_point at)
{
    const auto ms = std::to_string(to_unix_millis(at));
    return ms + "," + hex_encode(hmac_sha256(secret, detail::dot_join({ms, body})));
}

inline std::string sign_standard_webhook(std::string_view id, std::int64_t timestamp, std::string_view body,
                                         std::string_view secret)
{
    const auto key = detail::decode_standard_webhook_secret(secret);
    if (!key) throw std::invalid_argument("recoup: Standard Webhooks secret is not base64");
    const auto t = std::to_string(timestamp);
    return "v1," + base64_encode(as_string_view(hmac_sha256(*key, detail::dot_join({id, t, body}))));
}

inline std::string basic_auth_value(std::string_view user, std::string_view password)
{
    std::string credentials(user);
    credentials.push_back(':');
    credentials.append(password);
    return "Basic " + base64_encode(credentials);
}

RECOUP_END_NAMESPACE
