// recoup: the billing-connector trait (docs/behaviour.md §2) as a C++20 concept. A connector is a pure
// transformer: bytes in, domain out. It never does I/O; when a webhook lacks data it describes
// the HTTP requests to make (sync), the host performs them and hands the responses back.
#pragma once

#include <recoup/clock.hpp>
#include <recoup/detail/config.hpp>
#include <recoup/domain.hpp>
#include <recoup/result.hpp>
#include <recoup/webhook_request.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <concepts>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

RECOUP_BEGIN_NAMESPACE

struct http_header {
    std::string name;
    std::string value;
    friend bool operator==(const http_header&, const http_header&) = default;
};

// A request the host performs for a connector. `path` is relative to the MCA's base URL and may
// carry a query string.
struct outbound_request {
    std::string method;
    std::string path;
    std::vector<http_header> headers;
    std::string body;
    friend bool operator==(const outbound_request&, const outbound_request&) = default;
};

struct http_response {
    int status = 0;
    std::vector<http_header> headers;
    std::string body;
};

// One performed sync call: what was asked and what came back.
struct sync_exchange {
    outbound_request request;
    http_response response;
};

// What a connector may see of its merchant connector account. Secrets are a list (rotation).
struct mca_config {
    std::span<const std::string> secrets;
    std::string_view api_key;
    const boost::json::object* settings = nullptr; // nullptr: no settings
    // The same settings as JSON text, when the host has it (the stored text): a plugin is handed
    // this text as is instead of a serialization of *settings. Empty: serialize *settings.
    std::string_view settings_json{};

    const boost::json::value* setting(std::string_view key) const noexcept
    {
        return settings ? settings->if_contains(key) : nullptr;
    }
    // "signature_tolerance_seconds": N (default RECOUP_DEFAULT_TOLERANCE_SECONDS); 0 turns the
    // timestamp check off, for replaying old captures only.
    std::optional<std::chrono::seconds> signature_tolerance() const noexcept;
};

// What the host answers the platform when the webhook is processed.
struct api_response {
    int status = 200;
    std::string body = "{}";
};

enum class recovery_outcome { succeeded, failed };

template <>
struct enum_names<recovery_outcome> {
    static constexpr std::array<std::pair<recovery_outcome, std::string_view>, 2> values{{
        {recovery_outcome::succeeded, "succeeded"},
        {recovery_outcome::failed, "failed"},
    }};
};

// What the host reports back to the billing platform after our own retry.
struct record_back_request {
    recovery_outcome outcome = recovery_outcome::succeeded;
    std::string invoice_id;                               // merchant_reference_id
    std::int64_t amount = 0;                              // minor units
    recoup::currency currency{};
    std::optional<std::string> connector_transaction_id;  // the processor's transaction id
    std::optional<std::string> payment_method_type;
    std::int64_t occurred_at = 0;                          // unix seconds
};

// The trait. `webhook` is the connector's parsed form of one delivery: parse once, then read.
template <class C>
concept billing_connector = requires(const C& c, const webhook_request& req, const mca_config& mca,
                                     time_point now, std::span<const sync_exchange> sync,
                                     const typename C::webhook& w) {
    { c.verify_source(req, mca, now) } -> std::same_as<result<void>>;
    { c.parse(req, mca, sync) } -> std::same_as<result<typename C::webhook>>;
    { c.event_type(w) } -> std::same_as<incoming_webhook_event>;
    { c.event_id(w) } -> std::same_as<std::optional<std::string>>;
    { c.object_reference_id(w) } -> std::same_as<result<std::string>>;
    { c.invoice_details(w) } -> std::same_as<result<recovery_invoice>>;
    { c.attempt_details(w) } -> std::same_as<result<recovery_attempt>>;
};

// Optional: the requests still needed for this webhook (empty once the responses were given).
template <class C>
concept has_sync_requests = billing_connector<C> &&
    requires(const C& c, const typename C::webhook& w, const mca_config& mca) {
        { c.sync_requests(w, mca) } -> std::same_as<std::vector<outbound_request>>;
    };

// Optional: the request that reports a recovery outcome to the platform.
template <class C>
concept has_record_back = billing_connector<C> &&
    requires(const C& c, const record_back_request& r, const mca_config& mca) {
        { c.record_back(r, mca) } -> std::same_as<result<outbound_request>>;
    };

// Optional: when the platform says the event happened (unix seconds), nullopt when the delivery
// does not say. The flow orders deliveries by it (docs/behaviour.md §4); a connector without it
// falls back to the attempt's transaction_created_at.
template <class C>
concept has_event_time = billing_connector<C> && requires(const C& c, const typename C::webhook& w) {
    { c.event_time(w) } -> std::same_as<std::optional<std::int64_t>>;
};

// Optional: a body other than `{}` for the platform.
template <class C>
concept has_api_response = billing_connector<C> && requires(const C& c, const typename C::webhook& w) {
    { c.api_response(w) } -> std::same_as<api_response>;
};

// Everything the flow needs from one delivery, whatever the connector. When `sync_requests` is
// not empty, the details are not known yet: perform them and normalize again with the answers.
struct normalized_webhook {
    incoming_webhook_event event_type = incoming_webhook_event::event_not_supported;
    std::optional<std::string> event_id;
    std::optional<std::int64_t> event_at; // the platform's event time, unix seconds; nullopt: unknown
    std::string object_reference_id;
    std::optional<recovery_invoice> invoice;
    std::optional<recovery_attempt> attempt;
    std::vector<outbound_request> sync_requests;
    api_response response;
};

// Runs the trait's methods in order: parse, classify, then (for a consumed event) sync or
// details. An event the connector does not consume is not an error.
template <billing_connector C>
result<normalized_webhook> normalize(const C& connector, const webhook_request& req,
                                     const mca_config& mca, std::span<const sync_exchange> sync = {});

// Looks a header up among a response's headers, any case.
std::optional<std::string_view> find_header(std::span<const http_header> headers, std::string_view name);

RECOUP_END_NAMESPACE

#include <recoup/impl/connector.hpp>
