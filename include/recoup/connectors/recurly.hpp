// recoup Recurly connector (docs/behaviour.md §3 "Recurly"). A Recurly notification names a payment only by
// its transaction `uuid`, so a consumed event needs two sync rounds: the transaction
// (GET /transactions/uuid-{uuid}), then its invoice (GET /invoices/{invoice.id}). The host loops:
// parse() with every exchange so far, sync_requests() says what is still missing.
//
// object_reference_id: the invoice id (the transaction's `invoice.id`) once the transaction is
// known; before that it fails with sync_response_missing naming the transaction request, because
// the notification holds no invoice id and a transaction uuid is not what the flow looks up.
#pragma once

#include <recoup/connectors/recurly/transformers.hpp>

#include <recoup/connector.hpp>
#include <recoup/signature.hpp>
#include <recoup/sync.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace recoup::connectors::recurly {

// Pins the API version the wire structs were written against.
inline constexpr std::string_view api_accept = "application/vnd.recurly.v2021-02-25";

// One delivery: the notification plus whatever the sync calls returned so far.
struct recurly_webhook {
    recurly_notification notification;
    std::optional<recurly_payment_event_type> payment_event; // set only for a consumed event
    std::optional<recurly_transaction> transaction;
    std::optional<recurly_invoice> invoice;
};

inline std::string transaction_path(std::string_view uuid) { return "/transactions/uuid-" + std::string(uuid); }
inline std::string invoice_path(std::string_view invoice_id) { return "/invoices/" + std::string(invoice_id); }

// How exchanges are matched and failures name them: "GET /invoices/abc".
inline std::string exchange_key(std::string_view method, std::string_view path)
{
    return std::string(method) + " " + std::string(path);
}

// Recurly's API auth: the API key as the Basic-auth user, no password.
inline std::vector<http_header> api_headers(const mca_config& mca)
{
    return {{"Accept", std::string(api_accept)}, {"Authorization", basic_auth_value(mca.api_key, "")}};
}

// A failure inside a sync response, its path prefixed with the response it came from.
inline failure from_sync(failure f, std::string_view method, std::string_view path)
{
    std::string field = "sync:" + exchange_key(method, path);
    if (!f.field.empty()) field += "." + f.field;
    f.field = std::move(field);
    return f;
}

// The response to GET `path` among the exchanges: nullopt when not supplied yet, since the host
// syncs in rounds and parse() reads whatever has been answered so far.
template <class T>
result<std::optional<T>> read_sync(std::span<const sync_exchange> sync, const std::string& path)
{
    if (find_exchange(sync, "GET", path) == nullptr) return std::optional<T>();
    auto response = sync_response(sync, "GET", path);
    if (!response) return response.error();
    auto parsed = wire::parse_as<T>((*response)->body);
    if (!parsed) return from_sync(parsed.error(), "GET", path);
    return std::optional<T>(std::move(*parsed));
}

class connector {
public:
    using webhook = recurly_webhook;
    static constexpr std::string_view name = "recurly";

    // Any listed signature against any secret, timestamp within tolerance both ways.
    result<void> verify_source(const webhook_request& req, const mca_config& mca, time_point now) const
    {
        auto header = single_header(req, recurly_signature_header);
        if (!header) return header.error();
        return verify_recurly_signature(*header, req.body, mca.secrets, now, mca.signature_tolerance());
    }

    result<webhook> parse(const webhook_request& req, const mca_config&,
                          std::span<const sync_exchange> sync) const
    {
        auto notification = wire::parse_as<recurly_notification>(req.body);
        if (!notification) return notification.error();
        webhook w{std::move(*notification), {}, {}, {}};
        w.payment_event = payment_event_of(w.notification);
        if (!w.payment_event) return w; // not consumed: no reference is needed
        if (!w.notification.uuid) return fail(error::missing_field, "uuid");
        // The uuid goes into a request path: only [A-Za-z0-9_-].
        if (auto checked = merchant_reference_id::make(*w.notification.uuid, "uuid"); !checked)
            return checked.error();
        if (auto ok = read_responses(w, sync); !ok) return ok.error();
        return w;
    }

    incoming_webhook_event event_type(const webhook& w) const
    {
        if (!w.payment_event) return incoming_webhook_event::event_not_supported;
        switch (*w.payment_event) {
        case recurly_payment_event_type::failed: return incoming_webhook_event::recovery_payment_failure;
        case recurly_payment_event_type::succeeded: return incoming_webhook_event::recovery_payment_success;
        case recurly_payment_event_type::scheduled:
        case recurly_payment_event_type::processing: return incoming_webhook_event::recovery_payment_pending;
        }
        return incoming_webhook_event::event_not_supported; // unreachable: the switch is exhaustive
    }

    std::optional<std::string> event_id(const webhook& w) const { return w.notification.id; }
    std::optional<std::int64_t> event_time(const webhook& w) const { return w.notification.event_time; }

    result<std::string> object_reference_id(const webhook& w) const
    {
        if (w.transaction) return w.transaction->invoice.id;
        return missing(w);
    }

    result<recovery_invoice> invoice_details(const webhook& w) const
    {
        if (!w.invoice) return missing(w);
        return to_recovery_invoice(*w.invoice);
    }

    result<recovery_attempt> attempt_details(const webhook& w) const
    {
        if (!w.transaction) return missing(w);
        return to_recovery_attempt(*w.transaction);
    }

    // Round 1: the transaction; round 2: its invoice; then nothing.
    std::vector<outbound_request> sync_requests(const webhook& w, const mca_config& mca) const
    {
        auto path = next_sync_path(w);
        if (!path) return {};
        return {outbound_request{"GET", std::move(*path), api_headers(mca), ""}};
    }

    // PUT /invoices/{id}/mark_successful or /mark_failed, no body.
    result<outbound_request> record_back(const record_back_request& r, const mca_config& mca) const
    {
        // The invoice id goes into the path: only [A-Za-z0-9_-].
        auto id = merchant_reference_id::make(r.invoice_id, "invoice_id");
        if (!id) return id.error();
        std::string_view action;
        switch (r.outcome) {
        case recovery_outcome::succeeded: action = "mark_successful"; break;
        case recovery_outcome::failed: action = "mark_failed"; break;
        }
        return outbound_request{"PUT", invoice_path(id->str()) + "/" + std::string(action), api_headers(mca), ""};
    }

private:
    // Fills in the transaction, then the invoice it names, from the exchanges supplied so far.
    static result<void> read_responses(webhook& w, std::span<const sync_exchange> sync)
    {
        auto transaction = read_sync<recurly_transaction>(sync, transaction_path(*w.notification.uuid));
        if (!transaction) return transaction.error();
        w.transaction = std::move(*transaction);
        if (!w.transaction) return {};
        const auto path = invoice_path(w.transaction->invoice.id);
        auto invoice = read_sync<recurly_invoice>(sync, path);
        if (!invoice) return invoice.error();
        w.invoice = std::move(*invoice);
        if (w.invoice && w.invoice->id != w.transaction->invoice.id)
            return from_sync(fail(error::invalid_field, "id", "not the transaction's invoice"), "GET", path);
        return {};
    }

    static std::optional<std::string> next_sync_path(const webhook& w)
    {
        if (!w.payment_event) return std::nullopt;
        if (!w.transaction) return transaction_path(w.notification.uuid.value_or(""));
        if (!w.invoice) return invoice_path(w.transaction->invoice.id);
        return std::nullopt;
    }

    // What a detail needs but the exchanges have not supplied yet.
    static failure missing(const webhook& w)
    {
        if (!w.payment_event)
            return fail(error::not_supported, "object_type", "not a payment notification recovery consumes");
        return fail(error::sync_response_missing, exchange_key("GET", next_sync_path(w).value_or("")));
    }
};

static_assert(billing_connector<connector>);
static_assert(has_sync_requests<connector>);
static_assert(has_record_back<connector>);

} // namespace recoup::connectors::recurly
