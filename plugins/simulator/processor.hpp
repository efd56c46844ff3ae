// recoup simulator processor (docs/behaviour.md §5): a payment processor without a network, so that a whole
// recovery runs without any account. The payment-method token chooses the outcome; every charge
// is answered at once (charge_step.result), and the transaction id derives from the idempotency
// key, so a retried charge with the same key is the same transaction. With the MCA setting
// "issuer_api": true the answer comes from an issuer at the MCA's base_url instead
// (issuer_api.hpp; `recoupd simulate` runs one).
#pragma once

#include "simulator/issuer_api.hpp"

#include <recoup/connector.hpp>
#include <recoup/crypto.hpp>
#include <recoup/error.hpp>
#include <recoup/processor.hpp>
#include <recoup/result.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace recoup::processors::simulator {

enum class outcome { succeeded, insufficient_funds, stolen_card, pending, unknown_token };

// The tokens the simulator knows; any other one is a hard decline (a typo should not look soft).
inline constexpr std::array<std::pair<std::string_view, outcome>, 4> tokens{{
    {"tok_success", outcome::succeeded},
    {"tok_insufficient_funds", outcome::insufficient_funds},
    {"tok_stolen_card", outcome::stolen_card},
    {"tok_pending", outcome::pending},
}};

constexpr outcome outcome_of(std::string_view token) noexcept
{
    for (const auto& [name, value] : tokens)
        if (name == token) return value;
    return outcome::unknown_token;
}

// "sim_" + the first 24 hex digits of SHA-256(idempotency key): same key, same transaction.
inline std::string transaction_id(std::string_view idempotency_key)
{
    return "sim_" + hex_encode(sha256(idempotency_key)).substr(0, 24);
}

inline charge_result declined(decline_kind kind, std::string code, std::string message)
{
    return {charge_status::failed, kind, std::move(code), std::move(message), std::nullopt};
}

// What the simulated processor answers for a token. `settled`: asked again later (a status
// sync), when a pending charge has gone through.
inline charge_result answer(std::string_view token, bool settled)
{
    charge_result r;
    switch (outcome_of(token)) {
    case outcome::succeeded: r.status = charge_status::succeeded; break;
    case outcome::pending: r.status = settled ? charge_status::succeeded : charge_status::pending; break;
    case outcome::insufficient_funds:
        r = declined(decline_kind::soft, "insufficient_funds", "simulated decline: insufficient funds");
        break;
    case outcome::stolen_card:
        r = declined(decline_kind::hard, "stolen_card", "simulated decline: the card was reported stolen");
        break;
    case outcome::unknown_token:
        r = declined(decline_kind::hard, "unknown_token",
                     "the simulator knows no token \"" + std::string(token) +
                         "\" (known: tok_success, tok_insufficient_funds, tok_stolen_card, tok_pending)");
        break;
    }
    return r;
}

class processor {
public:
    static constexpr std::string_view name = "simulator";

    result<charge_step> build_charge(const charge_request& c, const mca_config& mca) const
    {
        if (auto valid = check(c); !valid) return valid.error();
        if (issuer_api::enabled(mca)) return charge_step{issuer_api::charge_request_of(c), std::nullopt};
        auto r = answer(c.payment_method_token, false);
        r.processor_transaction_id = transaction_id(c.idempotency_key);
        return charge_step{std::nullopt, std::move(r)};
    }

    // The charge's outcome once settled: a pending charge has succeeded, any other is unchanged.
    result<charge_step> build_status(const status_request& s, const mca_config& /*mca*/) const
    {
        if (auto valid = check(s.charge); !valid) return valid.error();
        const auto id = transaction_id(s.charge.idempotency_key);
        if (s.processor_transaction_id != id) // a mixed-up sync would settle another charge
            return fail(error::invalid_field, "processor_transaction_id",
                        "the simulator issued \"" + id + "\" for this idempotency key, not \"" +
                            s.processor_transaction_id + "\"");
        auto r = answer(s.charge.payment_method_token, true);
        r.processor_transaction_id = id;
        return charge_step{std::nullopt, std::move(r)};
    }

    // Only an issuer's answer (issuer_api.hpp) needs parsing; the token outcomes come at once.
    result<charge_result> parse_charge(const charge_request& c, const http_response& response) const
    {
        auto answer = issuer_api::parse_answer(response);
        if (!answer) return never_needed("parse_charge");
        if (*answer) (*answer)->processor_transaction_id = transaction_id(c.idempotency_key);
        return std::move(*answer);
    }

    result<charge_result> parse_status(const status_request& /*s*/, const http_response& /*response*/) const
    {
        return never_needed("parse_status");
    }

private:
    // The transaction id derives from the key: without one, two attempts would be one transaction.
    static result<void> check(const charge_request& c)
    {
        if (c.idempotency_key.empty()) return fail(error::missing_field, "idempotency_key");
        if (c.amount <= 0)
            return fail(error::amount_out_of_range, "amount", "a charge needs a positive amount");
        return {};
    }

    static failure never_needed(std::string_view method)
    {
        return fail(error::not_supported, std::string(method),
                    "processor \"simulator\" answers every charge at once: " + std::string(method) +
                        " is never needed");
    }
};

static_assert(payment_processor<processor>);

} // namespace recoup::processors::simulator
