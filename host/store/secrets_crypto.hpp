// recoupd: MCA secrets and API keys at rest. AES-256-GCM (OpenSSL EVP) with a fresh 12-byte
// nonce per value, stored as "v1:" + base64(nonce | ciphertext | tag). The associated data binds
// a value to its row and column, so a sealed value copied elsewhere does not open.
#pragma once

#include "store/database_url.hpp"

#include <array>
#include <string>
#include <string_view>

namespace recoupd {

class secret_box {
public:
    using key_type = std::array<unsigned char, 32>;

    explicit secret_box(const key_type& key) noexcept : key_(key) {}

    // The RECOUP_MASTER_KEY format: 32 bytes as 64 hex digits or as base64.
    // Throws std::invalid_argument (without echoing the text, which is a secret).
    static secret_box from_text(std::string_view text);

    std::string seal(std::string_view plaintext, std::string_view associated_data) const;
    // Throws std::runtime_error when the value was tampered with or sealed under another key.
    std::string open(std::string_view sealed, std::string_view associated_data) const;

private:
    key_type key_;
};

// RECOUP_MASTER_KEY when set; else, for SQLite, the key file `<database>.key` beside the
// database, generated (mode 0600) on first use; else (PostgreSQL) a std::runtime_error saying
// what to set.
secret_box load_secret_box(const database_url& url);

// Where the SQLite key file lives: "<database path>.key".
std::string key_file_path(const database_url& url);

} // namespace recoupd
