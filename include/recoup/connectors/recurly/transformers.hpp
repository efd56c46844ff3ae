// recoup Recurly connector: wire structs named like Recurly's JSON (the webhook notification and
// the Transaction and Invoice objects of API v2021-02-25) and their conversion to the unified
// invoice and attempt. Amounts arrive as decimal major units in JSON numbers (10.1, 1234, 1.005)
// and are converted exactly while reading, so every failure names its JSON path.
#pragma once

#include <recoup/time.hpp>

#include <recoup/domain.hpp>
#include <recoup/money.hpp>
#include <recoup/result.hpp>
#include <recoup/wire.hpp>
#include <recoup/wire_fields.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace recoup::connectors::recurly {

// The payment notifications recovery consumes; `voided` and every other object_type are not.
enum class recurly_payment_event_type { succeeded, failed, scheduled, processing };

// Transaction `status` in API v2021-02-25.
enum class recurly_transaction_status {
    pending, scheduled, processing, success, voided, declined, error, chargeback
};

} // namespace recoup::connectors::recurly

RECOUP_BEGIN_NAMESPACE

template <>
struct enum_names<connectors::recurly::recurly_payment_event_type> {
    using E = connectors::recurly::recurly_payment_event_type;
    static constexpr std::array<std::pair<E, std::string_view>, 4> values{{
        {E::succeeded, "succeeded"},
        {E::failed, "failed"},
        {E::scheduled, "scheduled"},
        {E::processing, "processing"},
    }};
};

template <>
struct enum_names<connectors::recurly::recurly_transaction_status> {
    using E = connectors::recurly::recurly_transaction_status;
    static constexpr std::array<std::pair<E, std::string_view>, 8> values{{
        {E::pending, "pending"},
        {E::scheduled, "scheduled"},
        {E::processing, "processing"},
        {E::success, "success"},
        {E::voided, "void"},
        {E::declined, "declined"},
        {E::error, "error"},
        {E::chargeback, "chargeback"},
    }};
};

RECOUP_END_NAMESPACE

namespace recoup::connectors::recurly {

namespace json = boost::json;

using recoup::parse_iso8601; // still reachable by its old name, recurly::parse_iso8601

static_assert(names_are_dense<recurly_payment_event_type>(4));
static_assert(names_are_dense<recurly_transaction_status>(8));

// ---- the notification -------------------------------------------------------------------------

// Every JSON notification: `id, object_type, site_id, event_type, event_time` plus one reference
// (`uuid` for payments, `invoice_number` for invoices, `account_code` for accounts). Nothing is
// required here: which reference is needed depends on the event, and parse() checks it.
struct recurly_notification {
    std::optional<std::string> id;
    std::optional<std::string> object_type;
    std::optional<std::string> event_type;
    std::optional<std::string> uuid;
    std::optional<std::int64_t> event_time; // unix seconds, read for a payment event we consume
};

inline recurly_notification tag_invoke(const json::value_to_tag<recurly_notification>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    recurly_notification n;
    n.id = wire::optional<std::string>(o, "id");
    n.object_type = wire::optional<std::string>(o, "object_type");
    n.event_type = wire::optional<std::string>(o, "event_type");
    n.uuid = wire::optional<std::string>(o, "uuid");
    if (n.object_type == "payment" && n.event_type && enum_from_string<recurly_payment_event_type>(*n.event_type))
        n.event_time = wire::optional_iso8601(o, "event_time");
    return n;
}

// A payment notification recovery consumes, else nullopt (not supported, answered 200).
inline std::optional<recurly_payment_event_type> payment_event_of(const recurly_notification& n)
{
    if (n.object_type != "payment" || !n.event_type) return std::nullopt;
    return enum_from_string<recurly_payment_event_type>(*n.event_type);
}

// ---- shared readers ---------------------------------------------------------------------------

// Recurly amounts are JSON numbers in major units: exact conversion, never rounding.
inline std::int64_t read_amount(const json::object& o, std::string_view key, currency cur)
{
    return wire::unwrap(json_number_to_minor_units(wire::required<double>(o, key), cur, key));
}

// An id that ends up in a request path or as merchant_reference_id: [A-Za-z0-9_-]{1,64}.
inline std::string read_id(const json::object& o, std::string_view key)
{
    return wire::read_reference_id(o, key).str();
}

// ---- the Transaction (GET /transactions/uuid-{uuid}) ------------------------------------------

struct recurly_account_mini {
    std::optional<std::string> id;
};

struct recurly_invoice_mini {
    std::string id;
};

struct recurly_payment_method {
    std::optional<std::string> object;
    std::optional<std::string> gateway_token;
    std::optional<std::string> funding_source;
};

struct recurly_payment_gateway {
    std::optional<std::string> id;
};

struct recurly_transaction {
    std::string id;
    recoup::currency currency{};
    std::int64_t amount = 0; // minor units
    recurly_transaction_status status = recurly_transaction_status::error;
    std::optional<std::string> status_code;
    std::optional<std::string> status_message;
    std::optional<recurly_account_mini> account;
    recurly_invoice_mini invoice;
    std::optional<recurly_payment_method> payment_method;
    std::optional<recurly_payment_gateway> payment_gateway;
    std::optional<std::int64_t> created_at; // unix seconds
};

inline recurly_account_mini tag_invoke(const json::value_to_tag<recurly_account_mini>&, const json::value& jv)
{
    return {wire::optional<std::string>(wire::as_object(jv), "id")};
}

inline recurly_invoice_mini tag_invoke(const json::value_to_tag<recurly_invoice_mini>&, const json::value& jv)
{
    return {read_id(wire::as_object(jv), "id")};
}

inline recurly_payment_method tag_invoke(const json::value_to_tag<recurly_payment_method>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    return {wire::optional<std::string>(o, "object"), wire::optional<std::string>(o, "gateway_token"),
            wire::optional<std::string>(o, "funding_source")};
}

inline recurly_payment_gateway tag_invoke(const json::value_to_tag<recurly_payment_gateway>&, const json::value& jv)
{
    return {wire::optional<std::string>(wire::as_object(jv), "id")};
}

inline recurly_transaction_status read_transaction_status(const json::object& o)
{
    auto text = wire::required<std::string>(o, "status");
    auto status = enum_from_string<recurly_transaction_status>(text);
    if (!status) wire::raise(error::invalid_field, "status", "unknown value \"" + text + "\"");
    return *status;
}

inline recurly_transaction tag_invoke(const json::value_to_tag<recurly_transaction>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    recurly_transaction t;
    t.id = wire::required<std::string>(o, "id");
    t.currency = wire::read_currency(o, "currency");
    t.amount = read_amount(o, "amount", t.currency);
    t.status = read_transaction_status(o);
    t.status_code = wire::optional<std::string>(o, "status_code");
    t.status_message = wire::optional<std::string>(o, "status_message");
    t.account = wire::optional<recurly_account_mini>(o, "account");
    t.invoice = wire::required<recurly_invoice_mini>(o, "invoice");
    t.payment_method = wire::optional<recurly_payment_method>(o, "payment_method");
    t.payment_gateway = wire::optional<recurly_payment_gateway>(o, "payment_gateway");
    t.created_at = wire::optional_iso8601(o, "created_at");
    return t;
}

// A status the transaction may have moved on to by the time we fetch it maps too: `void` and
// `chargeback` mean nothing stays collected, so the attempt failed.
constexpr attempt_status to_attempt_status(recurly_transaction_status s) noexcept
{
    switch (s) {
    case recurly_transaction_status::success: return attempt_status::charged;
    case recurly_transaction_status::declined:
    case recurly_transaction_status::error:
    case recurly_transaction_status::voided:
    case recurly_transaction_status::chargeback: return attempt_status::failure;
    case recurly_transaction_status::pending:
    case recurly_transaction_status::scheduled:
    case recurly_transaction_status::processing: return attempt_status::pending;
    }
    return attempt_status::failure; // unreachable: the switch is exhaustive
}

inline recovery_attempt to_recovery_attempt(const recurly_transaction& t)
{
    recovery_attempt a;
    a.amount = t.amount;
    a.currency = t.currency;
    a.merchant_reference_id = *merchant_reference_id::make(t.invoice.id); // checked by read_id
    a.connector_transaction_id = t.id;
    a.error_code = t.status_code;
    a.error_message = t.status_message;
    a.status = to_attempt_status(t.status);
    a.transaction_created_at = t.created_at;
    if (t.account) a.connector_customer_id = t.account->id;
    if (t.payment_gateway) a.connector_account_reference_id = t.payment_gateway->id;
    if (t.payment_method) {
        a.processor_payment_method_token = t.payment_method->gateway_token;
        a.payment_method_type = t.payment_method->object;
        a.payment_method_subtype = t.payment_method->funding_source;
    }
    return a;
}

// ---- the Invoice (GET /invoices/{invoice_id}) -------------------------------------------------

// Recurly's street1/street2/region/postal_code; no third line.
inline constexpr wire::address_keys recurly_address_keys{.line1 = "street1", .line2 = "street2", .line3 = {},
                                                         .state = "region", .zip = "postal_code"};

// The invoice `address`, with the whole name on the account as first name when Recurly has no
// first/last name (splitting a name into parts is a guess).
struct recurly_invoice_address {
    address value;
};

struct recurly_invoice {
    std::string id;
    recoup::currency currency{};
    std::int64_t amount = 0; // minor units still to collect: `balance`, else `total`
    std::optional<recurly_invoice_address> address;
    std::int32_t transaction_count = 0; // payment attempts so far, as the reference counts retries
};

inline recurly_invoice_address tag_invoke(const json::value_to_tag<recurly_invoice_address>&, const json::value& jv)
{
    auto name_on_account = wire::optional<std::string>(wire::as_object(jv), "name_on_account");
    auto a = wire::read_address(jv, recurly_address_keys);
    if (!a.first_name && !a.last_name) a.first_name = std::move(name_on_account);
    return {std::move(a)};
}

inline recurly_invoice tag_invoke(const json::value_to_tag<recurly_invoice>&, const json::value& jv)
{
    const auto& o = wire::as_object(jv);
    recurly_invoice i;
    i.id = read_id(o, "id");
    i.currency = wire::read_currency(o, "currency");
    // `balance` is what is still to collect after credits and partial payments.
    const auto* balance = o.if_contains("balance");
    const bool has_balance = balance != nullptr && !balance->is_null();
    i.amount = read_amount(o, has_balance ? "balance" : "total", i.currency);
    i.address = wire::optional<recurly_invoice_address>(o, "address");
    // Only counted: read in place rather than copied out of the parse (the failures are
    // wire::optional's: absent or null is none, anything but an array is invalid_field).
    if (const auto* transactions = o.if_contains("transactions"); transactions != nullptr && !transactions->is_null()) {
        if (!transactions->is_array()) wire::raise(error::invalid_field, "transactions", "expected array");
        i.transaction_count = static_cast<std::int32_t>(transactions->get_array().size());
    }
    return i;
}

inline recovery_invoice to_recovery_invoice(const recurly_invoice& i)
{
    recovery_invoice out;
    out.merchant_reference_id = *merchant_reference_id::make(i.id); // checked by read_id
    out.amount = i.amount;
    out.currency = i.currency;
    if (i.address) out.billing_address = i.address->value;
    out.retry_count = i.transaction_count;
    return out; // next_billing_at: the invoice does not carry the subscription's next bill date
}

} // namespace recoup::connectors::recurly
