// A small billing connector for the plugin tests. It is compiled into plugins (by g++ and by
// clang++) and, unchanged, into the loader test itself, so both sides can be compared.
//
// Source: header "x-test-signature" equal (constant time) to one of the MCA's secrets; an optional
// "x-test-timestamp" (unix seconds) must be within the MCA's tolerance of `now`.
// Body: {"id":..,"type":..,"invoice":{...},"attempt":{...}} with the invoice and attempt in recoup's
// JSON form; type "failed"/"succeeded"/"pending"/"cancelled" map to the recovery events, anything
// else is not supported, "explode" makes parse throw std::runtime_error("boom from plugin").
// With "sync": true and no invoice, the invoice comes from GET /invoices/<id> (sync).
// record_back builds PUT /invoices/<id>/mark_successful or /mark_failed; invoice id "explode"
// throws.
#pragma once

#include <recoup/connector.hpp>
#include <recoup/crypto.hpp>
#include <recoup/json.hpp>
#include <recoup/money.hpp>
#include <recoup/signature.hpp>
#include <recoup/wire.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace recoup_test {

namespace json = boost::json;

struct test_webhook {
    std::string id;
    std::string type;
    bool sync = false;
    std::optional<json::value> invoice;
    std::optional<json::value> attempt;
};

inline test_webhook tag_invoke(const json::value_to_tag<test_webhook>&, const json::value& v)
{
    const auto& o = recoup::wire::as_object(v);
    test_webhook w;
    w.id = recoup::wire::required<std::string>(o, "id");
    w.type = recoup::wire::required<std::string>(o, "type");
    w.sync = recoup::wire::optional<bool>(o, "sync").value_or(false);
    w.invoice = recoup::wire::optional<json::value>(o, "invoice");
    w.attempt = recoup::wire::optional<json::value>(o, "attempt");
    return w;
}

// Both plugin flavours share the code; only one of them has the optional record_back.
template <bool WithRecordBack>
class basic_test_connector {
public:
    using webhook = test_webhook;
    // The plugin name RECOUP_EXPORT_CONNECTOR puts in the descriptor.
    static constexpr std::string_view name = WithRecordBack ? "test_connector" : "test_connector_basic";
    static constexpr std::string_view signature_header = "x-test-signature";

    recoup::result<void> verify_source(const recoup::webhook_request& req, const recoup::mca_config& mca,
                                       recoup::time_point now) const
    {
        auto sig = recoup::single_header(req, signature_header);
        if (!sig) return sig.error();
        if (mca.secrets.empty()) return recoup::fail(recoup::error::no_secret_configured, std::string(signature_header));
        bool matched = false;
        for (const auto& secret : mca.secrets) matched |= recoup::constant_time_equal(*sig, secret);
        if (!matched) return recoup::fail(recoup::error::signature_mismatch, std::string(signature_header));
        if (auto ts = req.header("x-test-timestamp")) {
            const auto tolerance = mca.signature_tolerance();
            const auto at = recoup::from_unix_seconds(std::stoll(std::string(*ts)));
            const auto skew = now > at ? now - at : at - now;
            if (tolerance && skew > *tolerance)
                return recoup::fail(recoup::error::timestamp_out_of_tolerance, "x-test-timestamp",
                                    "skew " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(skew).count()) + " s");
        }
        return {};
    }

    recoup::result<webhook> parse(const recoup::webhook_request& req, const recoup::mca_config&,
                                  std::span<const recoup::sync_exchange> sync) const
    {
        auto w = recoup::wire::parse_as<webhook>(req.body);
        if (!w) return w;
        if (w->type == "explode") throw std::runtime_error("boom from plugin");
        if (w->type == "explode_unknown") throw 42; // not even a std::exception
        for (const auto& x : sync) {
            if (x.request.path != invoice_path(*w)) continue;
            if (x.response.status != 200)
                return recoup::fail(recoup::error::sync_response_failed, "",
                                    "GET " + x.request.path + " answered " + std::to_string(x.response.status));
            boost::system::error_code ec;
            auto body = json::parse(x.response.body, ec);
            if (ec) return recoup::fail(recoup::error::body_not_json, "", "GET " + x.request.path);
            w->invoice = std::move(body);
        }
        return w;
    }

    recoup::incoming_webhook_event event_type(const webhook& w) const
    {
        using E = recoup::incoming_webhook_event;
        if (w.type == "failed") return E::recovery_payment_failure;
        if (w.type == "succeeded") return E::recovery_payment_success;
        if (w.type == "pending") return E::recovery_payment_pending;
        if (w.type == "cancelled") return E::recovery_invoice_cancel;
        return E::event_not_supported;
    }

    std::optional<std::string> event_id(const webhook& w) const { return w.id; }

    recoup::result<std::string> object_reference_id(const webhook& w) const
    {
        if (!w.invoice || !w.invoice->is_object()) return recoup::fail(recoup::error::missing_field, "invoice");
        const auto* ref = w.invoice->get_object().if_contains("merchant_reference_id");
        if (ref == nullptr || !ref->is_string())
            return recoup::fail(recoup::error::missing_field, "invoice.merchant_reference_id");
        return std::string(ref->get_string());
    }

    recoup::result<recoup::recovery_invoice> invoice_details(const webhook& w) const
    {
        return nested<recoup::recovery_invoice>(w.invoice, "invoice");
    }

    recoup::result<recoup::recovery_attempt> attempt_details(const webhook& w) const
    {
        return nested<recoup::recovery_attempt>(w.attempt, "attempt");
    }

    std::vector<recoup::outbound_request> sync_requests(const webhook& w, const recoup::mca_config& mca) const
    {
        if (!w.sync || w.invoice) return {};
        return {{"GET", invoice_path(w),
                 {{"Accept", "application/json"}, {"Authorization", "Bearer " + std::string(mca.api_key)}},
                 ""}};
    }

    recoup::api_response api_response(const webhook& w) const
    {
        return {200, json::serialize(json::object{{"received", w.id}})};
    }

    recoup::result<recoup::outbound_request> record_back(const recoup::record_back_request& r,
                                                         const recoup::mca_config& mca) const
        requires WithRecordBack
    {
        if (r.invoice_id == "explode") throw std::runtime_error("boom from plugin");
        if (r.invoice_id.empty()) return recoup::fail(recoup::error::missing_field, "invoice_id");
        const bool ok = r.outcome == recoup::recovery_outcome::succeeded;
        recoup::outbound_request out{
            "PUT",
            "/invoices/" + r.invoice_id + (ok ? "/mark_successful" : "/mark_failed"),
            {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + std::string(mca.api_key)}},
            json::serialize(json::object{
                {"amount", recoup::minor_units_to_decimal(r.amount, r.currency)},
                {"currency", r.currency.str()},
                {"transaction_id", r.connector_transaction_id ? json::value(*r.connector_transaction_id)
                                                              : json::value(nullptr)},
            })};
        if (const auto* v = mca.setting("api_version"); v && v->is_string())
            out.headers.push_back({"X-Api-Version", std::string(v->get_string())});
        return out;
    }

private:
    static std::string invoice_path(const webhook& w) { return "/invoices/" + w.id; }

    template <class T>
    static recoup::result<T> nested(const std::optional<json::value>& v, std::string_view key)
    {
        if (!v) return recoup::fail(recoup::error::missing_field, std::string(key));
        auto r = recoup::wire::convert<T>(*v);
        if (!r) {
            auto f = r.error();
            f.field = f.field.empty() ? std::string(key) : std::string(key) + "." + f.field;
            return f;
        }
        return r;
    }
};

using test_connector = basic_test_connector<true>;
using test_connector_no_record_back = basic_test_connector<false>;

} // namespace recoup_test
