// Test that header file is self-contained.
#include <recoup/crypto.hpp>

#define BOOST_TEST_MODULE crypto
#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

namespace {

template <std::size_t N>
std::string hex(const std::array<unsigned char, N>& digest)
{
    return recoup::hex_encode(digest);
}

} // namespace

BOOST_AUTO_TEST_SUITE(hmac)

// RFC 4231 section 4.2.
BOOST_AUTO_TEST_CASE(rfc4231_test_case_1)
{
    const std::string key(20, '\x0b');
    BOOST_TEST(hex(recoup::hmac_sha256(key, "Hi There")) ==
               "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    BOOST_TEST(hex(recoup::hmac_sha512(key, "Hi There")) ==
               "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
               "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
}

// RFC 4231 section 4.3.
BOOST_AUTO_TEST_CASE(rfc4231_test_case_2)
{
    BOOST_TEST(hex(recoup::hmac_sha256("Jefe", "what do ya want for nothing?")) ==
               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    BOOST_TEST(hex(recoup::hmac_sha512("Jefe", "what do ya want for nothing?")) ==
               "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
               "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

// OpenSSL reads a null key as "reuse the previous key"; an empty key must still be a key.
BOOST_AUTO_TEST_CASE(empty_key_and_message)
{
    BOOST_TEST(hex(recoup::hmac_sha256("", "")) ==
               "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

BOOST_AUTO_TEST_CASE(binary_key_with_nul_bytes)
{
    const std::string key("a\0b", 3);
    BOOST_TEST(hex(recoup::hmac_sha256(key, "x")) != hex(recoup::hmac_sha256("a", "x")));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(digest)

BOOST_AUTO_TEST_CASE(sha256_of_abc)
{
    BOOST_TEST(hex(recoup::sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(sha256_of_empty)
{
    BOOST_TEST(hex(recoup::sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(hex_codec)

BOOST_AUTO_TEST_CASE(encode_is_lower_case)
{
    const unsigned char bytes[] = {0x00, 0x0f, 0xab, 0xff, 0x10};
    BOOST_TEST(recoup::hex_encode(bytes) == "000fabff10");
    BOOST_TEST(recoup::hex_encode({}) == "");
}

BOOST_AUTO_TEST_CASE(round_trip_all_bytes)
{
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    const auto* data = reinterpret_cast<const unsigned char*>(all.data());
    const auto decoded = recoup::hex_decode(recoup::hex_encode({data, all.size()}));
    BOOST_REQUIRE(decoded.has_value());
    BOOST_TEST(*decoded == all);
}

BOOST_AUTO_TEST_CASE(decode_accepts_either_case)
{
    BOOST_TEST(*recoup::hex_decode("ABcd0f") == std::string("\xab\xcd\x0f"));
    BOOST_TEST(*recoup::hex_decode("") == "");
}

BOOST_AUTO_TEST_CASE(decode_rejects_odd_length_and_non_hex)
{
    BOOST_TEST(!recoup::hex_decode("abc").has_value());
    BOOST_TEST(!recoup::hex_decode("zz").has_value());
    BOOST_TEST(!recoup::hex_decode("0g").has_value());
    BOOST_TEST(!recoup::hex_decode(" a").has_value());
    BOOST_TEST(!recoup::hex_decode("0x12").has_value());
    BOOST_TEST(!recoup::hex_decode(std::string_view("a\0", 2)).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(base64_codec)

// RFC 4648 section 10.
BOOST_AUTO_TEST_CASE(rfc4648_vectors)
{
    const std::pair<std::string_view, std::string_view> vectors[] = {
        {"", ""},         {"f", "Zg=="},        {"fo", "Zm8="},        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        BOOST_TEST(recoup::base64_encode(plain) == encoded);
        const auto decoded = recoup::base64_decode(encoded);
        BOOST_REQUIRE(decoded.has_value());
        BOOST_TEST(*decoded == plain);
    }
}

BOOST_AUTO_TEST_CASE(round_trip_binary_and_large)
{
    std::string data;
    for (int i = 0; i < 200000; ++i) data.push_back(static_cast<char>((i * 7919) & 0xff));
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{49151},
                             std::size_t{49152}, std::size_t{49153}, data.size()}) {
        const auto part = std::string_view(data).substr(0, size);
        const auto encoded = recoup::base64_encode(part);
        BOOST_TEST(encoded.size() == 4 * ((size + 2) / 3));
        const auto decoded = recoup::base64_decode(encoded);
        BOOST_REQUIRE(decoded.has_value());
        BOOST_TEST((*decoded == part));
    }
}

BOOST_AUTO_TEST_CASE(decode_rejects_bad_characters)
{
    BOOST_TEST(!recoup::base64_decode("Zm9v!mFy").has_value());
    BOOST_TEST(!recoup::base64_decode("Zm9v YmFy").has_value());
    BOOST_TEST(!recoup::base64_decode(" Zm9vYmFy").has_value());
    BOOST_TEST(!recoup::base64_decode("Zm9vYmFy\n").has_value());
    BOOST_TEST(!recoup::base64_decode("Zm9v-_Fy").has_value()); // base64url alphabet
    BOOST_TEST(!recoup::base64_decode(std::string_view("Zm9\0", 4)).has_value());
}

BOOST_AUTO_TEST_CASE(decode_rejects_bad_padding_and_length)
{
    BOOST_TEST(!recoup::base64_decode("Zg").has_value());     // missing padding
    BOOST_TEST(!recoup::base64_decode("Zg=").has_value());    // short padding
    BOOST_TEST(!recoup::base64_decode("Zg===").has_value());  // excess padding
    BOOST_TEST(!recoup::base64_decode("Z===").has_value());
    BOOST_TEST(!recoup::base64_decode("====").has_value());
    BOOST_TEST(!recoup::base64_decode("Zg==Zm8=").has_value()); // padding in the middle
    BOOST_TEST(!recoup::base64_decode("Z=g=").has_value());
    BOOST_TEST(!recoup::base64_decode("Zm9vY").has_value());
}

BOOST_AUTO_TEST_CASE(decode_rejects_non_zero_padding_bits)
{
    BOOST_TEST(!recoup::base64_decode("Zh==").has_value()); // "Zg==" with a stray low bit
    BOOST_TEST(!recoup::base64_decode("Zm9=").has_value()); // "Zm8=" with a stray low bit
    BOOST_TEST(recoup::base64_decode("Zm8=").has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(comparison)

BOOST_AUTO_TEST_CASE(constant_time_equal)
{
    BOOST_TEST(recoup::constant_time_equal("", ""));
    BOOST_TEST(recoup::constant_time_equal("secret", "secret"));
    BOOST_TEST(!recoup::constant_time_equal("secret", "secreT"));
    BOOST_TEST(!recoup::constant_time_equal("secret", "secret "));
    BOOST_TEST(!recoup::constant_time_equal("", "x"));
    BOOST_TEST(recoup::constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
    BOOST_TEST(!recoup::constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

BOOST_AUTO_TEST_CASE(as_string_view_covers_the_whole_digest)
{
    const auto digest = recoup::sha256("abc");
    BOOST_TEST(recoup::as_string_view(digest).size() == 32u);
    BOOST_TEST(recoup::constant_time_equal(recoup::as_string_view(digest), recoup::as_string_view(recoup::sha256("abc"))));
}

BOOST_AUTO_TEST_SUITE_END()
