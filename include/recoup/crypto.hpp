// recoup: the few cryptographic primitives signature checks need, all delegated to OpenSSL 3
// (HMAC, SHA-256, base64, constant-time comparison) plus hex, which is too small to delegate.
#pragma once

#include <recoup/detail/config.hpp>

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>

RECOUP_BEGIN_NAMESPACE

using sha256_digest = std::array<unsigned char, 32>;
using sha512_digest = std::array<unsigned char, 64>;

// Throw std::runtime_error only when OpenSSL itself fails (out of memory, broken provider
// configuration); a key longer than INT_MAX bytes counts as such a failure.
sha256_digest hmac_sha256(std::string_view key, std::string_view message);
sha512_digest hmac_sha512(std::string_view key, std::string_view message);
sha256_digest sha256(std::string_view data);

// Lower case.
std::string hex_encode(std::span<const unsigned char> bytes);
// Either case; std::nullopt on odd length or a non-hex character.
std::optional<std::string> hex_decode(std::string_view hex);

// RFC 4648 standard alphabet with '=' padding, no line breaks.
std::string base64_encode(std::string_view bytes);
// Strict: std::nullopt on whitespace, characters outside the alphabet, a length that is not a
// multiple of 4, misplaced or excess '=', or non-zero padding bits (non-canonical encodings).
std::optional<std::string> base64_decode(std::string_view text);

// false on length mismatch (the length is not secret), else CRYPTO_memcmp.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

// The bytes of a digest as a string_view, for constant_time_equal and friends.
template <std::size_t N>
std::string_view as_string_view(const std::array<unsigned char, N>& digest) noexcept
{
    return {reinterpret_cast<const char*>(digest.data()), N};
}

RECOUP_END_NAMESPACE

#include <recoup/impl/crypto.hpp>
