// An out-of-tree billing connector for "Acme Billing", a made-up platform that signs its
// webhooks with Standard Webhooks. Copy this folder to start your own plugin.
//
// Acme's webhook body:
//   {"id":"evt_1","type":"invoice.payment_failed",
//    "data":{"invoice_id":"inv_1","amount_due":1234,"currency":"eur",
//            "transaction":{"id":"tx_1","amount":1234,"status":"failed","decline_code":"insufficient_funds"}}}
#pragma once

#include <recoup/recoup.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace acme {

namespace json = boost::json;
namespace wire = recoup::wire;

// Wire structs: named like the JSON, read with wire::required / wire::optional and the field
// readers of recoup/wire_fields.hpp, which validate while reading and name the JSON path.
struct transaction {
    std::string id;
    std::int64_t amount = 0; // minor units
    std::string status;
    std::optional<std::string> decline_code;
};

struct invoice_data {
    recoup::merchant_reference_id invoice_id;
    std::int64_t amount_due = 0; // minor units
    recoup::currency currency;
    std::optional<transaction> txn;
};

struct event {
    std::optional<std::string> id;
    std::string type;
    std::optional<invoice_data> data;
};

// Integer minor units; a negative amount fails as "amount_out_of_range" at its JSON path.
inline std::int64_t read_amount(const json::object& o, std::string_view key)
{
    return wire::unwrap(recoup::checked_minor_units(wire::required<std::int64_t>(o, key), key));
}

inline transaction tag_invoke(const json::value_to_tag<transaction>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    return {wire::required<std::string>(o, "id"), read_amount(o, "amount"), wire::required<std::string>(o, "status"),
            wire::optional<std::string>(o, "decline_code")};
}

inline invoice_data tag_invoke(const json::value_to_tag<invoice_data>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    return {wire::read_reference_id(o, "invoice_id"), read_amount(o, "amount_due"), wire::read_currency(o, "currency"),
            wire::optional<transaction>(o, "transaction")};
}

inline event tag_invoke(const json::value_to_tag<event>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    event e{wire::optional<std::string>(o, "id"), wire::required<std::string>(o, "type"), std::nullopt};
    if (e.type.rfind("invoice.", 0) == 0) e.data = wire::required<invoice_data>(o, "data");
    return e;
}

class connector {
public:
    using webhook = event;
    // The plugin's name: RECOUP_EXPORT_CONNECTOR reads it for the descriptor.
    static constexpr std::string_view name = "acme";

    recoup::result<void> verify_source(const recoup::webhook_request& req, const recoup::mca_config& mca,
                                       recoup::time_point now) const
    {
        auto id = recoup::single_header(req, "webhook-id");
        auto ts = recoup::single_header(req, "webhook-timestamp");
        auto sig = recoup::single_header(req, "webhook-signature");
        if (!id) return id.error();
        if (!ts) return ts.error();
        if (!sig) return sig.error();
        return recoup::verify_standard_webhook(*id, *ts, *sig, req.body, mca.secrets, now, mca.signature_tolerance());
    }

    recoup::result<webhook> parse(const recoup::webhook_request& req, const recoup::mca_config&,
                                  std::span<const recoup::sync_exchange>) const
    {
        return wire::parse_as<event>(req.body);
    }

    recoup::incoming_webhook_event event_type(const webhook& w) const
    {
        using recoup::incoming_webhook_event;
        if (w.type == "invoice.payment_failed") return incoming_webhook_event::recovery_payment_failure;
        if (w.type == "invoice.paid") return incoming_webhook_event::recovery_payment_success;
        if (w.type == "invoice.voided") return incoming_webhook_event::recovery_invoice_cancel;
        return incoming_webhook_event::event_not_supported;
    }

    std::optional<std::string> event_id(const webhook& w) const { return w.id; }

    recoup::result<std::string> object_reference_id(const webhook& w) const
    {
        if (!w.data) return recoup::fail(recoup::error::missing_field, "data");
        return w.data->invoice_id.str();
    }

    recoup::result<recoup::recovery_invoice> invoice_details(const webhook& w) const
    {
        if (!w.data) return recoup::fail(recoup::error::missing_field, "data");
        recoup::recovery_invoice i;
        i.merchant_reference_id = w.data->invoice_id;
        i.amount = w.data->amount_due;
        i.currency = w.data->currency;
        return i;
    }

    recoup::result<recoup::recovery_attempt> attempt_details(const webhook& w) const
    {
        if (!w.data) return recoup::fail(recoup::error::missing_field, "data");
        if (!w.data->txn) return recoup::fail(recoup::error::missing_field, "data.transaction");
        const auto& t = *w.data->txn;
        recoup::recovery_attempt a;
        a.amount = t.amount;
        a.currency = w.data->currency;
        a.merchant_reference_id = w.data->invoice_id;
        a.connector_transaction_id = t.id;
        a.status = t.status == "succeeded" ? recoup::attempt_status::charged : recoup::attempt_status::failure;
        a.error_code = t.decline_code;
        return a;
    }

    // Reports our retry's outcome: POST /invoices/{id}/payments with a form body.
    recoup::result<recoup::outbound_request> record_back(const recoup::record_back_request& r,
                                                         const recoup::mca_config& mca) const
    {
        if (mca.api_key.empty()) return recoup::fail(recoup::error::no_secret_configured, "api_key");
        std::string body;
        recoup::append_form_field(body, "amount", std::to_string(r.amount));
        recoup::append_form_field(body, "currency", r.currency.str());
        recoup::append_form_field(body, "status", recoup::to_string(r.outcome));
        if (r.connector_transaction_id) recoup::append_form_field(body, "reference", *r.connector_transaction_id);
        return recoup::outbound_request{
            "POST",
            "/invoices/" + recoup::percent_encode(r.invoice_id) + "/payments",
            {{"Authorization", "Bearer " + std::string(mca.api_key)}, recoup::form_content_type_header()},
            std::move(body),
        };
    }
};

static_assert(recoup::billing_connector<connector>);
static_assert(recoup::has_record_back<connector>);

} // namespace acme
