// libFuzzer target: the signature-header parsers of every scheme (Stripe, Recurly, Standard
// Webhooks, Paddle through verify_hmac, HTTP Basic) and the hex/base64 decoders under them.
// Input: one selector byte, then "<header value>\n<secret or id>\n<body>". Invariants: a fuzzed
// header fails only with a verification (1xx) code; whatever the body and the secret, what the
// matching signer produces verifies, and stops verifying once the body changes; what verifies
// within the tolerance also verifies with the check off; no secret is always no_secret_configured.
#include <recoup/crypto.hpp>
#include <recoup/signature.hpp>

#include "fuzz_support.hpp"

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using recoup_fuzz::check;
using recoup_fuzz::fuzz_now;

std::string_view next_line(std::string_view& in)
{
    const auto nl = in.find('\n');
    const auto line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
    return line;
}

void check_verdict(const recoup::result<void>& r, const char* scheme)
{
    if (!r) check(recoup_fuzz::is_verification_error(r.error().code), "non-1xx verification failure", scheme);
}

constexpr std::array<const recoup::hmac_scheme*, 4> schemes{
    &recoup::stripe_scheme, &recoup::recurly_scheme, &recoup::standard_webhooks_scheme, &recoup::paddle_scheme};

// The fuzzed header through the generic scheme, with the other headers a delivery would carry.
void fuzz_hmac(const recoup::hmac_scheme& scheme, std::string_view header, std::string_view second,
               std::string_view body)
{
    const std::vector<std::string> secrets{"whsec_ZnV6ei1zZWNyZXQtZm9yLXJlY291cA=="};
    const recoup::hmac_headers headers{header, second, "msg_fuzz"};
    const auto with = recoup::verify_hmac(scheme, headers, body, secrets, fuzz_now, std::chrono::seconds(300));
    check_verdict(with, "verify_hmac");
    const auto without = recoup::verify_hmac(scheme, headers, body, secrets, fuzz_now, std::nullopt);
    check_verdict(without, "verify_hmac without tolerance");
    if (with) check(without.has_value(), "verified within tolerance but not with the check off");
    const auto none = recoup::verify_hmac(scheme, headers, body, {}, fuzz_now, std::nullopt);
    check(!none && none.error().code == recoup::error::no_secret_configured, "verified without a secret");
}

// What a signer makes verifies, whatever the body and the (non-empty) secret.
void round_trip(std::string_view secret, std::string_view body)
{
    if (secret.empty()) return;
    const std::vector<std::string> secrets{std::string(secret)};
    const std::string tampered = std::string(body) + "x";

    const auto stripe = recoup::sign_stripe(body, secret, fuzz_now);
    check(recoup::verify_stripe_signature(stripe, body, secrets, fuzz_now).has_value(), "signed Stripe body fails");
    check(!recoup::verify_stripe_signature(stripe, tampered, secrets, fuzz_now), "tampered Stripe body verifies");

    const auto recurly = recoup::sign_recurly(body, secret, fuzz_now);
    check(recoup::verify_recurly_signature(recurly, body, secrets, fuzz_now).has_value(), "signed Recurly body fails");
    check(!recoup::verify_recurly_signature(recurly, tampered, secrets, fuzz_now), "tampered Recurly body verifies");

    const std::vector<std::string> whsec{"whsec_" + recoup::base64_encode(secret)};
    const auto ts = recoup::to_unix_seconds(fuzz_now);
    const auto standard = recoup::sign_standard_webhook("msg_fuzz", ts, body, whsec[0]);
    check(recoup::verify_standard_webhook("msg_fuzz", std::to_string(ts), standard, body, whsec, fuzz_now).has_value(),
          "signed Standard Webhooks body fails");

    for (const auto& h : recoup::sign_hmac(recoup::paddle_scheme, body, secret, fuzz_now))
        check(recoup::verify_hmac(recoup::paddle_scheme, {h.value}, body, secrets, fuzz_now, std::chrono::seconds(300))
                  .has_value(),
              "signed Paddle body fails");

    // Basic credentials: any user without ':' and any password.
    if (secret.find(':') == std::string_view::npos) {
        const std::vector<std::string> credentials{std::string(secret) + ":" + std::string(body)};
        check(recoup::verify_basic_auth(recoup::basic_auth_value(secret, body), credentials).has_value(),
              "Basic credentials fail");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0) return 0;
    const unsigned selector = data[0];
    std::string_view in = recoup_fuzz::as_text(data + 1, size - 1);
    const auto header = next_line(in);
    const auto second = next_line(in);
    const auto body = in;

    const std::vector<std::string> secrets{"fuzz-secret"};
    switch (selector % 8) {
    case 0: check_verdict(recoup::verify_stripe_signature(header, body, secrets, fuzz_now), "stripe"); break;
    case 1: check_verdict(recoup::verify_recurly_signature(header, body, secrets, fuzz_now), "recurly"); break;
    case 2:
        check_verdict(recoup::verify_standard_webhook("msg_fuzz", second, header, body,
                                                      std::vector<std::string>{"whsec_ZnV6eg=="}, fuzz_now),
                      "standard webhooks");
        break;
    case 3: check_verdict(recoup::verify_basic_auth(header, std::vector<std::string>{"user:pass"}), "basic"); break;
    case 4: fuzz_hmac(*schemes[(selector >> 3) % schemes.size()], header, second, body); break;
    case 5: {
        // The decoders under the parsers: what decodes re-encodes to the same bytes (canonical
        // base64 only; hex in lower case).
        if (const auto b = recoup::base64_decode(header)) check(recoup::base64_encode(*b) == header, "base64 round trip");
        if (const auto h = recoup::hex_decode(header)) {
            const auto bytes = std::span(reinterpret_cast<const unsigned char*>(h->data()), h->size());
            check(recoup::hex_decode(recoup::hex_encode(bytes)) == h, "hex round trip");
        }
        break;
    }
    default: round_trip(second, body); break;
    }
    return 0;
}
