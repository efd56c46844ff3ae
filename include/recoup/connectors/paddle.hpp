// recoup Paddle Billing connector. Paddle signs with "Paddle-Signature: ts=<unix>;h1=<hex>"
// (HMAC-SHA256 of "<ts>:<body>", several h1 during a secret rotation) and every transaction event
// carries the whole Transaction, so no sync call is needed.
//
// object_reference_id: the transaction id ("txn_..."). A Paddle transaction is one billing period's
// charge and its payment attempts are retries of it, so it is what an invoice is elsewhere; the
// invoice_number exists only once billed, and invoice_id is deprecated.
//
// record_back: Paddle's API cannot mark an automatically-collected transaction paid or failed
// from outside, so the connector has none (the host reports not_supported).
#pragma once

#include <recoup/connectors/paddle/transformers.hpp>

#include <recoup/clock.hpp>
#include <recoup/connector.hpp>
#include <recoup/error.hpp>
#include <recoup/result.hpp>
#include <recoup/signature.hpp>
#include <recoup/webhook_request.hpp>
#include <recoup/wire.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace recoup::connectors::paddle {

class connector {
public:
    using webhook = paddle_notification;
    static constexpr std::string_view name = "paddle";

    result<void> verify_source(const webhook_request& req, const mca_config& mca, time_point now) const
    {
        return verify_hmac(paddle_scheme, req, mca.secrets, now, mca.signature_tolerance());
    }

    result<webhook> parse(const webhook_request& req, const mca_config& /*mca*/,
                          std::span<const sync_exchange> /*sync*/) const
    {
        return wire::parse_as<paddle_notification>(req.body);
    }

    // transaction.past_due follows a failed automatic collection (the same attempt as
    // payment_failed, which the flow deduplicates by attempt id); a manually-collected
    // transaction falls past due with no attempt at all, and there is nothing to recover.
    incoming_webhook_event event_type(const webhook& w) const
    {
        if (!w.event) return incoming_webhook_event::event_not_supported;
        switch (*w.event) {
        case paddle_event_type::payment_failed: return incoming_webhook_event::recovery_payment_failure;
        case paddle_event_type::completed:
        case paddle_event_type::paid: return incoming_webhook_event::recovery_payment_success;
        case paddle_event_type::past_due:
            return latest_payment(*w.transaction) != nullptr ? incoming_webhook_event::recovery_payment_failure
                                                             : incoming_webhook_event::event_not_supported;
        case paddle_event_type::canceled: return incoming_webhook_event::recovery_invoice_cancel;
        }
        return incoming_webhook_event::event_not_supported; // unreachable: the switch is exhaustive
    }

    std::optional<std::string> event_id(const webhook& w) const { return w.event_id; }
    std::optional<std::int64_t> event_time(const webhook& w) const { return w.occurred_at; }

    result<std::string> object_reference_id(const webhook& w) const
    {
        if (!w.transaction) return not_consumed(w, "object_reference_id");
        return w.transaction->id.str();
    }

    result<recovery_invoice> invoice_details(const webhook& w) const
    {
        if (!w.transaction) return not_consumed(w, "invoice_details");
        return to_recovery_invoice(*w.transaction);
    }

    // The latest payment attempt; a transaction event without one names the missing field.
    result<recovery_attempt> attempt_details(const webhook& w) const
    {
        if (!w.transaction) return not_consumed(w, "attempt_details");
        const auto* payment = latest_payment(*w.transaction);
        if (payment == nullptr) return fail(error::missing_field, "data.payments", "no payment attempt");
        return to_recovery_attempt(*w.transaction, *payment);
    }

private:
    // The flow only asks these of consumed events; anything else is a caller's mistake.
    static failure not_consumed(const webhook& w, std::string_view method)
    {
        return fail(error::not_supported, "event_type",
                    std::string(method) + " is not available for paddle event \"" + w.event_type + "\"");
    }
};

static_assert(billing_connector<connector>);
static_assert(!has_record_back<connector>);
static_assert(!has_sync_requests<connector>);

} // namespace recoup::connectors::paddle
