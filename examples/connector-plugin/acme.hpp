// An out-of-tree billing connector for "Acme Billing", a made-up platform that signs its
// webhooks with Standard Webhooks. Copy this folder to start your own plugin.
//
// Acme's webhook body:
//   {"id":"evt_1","type":"invoice.payment_failed",
//    "data":{"invoice_id":"inv_1","amount_due":1234,"currency":"eur",
//            "transaction":{"id":"tx_1","amount":1234,"status":"failed","decline_code":"insufficient_funds"}}}
#pragma once

#include <recoup/recoup.hpp>

namespace acme {

using namespace recoup;

// Wire structs: named like the JSON, read with wire::required / wire::optional.
struct transaction {
    std::string id;
    std::int64_t amount = 0;
    std::string status;
    std::optional<std::string> decline_code;
};

struct invoice_data {
    std::string invoice_id;
    std::int64_t amount_due = 0;
    std::string currency;
    std::optional<transaction> txn;
};

struct event {
    std::optional<std::string> id;
    std::string type;
    std::optional<invoice_data> data;
};

inline transaction tag_invoke(const boost::json::value_to_tag<transaction>&, const boost::json::value& jv)
{
    const auto& o = wire::as_object(jv);
    return {wire::required<std::string>(o, "id"), wire::required<std::int64_t>(o, "amount"),
            wire::required<std::string>(o, "status"), wire::optional<std::string>(o, "decline_code")};
}

inline invoice_data tag_invoke(const boost::json::value_to_tag<invoice_data>&, const boost::json::value& jv)
{
    const auto& o = wire::as_object(jv);
    return {wire::required<std::string>(o, "invoice_id"), wire::required<std::int64_t>(o, "amount_due"),
            wire::required<std::string>(o, "currency"), wire::optional<transaction>(o, "transaction")};
}

inline event tag_invoke(const boost::json::value_to_tag<event>&, const boost::json::value& jv)
{
    const auto& o = wire::as_object(jv);
    event e{wire::optional<std::string>(o, "id"), wire::required<std::string>(o, "type"), std::nullopt};
    if (e.type.rfind("invoice.", 0) == 0) e.data = wire::required<invoice_data>(o, "data");
    return e;
}

class connector {
public:
    using webhook = event;

    result<void> verify_source(const webhook_request& req, const mca_config& mca, time_point now) const
    {
        auto id = single_header(req, "webhook-id");
        auto ts = single_header(req, "webhook-timestamp");
        auto sig = single_header(req, "webhook-signature");
        if (!id) return id.error();
        if (!ts) return ts.error();
        if (!sig) return sig.error();
        return verify_standard_webhook(*id, *ts, *sig, req.body, mca.secrets, now, mca.signature_tolerance());
    }

    result<webhook> parse(const webhook_request& req, const mca_config&, std::span<const sync_exchange>) const
    {
        return wire::parse_as<event>(req.body);
    }

    incoming_webhook_event event_type(const webhook& w) const
    {
        if (w.type == "invoice.payment_failed") return incoming_webhook_event::recovery_payment_failure;
        if (w.type == "invoice.paid") return incoming_webhook_event::recovery_payment_success;
        if (w.type == "invoice.voided") return incoming_webhook_event::recovery_invoice_cancel;
        return incoming_webhook_event::event_not_supported;
    }

    std::optional<std::string> event_id(const webhook& w) const { return w.id; }

    result<std::string> object_reference_id(const webhook& w) const
    {
        if (!w.data) return fail(error::missing_field, "data");
        return w.data->invoice_id;
    }

    result<recovery_invoice> invoice_details(const webhook& w) const
    {
        if (!w.data) return fail(error::missing_field, "data");
        auto ref = merchant_reference_id::make(w.data->invoice_id, "data.invoice_id");
        if (!ref) return ref.error();
        auto cur = parse_currency(w.data->currency, "data.currency");
        if (!cur) return cur.error();
        recovery_invoice i;
        i.merchant_reference_id = *ref;
        i.amount = w.data->amount_due;
        i.currency = *cur;
        return i;
    }

    result<recovery_attempt> attempt_details(const webhook& w) const
    {
        auto invoice = invoice_details(w);
        if (!invoice) return invoice.error();
        if (!w.data->txn) return fail(error::missing_field, "data.transaction");
        const auto& t = *w.data->txn;
        recovery_attempt a;
        a.amount = t.amount;
        a.currency = invoice->currency;
        a.merchant_reference_id = invoice->merchant_reference_id;
        a.connector_transaction_id = t.id;
        a.status = t.status == "succeeded" ? attempt_status::charged : attempt_status::failure;
        a.error_code = t.decline_code;
        return a;
    }
};

static_assert(billing_connector<connector>);

} // namespace acme
