// Test that the header is self-contained: it comes first.
#include <recoup/merchant_delivery.hpp>

#define BOOST_TEST_MODULE merchant_delivery
#include <boost/test/unit_test.hpp>

#include <vector>

using namespace recoup;
using state = delivery_decision::state;

BOOST_AUTO_TEST_CASE(the_signature_is_standard_webhooks)
{
    // The example of the Standard Webhooks specification (and its reference libraries).
    const auto key = endpoint_secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    BOOST_TEST_REQUIRE(key.has_value());
    BOOST_TEST(standard_webhook_signature(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                                          R"({"test": 2432232314})") ==
               "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

BOOST_AUTO_TEST_CASE(secrets_are_whsec_and_base64)
{
    BOOST_TEST(!endpoint_secret_key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    BOOST_TEST(!endpoint_secret_key("whsec_"));
    BOOST_TEST(!endpoint_secret_key("whsec_not base64!"));
    const std::string bytes(32, '\x07');
    const auto secret = endpoint_secret_from(bytes);
    BOOST_TEST(secret.starts_with("whsec_"));
    BOOST_TEST(endpoint_secret_key(secret).value() == bytes);
}

BOOST_AUTO_TEST_CASE(failures_back_off_then_give_up_after_three_days)
{
    const std::int64_t created = 1'700'000'000;
    std::int64_t now = created;
    std::vector<std::int64_t> waits;
    std::int32_t attempts = 0;
    for (int i = 0; i < 50; ++i) {
        const auto d = decide_after_delivery(attempts, created, now, false);
        attempts = d.attempts;
        if (d.next == state::failed) break;
        BOOST_TEST_REQUIRE((d.next == state::pending));
        waits.push_back(d.next_attempt_at - now);
        now = d.next_attempt_at;
    }
    const std::vector<std::int64_t> expected{5, 300, 1800, 7200, 18000, 36000, 36000, 36000, 36000, 36000, 36000};
    BOOST_TEST(waits == expected, boost::test_tools::per_element());
    BOOST_TEST(attempts == 12);
    BOOST_TEST(now - created <= outgoing_retry_window);
    BOOST_TEST(now + 36000 - created > outgoing_retry_window);
}

BOOST_AUTO_TEST_CASE(a_2xx_delivers)
{
    const auto d = decide_after_delivery(3, 0, 100, true);
    BOOST_TEST((d.next == state::delivered));
    BOOST_TEST(d.attempts == 4);
}

BOOST_AUTO_TEST_CASE(an_endpoint_is_disabled_only_when_a_given_up_webhook_saw_no_success)
{
    delivery_decision given_up{state::failed, 12, 0};
    BOOST_TEST(should_disable_endpoint(12, given_up));
    BOOST_TEST(should_disable_endpoint(40, given_up));
    BOOST_TEST(!should_disable_endpoint(11, given_up)); // something got through meanwhile
    BOOST_TEST(!should_disable_endpoint(40, delivery_decision{state::pending, 5, 10}));
}
