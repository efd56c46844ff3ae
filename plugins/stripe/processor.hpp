// recoup Stripe processor (docs/behaviour.md §5): charges a stored payment method off-session with one
// confirmed PaymentIntent (POST /v1/payment_intents, Idempotency-Key per attempt), reads the
// answer as succeeded, pending or failed (a decline classified by recoup/decline.hpp), and polls a pending
// intent (GET /v1/payment_intents/{id}). The wire structs and conversions are in transformers.hpp.
#pragma once

#include "stripe/transformers.hpp"

#include <recoup/connector.hpp>
#include <recoup/error.hpp>
#include <recoup/processor.hpp>
#include <recoup/result.hpp>
#include <recoup/wire.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace recoup::processors::stripe {

class processor {
public:
    static constexpr std::string_view name = "stripe";

    result<charge_step> build_charge(const charge_request& c, const mca_config& mca) const
    {
        if (auto valid = check(c, mca, "build_charge"); !valid) return valid.error();
        auto amount = stripe_amount(c.amount, c.currency);
        if (!amount) return amount.error();
        outbound_request r{"POST",
                           std::string(payment_intents_path),
                           {bearer(mca.api_key),
                            form_content_type_header(),
                            {"Idempotency-Key", c.idempotency_key}},
                           payment_intent_form(c, *amount)};
        return charge_step{std::move(r), std::nullopt};
    }

    // 2xx: the intent. 402 (or any card_error): a decline. 400/404 invalid_request_error: Stripe
    // refused the request itself. Anything else says nothing about the card: an error, so the
    // host tries again later instead of counting a decline.
    result<charge_result> parse_charge(const charge_request& /*c*/, const http_response& response) const
    {
        const std::string path(payment_intents_path);
        if (is_success(response.status)) {
            auto pi = read<stripe_payment_intent>(response.body, "POST", path);
            if (!pi) return pi.error();
            return to_charge_result(*pi);
        }
        if (response.status != 402 && response.status != 400 && response.status != 404)
            return unanswered("POST", path, response);
        auto body = read<stripe_error_response>(response.body, "POST", path);
        if (!body) return body.error();
        const auto& e = body->error;
        if (response.status == 402 || e.type == "card_error")
            return declined(e, e.payment_intent ? std::optional(e.payment_intent->value) : std::nullopt);
        if (e.type == "invalid_request_error") return rejected(e);
        return unanswered("POST", path, response); // idempotency_error and the like: our side, not the card
    }

    result<charge_step> build_status(const status_request& s, const mca_config& mca) const
    {
        if (mca.api_key.empty()) return no_api_key("build_status");
        if (s.processor_transaction_id.empty()) return fail(error::missing_field, "processor_transaction_id");
        outbound_request r{"GET", payment_intent_path(s.processor_transaction_id), {bearer(mca.api_key)}, {}};
        return charge_step{std::move(r), std::nullopt};
    }

    // Only a 2xx tells anything: a 404 or 401 on a poll says nothing about whether the charge
    // went through, and a guess would either charge twice or void a paid invoice.
    result<charge_result> parse_status(const status_request& s, const http_response& response) const
    {
        const auto path = payment_intent_path(s.processor_transaction_id);
        if (!is_success(response.status)) return unanswered("GET", path, response);
        auto pi = read<stripe_payment_intent>(response.body, "GET", path);
        if (!pi) return pi.error();
        if (pi->id != s.processor_transaction_id) // a mixed-up exchange would settle another charge
            return fail(error::invalid_field, "id", "GET " + path + " returned PaymentIntent \"" + pi->id + "\"");
        return to_charge_result(*pi);
    }

private:
    static bool is_success(int status) noexcept { return status >= 200 && status <= 299; }

    // A header value: no CR/LF could smuggle another header into the request.
    static bool is_header_safe(std::string_view value, std::size_t max) noexcept
    {
        if (value.size() > max) return false;
        for (unsigned char c : value)
            if (c < 0x20 || c > 0x7E) return false;
        return true;
    }

    static failure no_api_key(std::string_view method)
    {
        return fail(error::no_secret_configured, "api_key",
                    std::string(method) + ": the MCA has no Stripe API key");
    }

    // The idempotency key is what keeps a crash between charge and record from charging twice.
    static result<void> check(const charge_request& c, const mca_config& mca, std::string_view method)
    {
        if (mca.api_key.empty()) return no_api_key(method);
        if (c.idempotency_key.empty()) return fail(error::missing_field, "idempotency_key");
        if (!is_header_safe(c.idempotency_key, 255))
            return fail(error::invalid_field, "idempotency_key", "Stripe takes up to 255 printable ASCII characters");
        if (c.payment_method_token.empty()) return fail(error::missing_field, "payment_method_token");
        if (c.amount <= 0) return fail(error::amount_out_of_range, "amount", "a charge needs a positive amount");
        return {};
    }

    template <class T>
    static result<T> read(std::string_view body, std::string_view method, const std::string& path)
    {
        auto parsed = wire::parse_as<T>(body);
        if (!parsed) {
            auto f = parsed.error();
            f.detail = "in the response to " + std::string(method) + " " + path +
                       (f.detail.empty() ? "" : ": " + f.detail);
            return f;
        }
        return parsed;
    }

    // 401, 403, 409, 429, 5xx ...: the detail keeps Stripe's own words when the body has them.
    static failure unanswered(std::string_view method, const std::string& path, const http_response& response)
    {
        std::string detail = std::string(method) + " " + path + " answered HTTP " + std::to_string(response.status);
        if (auto body = wire::parse_as<stripe_error_response>(response.body)) {
            detail += " (" + body->error.type;
            if (body->error.message) detail += ": " + *body->error.message;
            detail += ")";
        }
        return fail(error::sync_response_failed, path, std::move(detail));
    }
};

static_assert(payment_processor<processor>);

} // namespace recoup::processors::stripe
