// The generic HMAC-SHA256 scheme of recoup/signature.hpp: a platform described in a few lines
// (Paddle), the built-in presets reproducing the built-in signers, rotation, tolerance and the
// refusals that keep a misconfigured scheme from accepting anything.
#include <recoup/signature.hpp>

#define BOOST_TEST_MODULE hmac_scheme
#include <boost/test/unit_test.hpp>

#include "support/test_support.hpp"

#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using recoup::error;
using secrets_t = std::vector<std::string>;

namespace {

// Paddle Billing: "Paddle-Signature: ts=<unix>;h1=<hex>" over "<ts>:<body>".
constexpr const recoup::hmac_scheme& paddle = recoup::paddle_scheme;

const std::string body = R"({"event_type":"transaction.payment_failed"})";
const std::string secret = "pdl_ntfset_test_secret";
const recoup::time_point at = recoup::from_unix_seconds(1767225600);

std::string paddle_header(std::string_view key, recoup::time_point when = at)
{
    const auto headers = recoup::sign_hmac(paddle, body, key, when);
    BOOST_TEST_REQUIRE(headers.size() == 1u);
    BOOST_TEST(headers.front().name == "Paddle-Signature");
    return headers.front().value;
}

recoup::result<void> verify(const recoup::hmac_scheme& s, std::string_view header, const secrets_t& secrets,
                            recoup::time_point now = at, std::optional<std::chrono::seconds> tolerance = 300s)
{
    return recoup::verify_hmac(s, recoup::hmac_headers{header}, body, secrets, now, tolerance);
}

} // namespace

BOOST_AUTO_TEST_CASE(paddle_signs_and_verifies)
{
    const auto header = paddle_header(secret);
    BOOST_TEST(header.starts_with("ts=1767225600;h1="));
    BOOST_TEST(header.substr(17) == recoup::hex_encode(recoup::hmac_sha256(secret, "1767225600:" + body)));
    EXPECT_OK(verify(paddle, header, {secret}));
    EXPECT_FAILURE(verify(paddle, header, {"another"}), error::signature_mismatch, "Paddle-Signature");
    EXPECT_FAILURE(recoup::verify_hmac(paddle, recoup::hmac_headers{header}, body + " ", secrets_t{secret}, at, 300s),
                   error::signature_mismatch);
}

BOOST_AUTO_TEST_CASE(rotation_any_signature_any_secret)
{
    const auto old_sig = paddle_header("old_secret").substr(17);
    const auto new_sig = paddle_header("new_secret").substr(17);
    const auto both = "ts=1767225600;h1=" + old_sig + ";h1=" + new_sig;
    EXPECT_OK(verify(paddle, both, {"new_secret"}));
    EXPECT_OK(verify(paddle, both, {"old_secret"}));
    EXPECT_OK(verify(paddle, "ts=1767225600;h1=" + old_sig, {"", "new_secret", "old_secret"}));
    EXPECT_FAILURE(verify(paddle, both, {"third"}), error::signature_mismatch);
    // Unknown keys are ignored; a second timestamp or a malformed h1 is not.
    EXPECT_OK(verify(paddle, both + ";h0=zz", {"old_secret"}));
    EXPECT_FAILURE(verify(paddle, both + ";ts=1767225600", {"old_secret"}), error::malformed_signature);
    EXPECT_FAILURE(verify(paddle, both + ";h1=xyz", {"old_secret"}), error::malformed_signature);
    EXPECT_FAILURE(verify(paddle, "h1=" + old_sig, {"old_secret"}), error::malformed_signature);
    EXPECT_FAILURE(verify(paddle, "ts=1767225600", {"old_secret"}), error::malformed_signature);
    EXPECT_FAILURE(verify(paddle, both, {}), error::no_secret_configured, "Paddle-Signature");
}

BOOST_AUTO_TEST_CASE(tolerance_both_ways_and_refused_when_not_positive)
{
    const auto header = paddle_header(secret);
    EXPECT_OK(verify(paddle, header, {secret}, at + 300s));
    EXPECT_OK(verify(paddle, header, {secret}, at - 300s));
    EXPECT_FAILURE(verify(paddle, header, {secret}, at + 301s), error::timestamp_out_of_tolerance);
    EXPECT_FAILURE(verify(paddle, header, {secret}, at - 301s), error::timestamp_out_of_tolerance);
    EXPECT_OK(verify(paddle, header, {secret}, at + 1000000s, std::nullopt));
    for (auto bad : {0s, -1s}) {
        const auto r = verify(paddle, header, {secret}, at, bad);
        BOOST_TEST_REQUIRE(r.has_error());
        BOOST_TEST((r.error().code == error::timestamp_out_of_tolerance));
        BOOST_TEST(r.error().detail.find("tolerance must be positive") != std::string::npos, r.error().detail);
    }
}

BOOST_AUTO_TEST_CASE(presets_reproduce_the_built_in_signers)
{
    BOOST_TEST(recoup::sign_hmac(recoup::stripe_scheme, body, "whsec_x", at).back().value ==
               recoup::sign_stripe(body, "whsec_x", at));
    BOOST_TEST(recoup::sign_hmac(recoup::recurly_scheme, body, "k", at).back().value ==
               recoup::sign_recurly(body, "k", at));
    const std::string sw_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const auto sw = recoup::sign_hmac(recoup::standard_webhooks_scheme, body, sw_secret, at, "msg_1");
    BOOST_TEST_REQUIRE(sw.size() == 3u);
    BOOST_TEST(sw[0].name == "webhook-id");
    BOOST_TEST(sw[1].value == "1767225600");
    BOOST_TEST(sw[2].value == recoup::sign_standard_webhook("msg_1", 1767225600, body, sw_secret));

    // Through a request, the way a connector calls it.
    recoup::owned_request req;
    req.body = body;
    for (const auto& h : sw) req.headers.emplace_back(h.name, h.value);
    EXPECT_OK(recoup::verify_hmac(recoup::standard_webhooks_scheme, req.view(), secrets_t{sw_secret}, at, 300s));
    req.headers.pop_back();
    EXPECT_FAILURE(recoup::verify_hmac(recoup::standard_webhooks_scheme, req.view(), secrets_t{sw_secret}, at, 300s),
                   error::missing_signature, "webhook-signature");
}

BOOST_AUTO_TEST_CASE(base64_signatures_and_milliseconds)
{
    constexpr recoup::hmac_scheme s{.signature_header = "X-Sig",
                                    .timestamp_key = {},
                                    .signature_key = {},
                                    .timestamp_header = "X-Time",
                                    .payload = "v0:{timestamp}:{body}",
                                    .encoding = recoup::signature_encoding::base64,
                                    .unit = recoup::timestamp_unit::milliseconds};
    const auto headers = recoup::sign_hmac(s, body, secret, at);
    BOOST_TEST_REQUIRE(headers.size() == 2u);
    BOOST_TEST(headers[0].value == "1767225600000");
    BOOST_TEST(headers[1].value == recoup::base64_encode(recoup::as_string_view(
                                       recoup::hmac_sha256(secret, "v0:1767225600000:" + body))));
    const recoup::hmac_headers h{headers[1].value, headers[0].value};
    EXPECT_OK(recoup::verify_hmac(s, h, body, secrets_t{secret}, at + 300s, 300s));
    EXPECT_FAILURE(recoup::verify_hmac(s, h, body, secrets_t{secret}, at + 300001ms, 300s),
                   error::timestamp_out_of_tolerance, "X-Time");
}

BOOST_AUTO_TEST_CASE(inconsistent_schemes_are_refused)
{
    const auto header = paddle_header(secret);
    auto no_body = paddle;
    no_body.payload = "{timestamp}";
    EXPECT_FAILURE(verify(no_body, header, {secret}), error::invalid_field, "hmac_scheme");
    auto id_without_header = paddle;
    id_without_header.payload = "{id}.{timestamp}.{body}";
    EXPECT_FAILURE(verify(id_without_header, header, {secret}), error::invalid_field, "hmac_scheme");
    BOOST_CHECK_THROW(recoup::sign_hmac(no_body, body, secret, at), std::invalid_argument);
    BOOST_CHECK_THROW(recoup::sign_hmac(recoup::standard_webhooks_scheme, body, "whsec_!!", at, "id"),
                      std::invalid_argument);
}
