// recoup Stripe Billing connector (docs/behaviour.md §3 "Stripe Billing"): Stripe-Signature verification,
// invoice.* events to the unified invoice and attempt, an optional charge sync for the decline
// code and payment method, and the record-back that pays out of band or voids the invoice.
#pragma once

#include <recoup/connectors/stripe_billing/transformers.hpp>

#include <recoup/connector.hpp>
#include <recoup/signature.hpp>
#include <recoup/sync.hpp>
#include <recoup/wire.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace recoup::connectors::stripe_billing {

class connector {
public:
    using webhook = stripe_webhook;
    static constexpr std::string_view name = "stripe_billing";

    result<void> verify_source(const webhook_request& req, const mca_config& mca, time_point now) const
    {
        auto header = single_header(req, stripe_signature_header);
        if (!header) return header.error();
        return verify_stripe_signature(*header, req.body, mca.secrets, now, mca.signature_tolerance());
    }

    // Parses the body once; when the charge sync applies and the host performed it, reads its answer.
    result<webhook> parse(const webhook_request& req, const mca_config& mca,
                          std::span<const sync_exchange> sync) const
    {
        auto event = wire::parse_as<stripe_event>(req.body);
        if (!event) return event.error();
        webhook w{std::move(*event), std::nullopt};
        const auto charge = charge_to_sync(w, mca);
        if (!charge || sync.empty()) return w;
        auto synced = read_charge(sync, *charge);
        if (!synced) return synced.error();
        w.charge = std::move(*synced);
        return w;
    }

    incoming_webhook_event event_type(const webhook& w) const { return to_incoming_event(w.event.kind); }

    std::optional<std::string> event_id(const webhook& w) const { return w.event.id; }
    std::optional<std::int64_t> event_time(const webhook& w) const { return w.event.created; }

    // The invoice id: every event we consume is about one invoice.
    result<std::string> object_reference_id(const webhook& w) const
    {
        auto invoice = invoice_of(w, "object_reference_id");
        if (!invoice) return invoice.error();
        return (*invoice)->id.str();
    }

    result<recovery_invoice> invoice_details(const webhook& w) const
    {
        auto invoice = invoice_of(w, "invoice_details");
        if (!invoice) return invoice.error();
        return to_recovery_invoice(**invoice);
    }

    result<recovery_attempt> attempt_details(const webhook& w) const
    {
        const auto status = to_attempt_status(w.event.kind);
        if (!status)
            return fail(error::not_supported, "type",
                        "attempt_details: event \"" + w.event.type + "\" carries no payment attempt");
        auto invoice = invoice_of(w, "attempt_details");
        if (!invoice) return invoice.error();
        auto attempt = to_recovery_attempt(**invoice, *status);
        if (w.charge) apply_charge(attempt, *w.charge);
        return attempt;
    }

    // The charge, until its answer was handed to parse().
    std::vector<outbound_request> sync_requests(const webhook& w, const mca_config& mca) const
    {
        const auto charge = charge_to_sync(w, mca);
        if (!charge || w.charge) return {};
        return {charge_request(*charge, mca.api_key)};
    }

    result<outbound_request> record_back(const record_back_request& r, const mca_config& mca) const
    {
        auto invoice = merchant_reference_id::make(r.invoice_id, "invoice_id");
        if (!invoice) return invoice.error();
        if (mca.api_key.empty())
            return fail(error::no_secret_configured, "api_key", "record_back: the MCA has no Stripe API key");
        return invoice_outcome_request(*invoice, r.outcome, mca.api_key);
    }

private:
    static result<const stripe_invoice*> invoice_of(const webhook& w, std::string_view method)
    {
        if (!w.event.data)
            return fail(error::not_supported, "type",
                        std::string(method) + ": event \"" + w.event.type + "\" is not consumed");
        return &w.event.data->object;
    }

    // The charge id to sync: opt-in per MCA ("charge_sync": true), transaction events only, and
    // only when the invoice names a charge (basil invoices without `payments` may not).
    static std::optional<std::string> charge_to_sync(const webhook& w, const mca_config& mca)
    {
        const auto* on = mca.setting("charge_sync");
        if (on == nullptr || !on->is_bool() || !on->get_bool()) return std::nullopt;
        if (!to_attempt_status(w.event.kind) || !w.event.data) return std::nullopt;
        return charge_id(w.event.data->object);
    }

    static result<stripe_charge> read_charge(std::span<const sync_exchange> sync, std::string_view charge)
    {
        const auto path = charge_path(charge);
        auto response = sync_response(sync, "GET", path);
        if (!response) return response.error();
        return parse_charge((*response)->body, path, charge);
    }

    static result<stripe_charge> parse_charge(std::string_view body, const std::string& path,
                                              std::string_view charge)
    {
        auto parsed = wire::parse_as<stripe_charge>(body);
        if (!parsed) {
            auto f = parsed.error();
            f.detail = "in the response to GET " + path + (f.detail.empty() ? "" : ": " + f.detail);
            return f;
        }
        if (parsed->id != charge) // a mixed-up exchange would graft another payment's decline on this one
            return fail(error::invalid_field, "id", "GET " + path + " returned charge \"" + parsed->id + "\"");
        return std::move(*parsed);
    }
};

static_assert(billing_connector<connector>);
static_assert(has_sync_requests<connector>);
static_assert(has_record_back<connector>);

} // namespace recoup::connectors::stripe_billing
