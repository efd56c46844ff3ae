// What the libFuzzer targets in tests/fuzz/ share: the checks that turn a broken invariant into a
// crash libFuzzer reports, the split of one fuzz input into a webhook body, an optional signature
// header and canned sync answers, and the run of a bundled connector from verification to the
// normalized webhook. docs/fuzzing.md describes the targets.
#pragma once

#include <recoup/connector.hpp>
#include <recoup/error.hpp>
#include <recoup/flow.hpp>
#include <recoup/money.hpp>
#include <recoup/webhook_request.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace recoup_fuzz {

// A broken invariant: say which, then abort so libFuzzer keeps the input as a crash.
[[noreturn]] inline void broken(const char* what, std::string_view detail = {})
{
    std::fprintf(stderr, "fuzz invariant broken: %s %.*s\n", what, static_cast<int>(detail.size()), detail.data());
    std::abort();
}

inline void check(bool ok, const char* what, std::string_view detail = {})
{
    if (!ok) broken(what, detail);
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size)
{
    return {reinterpret_cast<const char*>(data), size};
}

// The fixed moment every target verifies at, and signs at when it signs.
inline const recoup::time_point fuzz_now = recoup::from_unix_seconds(1767225600);

// One fuzz input, split as the connector targets read it:
//   [\x01 <signature header value> \n] <body> [\0 <sync answer body>]...
// A first byte of \x01 (never the start of a JSON document, so the seeds from tests/fixtures are
// plain bodies) means the signature header is the fuzzer's; otherwise the target signs the body
// correctly so verification passes and parsing is reached. Each NUL starts the next canned
// answer to a sync request, in the order the connector asks.
struct split_input {
    std::optional<std::string> signature;
    std::string body;
    std::vector<std::string> sync_bodies;
};

inline split_input split(std::string_view in)
{
    split_input out;
    if (!in.empty() && in.front() == '\x01') {
        in.remove_prefix(1);
        const auto nl = in.find('\n');
        out.signature = std::string(in.substr(0, nl));
        in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
    }
    auto nul = in.find('\0');
    out.body = std::string(in.substr(0, nul));
    while (nul != std::string_view::npos) {
        in.remove_prefix(nul + 1);
        nul = in.find('\0');
        out.sync_bodies.emplace_back(in.substr(0, nul));
    }
    return out;
}

inline bool is_verification_error(recoup::error e)
{
    const int code = static_cast<int>(e);
    return code >= 100 && code < 200;
}

// A connector may fail only with an input (2xx) code: a verification, flow, storage, plugin or
// host code from parse/normalize means it mistook what went wrong.
inline bool is_input_error(recoup::error e)
{
    const int code = static_cast<int>(e);
    return code >= 200 && code < 300;
}

inline void check_currency(const recoup::currency& c, const char* what)
{
    check(recoup::find_currency(c.str()).has_value(), what, c.str());
}

// What every normalized webhook promises the flow, whatever the payload.
inline void check_normalized(const recoup::normalized_webhook& w)
{
    if (w.event_type == recoup::incoming_webhook_event::event_not_supported || !w.sync_requests.empty()) return;
    check(!w.object_reference_id.empty(), "consumed event without an object reference id");
    check(w.invoice.has_value(), "consumed event without an invoice");
    check(w.invoice->amount >= 0, "negative invoice amount");
    check_currency(w.invoice->currency, "invoice currency unknown");
    check(!w.invoice->merchant_reference_id.str().empty(), "empty invoice reference");
    if (recoup::is_transaction_event(w.event_type)) {
        check(w.attempt.has_value(), "transaction event without an attempt");
        check(w.attempt->amount >= 0, "negative attempt amount");
        check_currency(w.attempt->currency, "attempt currency unknown");
        check(!w.attempt->merchant_reference_id.str().empty(), "empty attempt reference");
    }
    check(w.response.status >= 100 && w.response.status < 600, "api_response status out of range");
}

// The request the connector sees: the body, a JSON content type and the signature headers.
inline recoup::owned_request delivery(const split_input& in, const std::vector<std::pair<std::string, std::string>>& signed_headers,
                                      std::string_view signature_header)
{
    recoup::owned_request r;
    r.path = "/v2/webhooks/revenue_recovery/pro_fuzz/mca_fuzz";
    r.body = in.body;
    r.headers.emplace_back("Content-Type", "application/json");
    if (in.signature) r.headers.emplace_back(std::string(signature_header), *in.signature);
    else r.headers.insert(r.headers.end(), signed_headers.begin(), signed_headers.end());
    return r;
}

// Verifies, then normalizes in sync rounds (answering each request with the next canned body,
// status 200) until the webhook is complete, a call fails or the answers run out. A correctly
// signed body must verify; every failure must carry an input error code; every complete webhook
// must hold check_normalized's invariants.
template <recoup::billing_connector C>
void run_connector(const C& connector, const split_input& in, const recoup::owned_request& request,
                   const recoup::mca_config& mca)
{
    const auto req = request.view();
    const auto verified = connector.verify_source(req, mca, fuzz_now);
    if (!in.signature) {
        check(verified.has_value(), "a correctly signed body failed verification",
              verified ? std::string_view{} : std::string_view(verified.error().what()));
    } else if (!verified) {
        check(is_verification_error(verified.error().code), "verification failed with a non-1xx code",
              verified.error().what());
        return;
    }

    std::vector<recoup::sync_exchange> exchanges;
    std::size_t next_answer = 0;
    for (int round = 0; round <= recoup::max_sync_rounds; ++round) {
        const auto w = recoup::normalize(connector, req, mca, exchanges);
        if (!w) {
            check(is_input_error(w.error().code), "normalize failed with a non-input code", w.error().what());
            return;
        }
        check_normalized(*w);
        if (w->sync_requests.empty()) return;
        for (const auto& out : w->sync_requests) {
            check(!out.method.empty() && !out.path.empty() && out.path.front() == '/', "malformed sync request",
                  out.path);
            if (next_answer == in.sync_bodies.size()) return;
            exchanges.push_back({out, recoup::http_response{200, {{"Content-Type", "application/json"}},
                                                            in.sync_bodies[next_answer++]}});
        }
    }
}

} // namespace recoup_fuzz
