// recoup Chargebee connector (docs/behaviour.md §3 "Chargebee"): HTTP Basic auth on the webhook, v2 event
// JSON in, record_payment form out. The wire structs and conversions are in transformers.hpp.
#pragma once

#include <recoup/connectors/chargebee/transformers.hpp>

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

namespace recoup::connectors::chargebee {

class connector {
public:
    using webhook = chargebee_webhook;
    static constexpr std::string_view name = "chargebee";

    // Chargebee signs nothing: the merchant protects the URL with Basic auth, one "user:password"
    // per MCA secret. No timestamp exists, so replays are caught by event-id dedup in the flow.
    result<void> verify_source(const webhook_request& req, const mca_config& mca, time_point /*now*/) const
    {
        auto header = single_header(req, authorization_header);
        if (!header) return header.error();
        return verify_basic_auth(*header, mca.secrets);
    }

    // Chargebee events carry everything: no sync call is ever needed.
    result<webhook> parse(const webhook_request& req, const mca_config& /*mca*/,
                          std::span<const sync_exchange> /*sync*/) const
    {
        return wire::parse_as<chargebee_webhook>(req.body);
    }

    incoming_webhook_event event_type(const webhook& w) const
    {
        return w.event ? to_incoming_event(*w.event) : incoming_webhook_event::event_not_supported;
    }

    std::optional<std::string> event_id(const webhook& w) const { return w.id; }
    std::optional<std::int64_t> event_time(const webhook& w) const { return w.occurred_at; }

    result<std::string> object_reference_id(const webhook& w) const
    {
        if (!w.content) return not_consumed(w, "object_reference_id");
        return w.content->invoice.id.str();
    }

    result<recovery_invoice> invoice_details(const webhook& w) const
    {
        if (!w.content) return not_consumed(w, "invoice_details");
        return to_invoice(*w.content);
    }

    result<recovery_attempt> attempt_details(const webhook& w) const
    {
        if (!w.content || !w.content->transaction) return not_consumed(w, "attempt_details");
        return to_attempt(*w.content);
    }

    // Reports our retry's outcome on the invoice, authenticated with the site API key as the
    // Basic user and an empty password (Chargebee's API convention).
    result<outbound_request> record_back(const record_back_request& r, const mca_config& mca) const
    {
        // The id goes into the path unescaped, so it must be a valid reference id.
        auto invoice = merchant_reference_id::make(r.invoice_id, "invoice_id");
        if (!invoice) return invoice.error();
        if (auto amount = checked_minor_units(r.amount, "amount"); !amount) return amount.error();
        if (mca.api_key.empty()) return fail(error::no_secret_configured, "api_key", "no Chargebee API key");
        return outbound_request{
            "POST",
            "/v2/invoices/" + invoice->str() + "/record_payment",
            {{"Authorization", basic_auth_value(mca.api_key, "")},
             form_content_type_header()},
            record_payment_form(r),
        };
    }

private:
    // The flow only asks these of consumed events; anything else is a caller's mistake.
    static failure not_consumed(const webhook& w, std::string_view method)
    {
        return fail(error::not_supported, "event_type",
                    std::string(method) + " is not available for chargebee event \"" + w.event_type + "\"");
    }
};

static_assert(billing_connector<connector>);
static_assert(has_record_back<connector>);
static_assert(!has_sync_requests<connector>);

} // namespace recoup::connectors::chargebee
