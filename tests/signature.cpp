// Test that header file is self-contained.
#include <recoup/signature.hpp>

#define BOOST_TEST_MODULE signature
#include <boost/test/unit_test.hpp>

#include "support/test_support.hpp"
#include "support/shared_fixtures.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using recoup::error;
using secrets_t = std::vector<std::string>;

namespace {

// The shared vectors are read in place, never copied into the project.
boost::json::object load_vectors()
{
    return boost::json::parse(recoup_test::read_fixture("RECOUP_SHARED_FIXTURES", "signature_vectors.json")).as_object();
}

const boost::json::object& vectors(std::string_view platform)
{
    static const boost::json::object all = load_vectors();
    return all.at(platform).as_object();
}

std::string str(const boost::json::object& o, std::string_view key)
{
    return std::string(o.at(key).as_string());
}

std::int64_t num(const boost::json::object& o, std::string_view key)
{
    return std::stoll(str(o, key));
}

// Far from every vector's timestamp: the vectors only verify with the tolerance disabled.
const recoup::time_point far_now = recoup::from_unix_seconds(1767225600); // 2026-01-01

recoup::time_point from_millis(std::int64_t ms)
{
    return recoup::time_point(std::chrono::milliseconds(ms));
}

std::string flip_one_byte(std::string s)
{
    s[s.size() / 2] ^= 0x01;
    return s;
}

const std::string hex64_a(64, 'a');

} // namespace

BOOST_AUTO_TEST_SUITE(stripe, *recoup_test::needs_shared_fixtures())

struct stripe_vector {
    const boost::json::object& v = vectors("stripe");
    const std::string secret = str(v, "secret");
    const std::string body = str(v, "body");
    const std::string header = str(v, "header_value");
    const std::int64_t t = num(v, "timestamp");
    const recoup::time_point at = recoup::from_unix_seconds(t);
    const secrets_t secrets{secret};
};

BOOST_FIXTURE_TEST_CASE(vector_verifies_with_tolerance_disabled, stripe_vector)
{
    BOOST_TEST(str(v, "header_name") == recoup::stripe_signature_header);
    EXPECT_OK(recoup::verify_stripe_signature(header, body, secrets, far_now, std::nullopt));
    BOOST_TEST(recoup::hex_encode(recoup::hmac_sha256(secret, std::to_string(t) + "." + body)) ==
               str(v, "expected_signature_hex"));
}

BOOST_FIXTURE_TEST_CASE(vector_rejected_with_default_tolerance_far_away, stripe_vector)
{
    const auto r = recoup::verify_stripe_signature(header, body, secrets, far_now);
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().code == error::timestamp_out_of_tolerance));
    BOOST_TEST(r.error().field == "Stripe-Signature");
    BOOST_TEST(r.error().detail.find("s in the past, tolerance 300 s") != std::string::npos, r.error().detail);
}

BOOST_FIXTURE_TEST_CASE(vector_verifies_within_default_tolerance, stripe_vector)
{
    EXPECT_OK(recoup::verify_stripe_signature(header, body, secrets, at));
    EXPECT_OK(recoup::verify_stripe_signature(header, body, secrets, at + 299s));
    EXPECT_OK(recoup::verify_stripe_signature(header, body, secrets, at - 299s));
}

BOOST_FIXTURE_TEST_CASE(sign_reproduces_the_vector, stripe_vector)
{
    BOOST_TEST(recoup::sign_stripe(body, secret, at) == header);
}

BOOST_FIXTURE_TEST_CASE(tampered_body_and_wrong_secret_mismatch, stripe_vector)
{
    EXPECT_FAILURE(recoup::verify_stripe_signature(header, flip_one_byte(body), secrets, at),
                   error::signature_mismatch);
    EXPECT_FAILURE(recoup::verify_stripe_signature(header, body + " ", secrets, at), error::signature_mismatch);
    EXPECT_FAILURE(recoup::verify_stripe_signature(header, body, secrets_t{"whsec_wrong"}, at),
                   error::signature_mismatch);
    // The docs' example header was signed with a secret nobody knows.
    EXPECT_FAILURE(recoup::verify_stripe_signature(str(v, "docs_example_header_no_secret"), body, secrets,
                                                   at),
                   error::signature_mismatch);
}

BOOST_FIXTURE_TEST_CASE(rotation_accepts_any_secret_and_any_v1, stripe_vector)
{
    const std::string next = "whsec_next_secret";
    const auto signed_next = recoup::sign_stripe(body, next, at);
    EXPECT_OK(recoup::verify_stripe_signature(header, body, secrets_t{secret, next}, at));
    EXPECT_OK(recoup::verify_stripe_signature(signed_next, body, secrets_t{secret, next}, at));
    EXPECT_OK(recoup::verify_stripe_signature(header, body, secrets_t{"whsec_wrong", secret}, at));
    // During a rotation Stripe sends one v1 per secret.
    const auto both = header + ",v1=" + signed_next.substr(signed_next.find("v1=") + 3);
    EXPECT_OK(recoup::verify_stripe_signature(both, body, secrets_t{next}, at));
    EXPECT_OK(recoup::verify_stripe_signature(both, body, secrets_t{secret}, at));
    EXPECT_FAILURE(recoup::verify_stripe_signature(both, body, secrets_t{"whsec_a", "whsec_b"}, at),
                   error::signature_mismatch);
}

BOOST_FIXTURE_TEST_CASE(tolerance_both_directions_and_boundary, stripe_vector)
{
    EXPECT_OK(recoup::verify_stripe_signature(header, body, secrets, at + 300s));
    EXPECT_OK(recoup::verify_stripe_signature(header, body, secrets, at - 300s));
    EXPECT_FAILURE(recoup::verify_stripe_signature(header, body, secrets, at + 301s),
                   error::timestamp_out_of_tolerance);
    const auto future = recoup::verify_stripe_signature(header, body, secrets, at - 301s);
    BOOST_TEST_REQUIRE(future.has_error());
    BOOST_TEST((future.error().code == error::timestamp_out_of_tolerance));
    BOOST_TEST(future.error().detail == "timestamp is 301 s in the future, tolerance 300 s");
    EXPECT_OK(recoup::verify_stripe_signature(header, body, secrets, at + 10s, 10s));
    EXPECT_FAILURE(recoup::verify_stripe_signature(header, body, secrets, at + 11s, 10s),
                   error::timestamp_out_of_tolerance);
}

BOOST_FIXTURE_TEST_CASE(timestamp_checked_before_signature, stripe_vector)
{
    // A stale timestamp is reported as such even when the signature is also wrong.
    EXPECT_FAILURE(recoup::verify_stripe_signature(header, body, secrets_t{"whsec_wrong"}, far_now),
                   error::timestamp_out_of_tolerance);
}

BOOST_FIXTURE_TEST_CASE(other_schemes_are_ignored, stripe_vector)
{
    const auto sig = str(v, "expected_signature_hex");
    EXPECT_OK(recoup::verify_stripe_signature(header + ",v0=" + hex64_a, body, secrets, at));
    EXPECT_OK(recoup::verify_stripe_signature(header + ",v0=not-hex,x=1", body, secrets, at));
    // A correct digest under another scheme name is not a v1 signature (downgrade protection).
    EXPECT_FAILURE(recoup::verify_stripe_signature("t=" + std::to_string(t) + ",v0=" + sig, body, secrets, at),
                   error::malformed_signature);
}

BOOST_FIXTURE_TEST_CASE(malformed_headers, stripe_vector)
{
    const auto sig = str(v, "expected_signature_hex");
    const auto ts = "t=" + std::to_string(t);
    const std::string cases[] = {
        "",
        ts,                                  // no v1
        "v1=" + sig,                         // no t
        ts + ",v1=" + std::string(64, 'z'),  // not hex
        ts + ",v1=" + sig.substr(1),         // odd length
        ts + ",v1=abcd",                     // hex, but not 32 bytes
        ts + ",v0=" + sig,                   // v0 only
        "t=abc,v1=" + sig,                   // non-numeric timestamp
        "t=-1,v1=" + sig,                    // signed timestamp
        "t= 1,v1=" + sig,                    // blank in timestamp
        "t=,v1=" + sig,                      // empty timestamp
        "t=99999999999999999999,v1=" + sig,  // overflows int64
        ts + "," + ts + ",v1=" + sig,        // two timestamps
        ts + ",v1" + sig,                    // element without '='
        ts + ",v1=" + sig + ",",             // trailing empty element
        ts + ",v1=" + sig + ",v1=xyz",       // one bad candidate among good ones: rejected, not skipped
        std::string(100 * 1024, 'a'),        // 100 KB header
    };
    for (const auto& header_value : cases) {
        BOOST_TEST_CONTEXT("header: " << header_value.substr(0, 80))
        EXPECT_FAILURE(recoup::verify_stripe_signature(header_value, body, secrets, at, std::nullopt),
                       error::malformed_signature);
    }
}

BOOST_FIXTURE_TEST_CASE(header_size_limit, stripe_vector)
{
    // Unknown elements pad the header to exactly the limit; one more byte is too long.
    auto padded = header + ",x=";
    padded.append(recoup::max_signature_header_size - padded.size(), 'p');
    BOOST_TEST(padded.size() == 8192u);
    EXPECT_OK(recoup::verify_stripe_signature(padded, body, secrets, at));
    const auto r = recoup::verify_stripe_signature(padded + "p", body, secrets, at);
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().code == error::malformed_signature));
    BOOST_TEST(r.error().detail == "header longer than 8192 bytes");
}

BOOST_FIXTURE_TEST_CASE(no_v1_detail, stripe_vector)
{
    const auto r = recoup::verify_stripe_signature("t=" + std::to_string(t) + ",v0=" + hex64_a, body, secrets, at);
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST(r.error().detail == "no v1 signature");
}

BOOST_FIXTURE_TEST_CASE(extreme_timestamps_do_not_overflow, stripe_vector)
{
    const auto sig = str(v, "expected_signature_hex");
    EXPECT_FAILURE(recoup::verify_stripe_signature("t=9223372036854775807,v1=" + sig, body, secrets, at),
                   error::timestamp_out_of_tolerance);
    EXPECT_FAILURE(recoup::verify_stripe_signature("t=0,v1=" + sig, body, secrets, at),
                   error::timestamp_out_of_tolerance);
    EXPECT_OK(recoup::verify_stripe_signature(header, body, secrets, at, std::chrono::seconds::max()));
    EXPECT_OK(recoup::verify_stripe_signature(header, body, secrets, at, -5s)); // negative acts as zero
}

BOOST_FIXTURE_TEST_CASE(no_secret_configured, stripe_vector)
{
    EXPECT_FAILURE(recoup::verify_stripe_signature(header, body, secrets_t{}, at), error::no_secret_configured);
    // An empty secret would let anyone sign.
    EXPECT_FAILURE(recoup::verify_stripe_signature(header, body, secrets_t{""}, at), error::no_secret_configured);
    EXPECT_OK(recoup::verify_stripe_signature(header, body, secrets_t{"", secret}, at));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(recurly, *recoup_test::needs_shared_fixtures())

struct recurly_vector {
    const boost::json::object& v = vectors("recurly");
    const boost::json::object& rotation = v.at("rotation_case").as_object();
    const std::string secret = str(v, "secret");
    const std::string secret_alt = str(rotation, "secret_alt");
    const std::string body = str(v, "body");
    const std::string header = str(v, "header_value");
    const std::string rotation_header = str(rotation, "header_value");
    const std::int64_t ms = num(v, "timestamp_ms");
    const recoup::time_point at = from_millis(ms);
    const secrets_t secrets{secret};
};

BOOST_FIXTURE_TEST_CASE(vector_verifies_with_tolerance_disabled, recurly_vector)
{
    BOOST_TEST(str(v, "header_name") == recoup::recurly_signature_header);
    EXPECT_OK(recoup::verify_recurly_signature(header, body, secrets, far_now, std::nullopt));
    BOOST_TEST(recoup::hex_encode(recoup::hmac_sha256(secret, std::to_string(ms) + "." + body)) ==
               str(v, "expected_signature_hex"));
}

BOOST_FIXTURE_TEST_CASE(vector_rejected_with_default_tolerance_far_away, recurly_vector)
{
    const auto r = recoup::verify_recurly_signature(header, body, secrets, far_now);
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().code == error::timestamp_out_of_tolerance));
    BOOST_TEST(r.error().field == "recurly-signature");
    BOOST_TEST(r.error().detail.find("ms in the past, tolerance 300000 ms") != std::string::npos, r.error().detail);
    EXPECT_FAILURE(recoup::verify_recurly_signature(rotation_header, body, secrets_t{secret_alt}, far_now),
                   error::timestamp_out_of_tolerance);
}

BOOST_FIXTURE_TEST_CASE(vector_verifies_within_default_tolerance, recurly_vector)
{
    EXPECT_OK(recoup::verify_recurly_signature(header, body, secrets, at));
    EXPECT_OK(recoup::verify_recurly_signature(header, body, secrets, at + 299999ms));
    EXPECT_OK(recoup::verify_recurly_signature(header, body, secrets, at - 299999ms));
}

BOOST_FIXTURE_TEST_CASE(sign_reproduces_the_vector, recurly_vector)
{
    BOOST_TEST(recoup::sign_recurly(body, secret, at) == header);
}

BOOST_FIXTURE_TEST_CASE(rotation_case_from_the_sdk, recurly_vector)
{
    BOOST_TEST(recoup::hex_encode(recoup::hmac_sha256(secret_alt, std::to_string(ms) + "." + body)) ==
               str(rotation, "expected_signature_hex_alt"));
    EXPECT_OK(recoup::verify_recurly_signature(rotation_header, body, secrets_t{secret_alt}, far_now, std::nullopt));
    EXPECT_OK(recoup::verify_recurly_signature(rotation_header, body, secrets_t{secret}, at));
    EXPECT_OK(recoup::verify_recurly_signature(rotation_header, body, secrets_t{secret_alt}, at));
    EXPECT_OK(recoup::verify_recurly_signature(rotation_header, body, secrets_t{"wrong", secret_alt}, at));
    EXPECT_OK(recoup::verify_recurly_signature(rotation_header, body, secrets_t{secret, secret_alt}, at));
    EXPECT_FAILURE(recoup::verify_recurly_signature(header, body, secrets_t{secret_alt}, at),
                   error::signature_mismatch);
}

BOOST_FIXTURE_TEST_CASE(upper_case_hex_alone_verifies, recurly_vector)
{
    const auto upper = rotation_header.substr(rotation_header.rfind(',') + 1);
    BOOST_TEST(upper.find_first_of("abcdef") == std::string::npos);
    EXPECT_OK(recoup::verify_recurly_signature(std::to_string(ms) + "," + upper, body, secrets_t{secret_alt}, at));
}

BOOST_FIXTURE_TEST_CASE(tampered_body_and_wrong_secret_mismatch, recurly_vector)
{
    EXPECT_FAILURE(recoup::verify_recurly_signature(header, flip_one_byte(body), secrets, at),
                   error::signature_mismatch);
    EXPECT_FAILURE(recoup::verify_recurly_signature(header, body, secrets_t{"wrong"}, at),
                   error::signature_mismatch);
    EXPECT_FAILURE(recoup::verify_recurly_signature(header, body, secrets_t{"wrong", "also wrong"}, at),
                   error::signature_mismatch);
}

BOOST_FIXTURE_TEST_CASE(tolerance_in_milliseconds_both_directions, recurly_vector)
{
    EXPECT_OK(recoup::verify_recurly_signature(header, body, secrets, at + 300000ms));
    EXPECT_OK(recoup::verify_recurly_signature(header, body, secrets, at - 300000ms));
    EXPECT_FAILURE(recoup::verify_recurly_signature(header, body, secrets, at + 300001ms),
                   error::timestamp_out_of_tolerance);
    const auto r = recoup::verify_recurly_signature(header, body, secrets, at - 300001ms);
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().code == error::timestamp_out_of_tolerance));
    BOOST_TEST(r.error().detail == "timestamp is 300001 ms in the future, tolerance 300000 ms");
}

BOOST_FIXTURE_TEST_CASE(malformed_headers, recurly_vector)
{
    const auto sig = str(v, "expected_signature_hex");
    const auto ts = std::to_string(ms);
    const std::string cases[] = {
        "",
        ts,                                  // no signature
        ts + ",",                            // empty signature
        "," + sig,                           // empty timestamp
        "abc," + sig,                        // non-numeric timestamp
        "t=" + ts + ",v1=" + sig,            // Stripe's format
        ts + "," + std::string(64, 'g'),     // not hex
        ts + "," + sig.substr(1),            // odd length
        ts + ",abcd",                        // hex, but not 32 bytes
        ts + "," + sig + ",xyz",             // one bad candidate among good ones: rejected, not skipped
        ts + ", " + sig,                     // blank
        std::string(100 * 1024, '1'),        // 100 KB header
    };
    for (const auto& header_value : cases) {
        BOOST_TEST_CONTEXT("header: " << header_value.substr(0, 80))
        EXPECT_FAILURE(recoup::verify_recurly_signature(header_value, body, secrets, at, std::nullopt),
                       error::malformed_signature);
    }
}

BOOST_FIXTURE_TEST_CASE(no_secret_configured, recurly_vector)
{
    EXPECT_FAILURE(recoup::verify_recurly_signature(header, body, secrets_t{}, at), error::no_secret_configured);
    EXPECT_FAILURE(recoup::verify_recurly_signature(header, body, secrets_t{"", ""}, at),
                   error::no_secret_configured);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(chargebee_basic_auth, *recoup_test::needs_shared_fixtures())

struct chargebee_vector {
    const boost::json::object& v = vectors("chargebee");
    const std::string user = str(v, "username");
    const std::string password = str(v, "password");
    const std::string header = str(v, "header_value");
    const secrets_t credentials{user + ":" + password};
};

BOOST_FIXTURE_TEST_CASE(vector_verifies, chargebee_vector)
{
    BOOST_TEST(str(v, "header_name") == recoup::authorization_header);
    BOOST_TEST(recoup::basic_auth_value(user, password) == header);
    EXPECT_OK(recoup::verify_basic_auth(header, credentials));
}

BOOST_FIXTURE_TEST_CASE(scheme_is_case_insensitive, chargebee_vector)
{
    const auto token = header.substr(6);
    EXPECT_OK(recoup::verify_basic_auth("basic " + token, credentials));
    EXPECT_OK(recoup::verify_basic_auth("BASIC " + token, credentials));
    EXPECT_OK(recoup::verify_basic_auth("Basic   " + token + " ", credentials));
}

BOOST_FIXTURE_TEST_CASE(wrong_credentials_mismatch, chargebee_vector)
{
    EXPECT_FAILURE(recoup::verify_basic_auth(recoup::basic_auth_value(user, "wrong"), credentials),
                   error::signature_mismatch);
    EXPECT_FAILURE(recoup::verify_basic_auth(recoup::basic_auth_value(user, password + "x"), credentials),
                   error::signature_mismatch);
    EXPECT_FAILURE(recoup::verify_basic_auth(recoup::basic_auth_value("TestUser", password), credentials),
                   error::signature_mismatch);
    const auto r = recoup::verify_basic_auth(recoup::basic_auth_value("x", "y"), credentials);
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST(r.error().field == "Authorization");
}

BOOST_FIXTURE_TEST_CASE(rotation, chargebee_vector)
{
    const secrets_t both{"old:pass", user + ":" + password};
    EXPECT_OK(recoup::verify_basic_auth(header, both));
    EXPECT_OK(recoup::verify_basic_auth(recoup::basic_auth_value("old", "pass"), both));
    EXPECT_FAILURE(recoup::verify_basic_auth(recoup::basic_auth_value("old", "pass"), credentials),
                   error::signature_mismatch);
}

BOOST_FIXTURE_TEST_CASE(password_may_contain_colons, chargebee_vector)
{
    EXPECT_OK(recoup::verify_basic_auth(recoup::basic_auth_value("u", "p:a:ss"), secrets_t{"u:p:a:ss"}));
}

BOOST_FIXTURE_TEST_CASE(malformed_headers, chargebee_vector)
{
    const std::string cases[] = {
        "",
        "Basic",
        "Basic ",
        "Bearer " + header.substr(6),
        "Basicx " + header.substr(6),
        header.substr(6),                                     // no scheme
        "Basic " + recoup::base64_encode("no-colon"),         // not user:password
        "Basic dGVzdHVzZXI6dGVzdHBhc3M",                      // padding missing
        "Basic dGVzdHVzZXI6dGVzdHBhc3M=!",                    // bad character
        "Basic " + std::string(100 * 1024, 'A'),              // 100 KB header
    };
    for (const auto& value : cases) {
        BOOST_TEST_CONTEXT("header: " << value.substr(0, 80))
        EXPECT_FAILURE(recoup::verify_basic_auth(value, credentials), error::malformed_signature);
    }
}

BOOST_FIXTURE_TEST_CASE(no_credentials_configured, chargebee_vector)
{
    EXPECT_FAILURE(recoup::verify_basic_auth(header, secrets_t{}), error::no_secret_configured);
    EXPECT_FAILURE(recoup::verify_basic_auth(header, secrets_t{""}), error::no_secret_configured);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(standard_webhooks)

// The Standard Webhooks reference libraries' published vector (also Svix's), recomputed with
// `openssl dgst -sha256 -mac HMAC` before being written here.
struct published_vector {
    const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const std::string id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const std::int64_t t = 1614265330;
    const std::string ts = "1614265330";
    const std::string body = R"({"test": 2432232314})";
    const std::string signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    const recoup::time_point at = recoup::from_unix_seconds(t);
    const secrets_t secrets{secret};
};

BOOST_FIXTURE_TEST_CASE(published_vector_signs_and_verifies, published_vector)
{
    BOOST_TEST(recoup::sign_standard_webhook(id, t, body, secret) == signature);
    EXPECT_OK(recoup::verify_standard_webhook(id, ts, signature, body, secrets, at));
    EXPECT_OK(recoup::verify_standard_webhook(id, ts, signature, body, secrets, far_now, std::nullopt));
    EXPECT_FAILURE(recoup::verify_standard_webhook(id, ts, signature, body, secrets, far_now),
                   error::timestamp_out_of_tolerance);
}

BOOST_FIXTURE_TEST_CASE(prefix_is_optional, published_vector)
{
    const auto bare = secret.substr(6);
    BOOST_TEST(recoup::sign_standard_webhook(id, t, body, bare) == signature);
    EXPECT_OK(recoup::verify_standard_webhook(id, ts, signature, body, secrets_t{bare}, at));
}

BOOST_FIXTURE_TEST_CASE(round_trip, published_vector)
{
    const std::string key = "whsec_" + recoup::base64_encode(std::string(32, '\x42'));
    const auto now = recoup::from_unix_seconds(1767225600);
    const auto sig = recoup::sign_standard_webhook("msg_1", 1767225600, "{}", key);
    EXPECT_OK(recoup::verify_standard_webhook("msg_1", "1767225600", sig, "{}", secrets_t{key}, now));
    EXPECT_OK(recoup::verify_standard_webhook("msg_1", "1767225600", sig, "{}", secrets_t{secret, key}, now));
    EXPECT_FAILURE(recoup::verify_standard_webhook("msg_2", "1767225600", sig, "{}", secrets_t{key}, now),
                   error::signature_mismatch);
}

BOOST_FIXTURE_TEST_CASE(several_signatures_and_other_versions, published_vector)
{
    const auto other = recoup::sign_standard_webhook(id, t, body, recoup::base64_encode("another key"));
    EXPECT_OK(recoup::verify_standard_webhook(id, ts, other + " " + signature, body, secrets, at));
    EXPECT_OK(recoup::verify_standard_webhook(id, ts, signature + "  " + other, body, secrets, at));
    EXPECT_OK(recoup::verify_standard_webhook(id, ts, "v1a,whatever " + signature, body, secrets, at));
    EXPECT_FAILURE(recoup::verify_standard_webhook(id, ts, other, body, secrets, at), error::signature_mismatch);
    EXPECT_FAILURE(recoup::verify_standard_webhook(id, ts, "v2" + signature.substr(2), body, secrets, at),
                   error::malformed_signature);
}

BOOST_FIXTURE_TEST_CASE(tampered_and_wrong_secret_mismatch, published_vector)
{
    EXPECT_FAILURE(recoup::verify_standard_webhook(id, ts, signature, flip_one_byte(body), secrets, at),
                   error::signature_mismatch);
    EXPECT_FAILURE(recoup::verify_standard_webhook(id, ts, signature, body,
                                                   secrets_t{recoup::base64_encode("wrong")}, at),
                   error::signature_mismatch);
}

BOOST_FIXTURE_TEST_CASE(tolerance_both_directions_and_boundary, published_vector)
{
    EXPECT_OK(recoup::verify_standard_webhook(id, ts, signature, body, secrets, at + 300s));
    EXPECT_OK(recoup::verify_standard_webhook(id, ts, signature, body, secrets, at - 300s));
    EXPECT_FAILURE(recoup::verify_standard_webhook(id, ts, signature, body, secrets, at + 301s),
                   error::timestamp_out_of_tolerance);
    const auto r = recoup::verify_standard_webhook(id, ts, signature, body, secrets, at - 301s);
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().code == error::timestamp_out_of_tolerance));
    BOOST_TEST(r.error().field == "webhook-timestamp");
}

BOOST_FIXTURE_TEST_CASE(malformed_headers, published_vector)
{
    EXPECT_FAILURE(recoup::verify_standard_webhook(id, ts, "", body, secrets, at), error::malformed_signature);
    EXPECT_FAILURE(recoup::verify_standard_webhook(id, ts, "   ", body, secrets, at), error::malformed_signature);
    EXPECT_FAILURE(recoup::verify_standard_webhook(id, ts, "v1", body, secrets, at), error::malformed_signature);
    EXPECT_FAILURE(recoup::verify_standard_webhook(id, ts, "v1,!!!!", body, secrets, at),
                   error::malformed_signature);
    EXPECT_FAILURE(recoup::verify_standard_webhook(id, ts, "v1,bm9wZQ==", body, secrets, at),
                   error::malformed_signature); // base64, but not 32 bytes
    EXPECT_FAILURE(recoup::verify_standard_webhook(id, ts, std::string(100 * 1024, 'v'), body, secrets, at),
                   error::malformed_signature);
    EXPECT_FAILURE(recoup::verify_standard_webhook("", ts, signature, body, secrets, at),
                   error::malformed_signature);
    for (std::string_view bad : {"", "abc", "-1614265330", "1614265330.5", "99999999999999999999"}) {
        const auto r = recoup::verify_standard_webhook(id, bad, signature, body, secrets, at);
        BOOST_TEST_REQUIRE(r.has_error());
        BOOST_TEST((r.error().code == error::malformed_signature));
        BOOST_TEST(r.error().field == "webhook-timestamp");
    }
}

BOOST_FIXTURE_TEST_CASE(secrets, published_vector)
{
    EXPECT_FAILURE(recoup::verify_standard_webhook(id, ts, signature, body, secrets_t{}, at),
                   error::no_secret_configured);
    EXPECT_FAILURE(recoup::verify_standard_webhook(id, ts, signature, body, secrets_t{"whsec_!!"}, at),
                   error::no_secret_configured);
    // A secret that is not base64 is skipped, so it cannot block a rotation.
    EXPECT_OK(recoup::verify_standard_webhook(id, ts, signature, body, secrets_t{"whsec_!!", secret}, at));
    BOOST_CHECK_THROW(recoup::sign_standard_webhook(id, t, body, "whsec_!!"), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(single_header)

BOOST_AUTO_TEST_CASE(present_once_any_case)
{
    recoup::owned_request req;
    req.headers = {{"Content-Type", "application/json"}, {"stripe-signature", "t=1,v1=ab"}};
    const auto r = recoup::single_header(req.view(), "Stripe-Signature");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(*r == "t=1,v1=ab");
}

BOOST_AUTO_TEST_CASE(missing)
{
    recoup::owned_request req;
    req.headers = {{"Content-Type", "application/json"}};
    const auto r = recoup::single_header(req.view(), "Stripe-Signature");
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().code == error::missing_signature));
    BOOST_TEST(r.error().field == "Stripe-Signature");
}

BOOST_AUTO_TEST_CASE(duplicate)
{
    recoup::owned_request req;
    req.headers = {{"recurly-signature", "1,aa"}, {"Recurly-Signature", "1,bb"}};
    const auto r = recoup::single_header(req.view(), "recurly-signature");
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().code == error::duplicate_signature_header));
    BOOST_TEST(r.error().field == "recurly-signature");
}

BOOST_AUTO_TEST_SUITE_END()
