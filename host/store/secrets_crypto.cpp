#include "store/secrets_crypto.hpp"

#include <recoup/crypto.hpp>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace recoupd {

namespace {

constexpr std::string_view version_prefix = "v1:";
constexpr std::size_t nonce_size = 12;
constexpr std::size_t tag_size = 16;

using ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

ctx_ptr new_ctx()
{
    ctx_ptr ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    if (!ctx) throw std::runtime_error("OpenSSL: cannot allocate a cipher context");
    return ctx;
}

int length_of(std::size_t n)
{
    if (n > static_cast<std::size_t>(1) << 30) throw std::runtime_error("secret too large to encrypt");
    return static_cast<int>(n);
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

std::optional<secret_box::key_type> parse_key(std::string_view text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
    std::optional<std::string> raw;
    if (text.size() == 64) raw = recoup::hex_decode(text);
    if (!raw) raw = recoup::base64_decode(text);
    if (!raw || raw->size() != 32) return std::nullopt;
    secret_box::key_type key{};
    std::memcpy(key.data(), raw->data(), key.size());
    return key;
}

std::string read_key_file(const std::string& path)
{
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) throw std::runtime_error("cannot read the key file \"" + path + "\"");
    return text;
}

// Writes a fresh key to a private temporary file, then link()s it into place: link fails if the
// key file already exists, so two processes starting at once agree on one key and nobody ever
// reads a half-written file.
void create_key_file(const std::string& path)
{
    secret_box::key_type key{};
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
        throw std::runtime_error("OpenSSL: cannot generate a master key");
    const std::string text = recoup::hex_encode(key) + "\n";
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create the key file \"" + tmp + "\": " + std::strerror(errno));
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                         ::fsync(fd) == 0;
    ::close(fd);
    const int linked = written ? ::link(tmp.c_str(), path.c_str()) : -1;
    const int link_errno = errno;
    ::unlink(tmp.c_str());
    if (!written) throw std::runtime_error("cannot write the key file \"" + path + "\"");
    if (linked != 0 && link_errno != EEXIST)
        throw std::runtime_error("cannot create the key file \"" + path + "\": " + std::strerror(link_errno));
}

} // namespace

secret_box secret_box::from_text(std::string_view text)
{
    auto key = parse_key(text);
    if (!key)
        throw std::invalid_argument("RECOUP_MASTER_KEY must be 32 bytes written as 64 hex digits or as base64 "
                                    "(generate one with: openssl rand -hex 32)");
    return secret_box(*key);
}

std::string secret_box::seal(std::string_view plaintext, std::string_view associated_data) const
{
    std::string out(nonce_size + plaintext.size() + tag_size, '\0');
    auto* nonce = reinterpret_cast<unsigned char*>(out.data());
    if (RAND_bytes(nonce, static_cast<int>(nonce_size)) != 1) throw std::runtime_error("OpenSSL: RAND_bytes failed");

    auto ctx = new_ctx();
    int len = 0;
    auto* cipher = nonce + nonce_size;
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(associated_data), length_of(associated_data.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), cipher, &len, bytes(plaintext), length_of(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), cipher + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag_size),
                            cipher + plaintext.size()) != 1)
        throw std::runtime_error("OpenSSL: AES-256-GCM encryption failed");
    return std::string(version_prefix) + recoup::base64_encode(out);
}

std::string secret_box::open(std::string_view sealed, std::string_view associated_data) const
{
    if (sealed.substr(0, version_prefix.size()) != version_prefix)
        throw std::runtime_error("sealed secret has an unknown format version");
    const auto raw = recoup::base64_decode(sealed.substr(version_prefix.size()));
    if (!raw || raw->size() < nonce_size + tag_size) throw std::runtime_error("sealed secret is malformed");

    const std::string_view all(*raw);
    const auto nonce = all.substr(0, nonce_size);
    const auto cipher = all.substr(nonce_size, all.size() - nonce_size - tag_size);
    std::string tag(all.substr(all.size() - tag_size));
    std::string plain(cipher.size(), '\0');

    auto ctx = new_ctx();
    int len = 0;
    auto* out = reinterpret_cast<unsigned char*>(plain.data());
    const bool ok =
        EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), bytes(nonce)) == 1 &&
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(associated_data), length_of(associated_data.size())) == 1 &&
        EVP_DecryptUpdate(ctx.get(), out, &len, bytes(cipher), length_of(cipher.size())) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag_size), tag.data()) == 1 &&
        EVP_DecryptFinal_ex(ctx.get(), out + len, &len) == 1;
    if (!ok)
        throw std::runtime_error("cannot decrypt a stored secret: wrong master key (RECOUP_MASTER_KEY or the key "
                                 "file) or the value was altered");
    return plain;
}

std::string key_file_path(const database_url& url) { return url.path + ".key"; }

secret_box load_secret_box(const database_url& url)
{
    if (const char* env = std::getenv("RECOUP_MASTER_KEY"); env != nullptr && *env != '\0')
        return secret_box::from_text(env);
    if (url.backend == backend::postgresql)
        throw std::runtime_error("RECOUP_MASTER_KEY is not set: a PostgreSQL database needs a master key to "
                                 "encrypt MCA secrets (32 bytes as 64 hex digits or base64; generate one with: "
                                 "openssl rand -hex 32)");
    const auto path = key_file_path(url);
    if (const auto parent = std::filesystem::path(path).parent_path(); !parent.empty())
        std::filesystem::create_directories(parent);
    if (::access(path.c_str(), F_OK) != 0) create_key_file(path);
    auto key = parse_key(read_key_file(path));
    if (!key) throw std::runtime_error("the key file \"" + path + "\" does not hold a 32-byte key");
    return secret_box(*key);
}

} // namespace recoupd
