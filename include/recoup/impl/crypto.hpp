#pragma once

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <climits>
#include <cstddef>
#include <stdexcept>

RECOUP_BEGIN_NAMESPACE

namespace detail {

// OpenSSL reads a null key as "reuse the previous key", so empty views get a real address.
inline const unsigned char* bytes_of(std::string_view s) noexcept
{
    static const unsigned char empty = 0;
    return s.empty() ? &empty : reinterpret_cast<const unsigned char*>(s.data());
}

// Non-throwing core: verifiers fail closed on false instead of throwing.
template <std::size_t N>
bool hmac_into(const EVP_MD* md, std::string_view key, std::string_view message,
               std::array<unsigned char, N>& out) noexcept
{
    if (key.size() > static_cast<std::size_t>(INT_MAX)) return false;
    unsigned int len = 0;
    const auto* done = HMAC(md, bytes_of(key), static_cast<int>(key.size()), bytes_of(message),
                            message.size(), out.data(), &len);
    return done != nullptr && len == N;
}

inline bool sha256_into(std::string_view data, sha256_digest& out) noexcept
{
    unsigned int len = 0;
    const int ok = EVP_Digest(bytes_of(data), data.size(), out.data(), &len, EVP_sha256(), nullptr);
    return ok == 1 && len == out.size();
}

[[noreturn]] inline void throw_openssl_failure(const char* what)
{
    throw std::runtime_error(std::string("recoup: OpenSSL ") + what + " failed");
}

// -1 for a character outside the alphabet.
inline int hex_value(char c) noexcept
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

inline int base64_value(char c) noexcept
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// EVP_DecodeBlock skips whitespace and accepts odd padding, so the text is vetted first.
inline bool base64_is_canonical(std::string_view text) noexcept
{
    if (text.size() % 4 != 0) return false;
    std::size_t pad = 0;
    while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
    const std::size_t data = text.size() - pad;
    for (std::size_t i = 0; i < data; ++i)
        if (base64_value(text[i]) < 0) return false;
    // The bits the padding leaves unused must be zero, or two texts would decode alike.
    if (pad == 2) return (base64_value(text[data - 1]) & 0x0F) == 0;
    if (pad == 1) return (base64_value(text[data - 1]) & 0x03) == 0;
    return true;
}

} // namespace detail

inline sha256_digest hmac_sha256(std::string_view key, std::string_view message)
{
    sha256_digest out{};
    if (!detail::hmac_into(EVP_sha256(), key, message, out)) detail::throw_openssl_failure("HMAC-SHA256");
    return out;
}

inline sha512_digest hmac_sha512(std::string_view key, std::string_view message)
{
    sha512_digest out{};
    if (!detail::hmac_into(EVP_sha512(), key, message, out)) detail::throw_openssl_failure("HMAC-SHA512");
    return out;
}

inline sha256_digest sha256(std::string_view data)
{
    sha256_digest out{};
    if (!detail::sha256_into(data, out)) detail::throw_openssl_failure("SHA-256");
    return out;
}

inline std::string hex_encode(std::span<const unsigned char> bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0x0F]);
    }
    return out;
}

inline std::optional<std::string> hex_decode(std::string_view hex)
{
    if (hex.size() % 2 != 0) return std::nullopt;
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = detail::hex_value(hex[i]);
        const int lo = detail::hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>((hi << 4) | lo));
    }
    return out;
}

inline std::string base64_encode(std::string_view bytes)
{
    // A multiple of 3 so only the last chunk is padded, and small enough for EVP's int length.
    constexpr std::size_t chunk = 3 * 16384;
    const std::size_t total = 4 * ((bytes.size() + 2) / 3);
    std::string out(total + 1, '\0'); // EVP_EncodeBlock appends a NUL
    std::size_t written = 0;
    for (std::size_t pos = 0; pos < bytes.size(); pos += chunk) {
        const auto part = bytes.substr(pos, chunk);
        auto* dest = reinterpret_cast<unsigned char*>(out.data() + written);
        written += static_cast<std::size_t>(
            EVP_EncodeBlock(dest, detail::bytes_of(part), static_cast<int>(part.size())));
    }
    out.resize(written);
    return out;
}

inline std::optional<std::string> base64_decode(std::string_view text)
{
    if (!detail::base64_is_canonical(text)) return std::nullopt;
    // A multiple of 4 so padding can only be in the last chunk.
    constexpr std::size_t chunk = 4 * 16384;
    std::string out(text.size() / 4 * 3, '\0');
    std::size_t written = 0;
    for (std::size_t pos = 0; pos < text.size(); pos += chunk) {
        const auto part = text.substr(pos, chunk);
        auto* dest = reinterpret_cast<unsigned char*>(out.data() + written);
        const int n = EVP_DecodeBlock(dest, detail::bytes_of(part), static_cast<int>(part.size()));
        if (n < 0) return std::nullopt;
        written += static_cast<std::size_t>(n);
    }
    // EVP_DecodeBlock counts the padding as zero bytes.
    const std::size_t pad = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
    out.resize(written - pad);
    return out;
}

inline bool constant_time_equal(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) return false;
    return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

RECOUP_END_NAMESPACE
