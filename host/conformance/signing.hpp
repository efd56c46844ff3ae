// recoupd: the signing schemes `recoupd sign` and conformance cases' "sign" name: a built-in
// scheme by name (stripe, recurly, standard-webhooks, paddle; chargebee is Basic auth) or the
// generic HMAC scheme ("hmac"), each field overridable, so case authors never compute a signature
// by hand.
#pragma once

#include <recoup/clock.hpp>
#include <recoup/signature.hpp>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace recoupd::signing {

// The scheme names `make` accepts, for help texts and error messages.
inline constexpr std::string_view scheme_names = "stripe, recurly, standard-webhooks, paddle, chargebee, hmac";

// The keys an override may set, spelled like hmac_scheme's fields (flags use dashes instead).
inline constexpr std::string_view override_keys =
    "signature_header, separator, key_separator, timestamp_key, signature_key, timestamp_header, id_header, "
    "payload, encoding (hex|base64), unit (s|ms), secret_encoding (raw|base64), secret_prefix";

class scheme {
public:
    // Throws std::invalid_argument naming the unknown scheme, key or value.
    static scheme make(std::string_view name, const std::map<std::string, std::string, std::less<>>& overrides = {});

    // The headers that make `body` verify under `secret` at `at`; chargebee: `secret` is
    // "user:password". Throws std::invalid_argument.
    std::vector<recoup::signed_header> sign(std::string_view body, std::string_view secret, recoup::time_point at,
                                            std::string_view id = {}) const;

    bool needs_id() const noexcept { return !basic_auth_ && !hmac_.id_header.empty(); }

private:
    std::string_view keep(std::string s);
    std::vector<std::unique_ptr<std::string>> strings_; // what hmac_'s views point into
    recoup::hmac_scheme hmac_;
    bool basic_auth_ = false;
};

} // namespace recoupd::signing
