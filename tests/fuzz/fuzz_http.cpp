// libFuzzer target: the HTTP request path up to the flow, without the host's database. Raw bytes
// are parsed as one HTTP/1.1 request by Boost.Beast's request parser (the host's limits), routed
// by the host's own route matching (host/http/route.cpp, linked in) and, for a POST to a
// webhook route, run through recoup::recover on a memory_store with the connector the MCA id
// names (mca_chargebee, mca_recurly, mca_stripe_billing, mca_paddle): once as received and once
// with the signature headers replaced by correct ones, so the flow past verification is reached.
// Invariants: no failure is a 500 (an exception escaping a connector or the flow); a success is a
// 2xx; redelivering a processed request succeeds again; the store keeps one intent per reference.
#include <recoup/connectors/chargebee.hpp>
#include <recoup/connectors/paddle.hpp>
#include <recoup/connectors/recurly.hpp>
#include <recoup/connectors/stripe_billing.hpp>
#include <recoup/flow.hpp>
#include <recoup/memory_store.hpp>

#include "fuzz_support.hpp"
#include "http/route.hpp"
#include "http/server.hpp"

#include <boost/beast/http.hpp>

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bhttp = boost::beast::http;
using recoup_fuzz::check;

namespace {

const std::string profile_id = "pro_fuzz";

struct no_sync {
    recoup::result<recoup::http_response> operator()(const recoup::outbound_request& r) const
    {
        return recoup::fail(recoup::error::sync_response_failed, r.path, "the fuzz target performs no sync");
    }
};

void check_answer(const recoup::result<recoup::recovery_result>& r)
{
    if (r) {
        check(r->http_status >= 200 && r->http_status < 300, "success with a non-2xx status");
        return;
    }
    const auto status = recoup::status_for(r.error());
    check(status != 500, "the flow failed with a 500", r.error().what());
    check(recoup::error_response(r.error()).status == status, "error response status differs");
}

// The request as parsed, and the same request with correct signature headers for `connector`.
template <class C>
void deliver(const C& connector, const bhttp::request<bhttp::string_body>& msg, std::string_view path,
             std::string_view query, const std::vector<std::string>& secrets,
             std::vector<std::pair<std::string, std::string>> signed_headers, std::string_view signature_header)
{
    recoup::memory_store store;
    recoup::recovery_account account;
    account.profile_id = profile_id;
    account.mca_id = "mca_fuzz";
    account.config.secrets = secrets;
    const recoup::fixed_clock clock{recoup_fuzz::fuzz_now};

    std::vector<recoup::header_view> headers;
    for (const auto& f : msg) headers.push_back({f.name_string(), f.value()});
    const recoup::webhook_request as_received{msg.method_string(), path, query, headers, msg.body()};
    check_answer(recoup::recover(store, connector, as_received, account, no_sync{}, clock));

    std::vector<recoup::header_view> resigned;
    for (const auto& h : headers)
        if (!recoup::iequals(h.name, signature_header)) resigned.push_back(h);
    for (const auto& [name, value] : signed_headers) resigned.push_back({name, value});
    const recoup::webhook_request good{msg.method_string(), path, query, resigned, msg.body()};
    const auto first = recoup::recover(store, connector, good, account, no_sync{}, clock);
    check_answer(first);
    if (first) {
        const auto again = recoup::recover(store, connector, good, account, no_sync{}, clock);
        check(again.has_value(), "a processed delivery fails when redelivered",
              again ? std::string_view{} : std::string_view(again.error().what()));
        check_answer(again);
    }
    const auto state = store.snapshot();
    std::set<std::pair<std::string, std::string>> references;
    for (const auto& [id, intent] : state.intents)
        check(references.emplace(intent.profile_id, intent.merchant_reference_id).second, "two intents for one reference");
}

void dispatch(const bhttp::request<bhttp::string_body>& msg)
{
    const auto [path, query] = recoupd::http::split_target(msg.target());
    const auto r = recoupd::http::match_route(path);
    if (r.kind != recoupd::http::route::webhook || msg.method() != bhttp::verb::post || r.profile_id != profile_id)
        return;

    const std::string body = msg.body();
    const auto at = recoup_fuzz::fuzz_now;
    if (r.mca_id == "mca_chargebee") {
        static const std::vector<std::string> secrets{"cb_user:cb-pass"};
        deliver(recoup::connectors::chargebee::connector{}, msg, path, query, secrets,
                {{"Authorization", recoup::basic_auth_value("cb_user", "cb-pass")}}, recoup::authorization_header);
    } else if (r.mca_id == "mca_recurly") {
        static const std::vector<std::string> secrets{"rq_whsec_fuzz"};
        deliver(recoup::connectors::recurly::connector{}, msg, path, query, secrets,
                {{"recurly-signature", recoup::sign_recurly(body, secrets[0], at)}}, recoup::recurly_signature_header);
    } else if (r.mca_id == "mca_stripe_billing") {
        static const std::vector<std::string> secrets{"whsec_fuzz"};
        deliver(recoup::connectors::stripe_billing::connector{}, msg, path, query, secrets,
                {{"Stripe-Signature", recoup::sign_stripe(body, secrets[0], at)}}, recoup::stripe_signature_header);
    } else if (r.mca_id == "mca_paddle") {
        static const std::vector<std::string> secrets{"pdl_ntfset_fuzz"};
        std::vector<std::pair<std::string, std::string>> signed_headers;
        for (auto& h : recoup::sign_hmac(recoup::paddle_scheme, body, secrets[0], at))
            signed_headers.emplace_back(std::move(h.name), std::move(h.value));
        deliver(recoup::connectors::paddle::connector{}, msg, path, query, secrets, std::move(signed_headers),
                recoup::paddle_scheme.signature_header);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    bhttp::request_parser<bhttp::string_body> parser;
    parser.eager(true);
    // The host's limits, from the one place they are set.
    const recoupd::http::server_options limits;
    parser.body_limit(limits.body_limit);
    parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
    boost::system::error_code ec;
    boost::asio::const_buffer in(data, size);
    while (in.size() > 0 && !parser.is_done()) {
        const auto used = parser.put(in, ec);
        if (ec == bhttp::error::need_more) break;
        if (ec) return 0; // the host answers 400 and closes
        if (used == 0) break;
        in += used;
    }
    if (!parser.is_done()) {
        if (!parser.got_some()) return 0; // nothing read: the host waits or the peer closed (put_eof's precondition)
        parser.put_eof(ec);
        if (ec || !parser.is_done()) return 0;
    }
    dispatch(parser.get());
    return 0;
}
