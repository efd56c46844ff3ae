#include "conformance/signing.hpp"

#include <stdexcept>

namespace recoupd::signing {

namespace {

char one_char(const std::string& key, const std::string& value)
{
    if (value.size() != 1) throw std::invalid_argument(key + " must be one character, not \"" + value + "\"");
    return value.front();
}

template <class E>
E choice(const std::string& key, const std::string& value, std::string_view a, E ea, std::string_view b, E eb)
{
    if (value == a) return ea;
    if (value == b) return eb;
    throw std::invalid_argument(key + " must be " + std::string(a) + " or " + std::string(b) + ", not \"" + value + "\"");
}

} // namespace

std::string_view scheme::keep(std::string s)
{
    strings_.push_back(std::make_unique<std::string>(std::move(s)));
    return *strings_.back();
}

scheme scheme::make(std::string_view name, const std::map<std::string, std::string, std::less<>>& overrides)
{
    scheme out;
    if (name == "stripe") out.hmac_ = recoup::stripe_scheme;
    else if (name == "recurly") out.hmac_ = recoup::recurly_scheme;
    else if (name == "standard-webhooks" || name == "standard_webhooks") out.hmac_ = recoup::standard_webhooks_scheme;
    else if (name == "paddle") out.hmac_ = recoup::paddle_scheme;
    else if (name == "chargebee") out.basic_auth_ = true;
    else if (name != "hmac")
        throw std::invalid_argument("unknown scheme \"" + std::string(name) + "\": expected one of " +
                                    std::string(scheme_names));
    if (out.basic_auth_ && !overrides.empty())
        throw std::invalid_argument("chargebee signs with Basic auth: it takes no HMAC settings");
    auto& h = out.hmac_;
    for (const auto& [key, value] : overrides) {
        if (key == "signature_header") h.signature_header = out.keep(value);
        else if (key == "separator") h.separator = one_char(key, value);
        else if (key == "key_separator") h.key_separator = one_char(key, value);
        else if (key == "timestamp_key") h.timestamp_key = out.keep(value);
        else if (key == "signature_key") h.signature_key = out.keep(value);
        else if (key == "timestamp_header") h.timestamp_header = out.keep(value);
        else if (key == "id_header") h.id_header = out.keep(value);
        else if (key == "payload") h.payload = out.keep(value);
        else if (key == "secret_prefix") h.secret_prefix = out.keep(value);
        else if (key == "encoding")
            h.encoding = choice(key, value, "hex", recoup::signature_encoding::hex, "base64",
                                recoup::signature_encoding::base64);
        else if (key == "unit")
            h.unit = choice(key, value, "s", recoup::timestamp_unit::seconds, "ms", recoup::timestamp_unit::milliseconds);
        else if (key == "secret_encoding")
            h.secret = choice(key, value, "raw", recoup::secret_encoding::raw, "base64", recoup::secret_encoding::base64);
        else
            throw std::invalid_argument("unknown setting \"" + key + "\": expected one of " + std::string(override_keys));
    }
    return out;
}

std::vector<recoup::signed_header> scheme::sign(std::string_view body, std::string_view secret, recoup::time_point at,
                                                std::string_view id) const
{
    if (basic_auth_) {
        const auto colon = secret.find(':');
        if (colon == std::string_view::npos) throw std::invalid_argument("chargebee: the secret must be user:password");
        return {{"Authorization", recoup::basic_auth_value(secret.substr(0, colon), secret.substr(colon + 1))}};
    }
    if (needs_id() && id.empty()) throw std::invalid_argument("the scheme signs a message id: give one");
    return recoup::sign_hmac(hmac_, body, secret, at, id);
}

} // namespace recoupd::signing
