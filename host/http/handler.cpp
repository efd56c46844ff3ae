// The path of one webhook, kept straight: route -> MCA -> connector -> flow -> store -> answer.
#include "http/handler.hpp"

#include "app.hpp"
#include "http/admin.hpp"
#include "http/dashboard.hpp"
#include "http/log.hpp"
#include "http/recovery_api.hpp"
#include "http/reply.hpp"

#include <recoup/api_error.hpp>
#include <recoup/flow.hpp>

#include <chrono>
#include <vector>

namespace recoupd::http {

namespace bhttp = boost::beast::http;

namespace {

// The flow's failure as docs/behaviour.md §1 says (status + error body), Retry-After on a 503.
response flow_failure(app& a, const request& req, const recoup::failure& f)
{
    const auto api = recoup::error_response(f);
    auto res = reply::json(req, api.status, api.body);
    if (api.status == 503) res.set(bhttp::field::retry_after, std::to_string(a.config.retry_after.count()));
    return res;
}

// The body says only the fixed text; the database's error goes to the log line.
response storage_down(app& a, const request& req)
{
    namespace api_error = recoup::api_error;
    a.metrics.count_database_error();
    return reply::unavailable(req, api_error::storage_unavailable, api_error::public_message(api_error::storage_unavailable),
                              a.config.retry_after);
}

// ---- request pieces -------------------------------------------------------------------------

// The connector's view of the request: the raw body byte-exact, headers as received.
struct request_view {
    std::vector<recoup::header_view> headers;
    recoup::webhook_request view;

    explicit request_view(const request& req)
    {
        for (const auto& field : req) headers.push_back({field.name_string(), field.value()});
        const auto [path, query] = split_target(req.target());
        view = recoup::webhook_request{req.method_string(), path, query, headers, req.body()};
    }
};

// The store as the flow sees it: each transaction knows the account's enabled endpoints (cached
// with it), so emitting the merchant's events reads none.
struct store_with_endpoints {
    soci_store& store;
    const cached_account& cached;

    soci_store::transaction begin()
    {
        auto tx = store.begin();
        tx.use_endpoints(cached.account.profile_id, cached.endpoints);
        return tx;
    }
};

// ---- the webhook ----------------------------------------------------------------------------

response handle_webhook(app& a, const request& req, const route& r, webhook_log_entry& log)
{
    log.profile_id = r.profile_id;
    log.mca_id = r.mca_id;

    // 1. route -> MCA (404 when the profile or the MCA is unknown, or the MCA is another's), from
    // the account cache: one version read while the configuration is unchanged
    std::shared_ptr<const cached_account> cached;
    try {
        auto found = a.accounts.find(r.profile_id, r.mca_id, recoup::to_unix_seconds(a.clock.now()));
        if (!found.profile_found) return reply::not_found(req, "unknown profile " + r.profile_id);
        if (!found.account)
            return reply::not_found(req, "unknown merchant connector account " + r.mca_id + " in profile " + r.profile_id);
        cached = std::move(found.account);
    } catch (const recoup::storage_error& e) {
        log.error_code = recoup::to_string(recoup::error::storage_unavailable);
        log.detail = e.what();
        return storage_down(a, req);
    }
    const auto& data = *cached;
    log.connector = data.mca.connector;

    // 2. MCA -> connector
    const auto* connector = a.plugins.connector(data.mca.connector);
    if (!connector) {
        log.error_code = recoup::to_string(recoup::error::internal_fault);
        log.detail = "connector plugin \"" + data.mca.connector + "\" is not loaded";
        return reply::internal(req, recoup::api_error::public_message(recoup::api_error::internal));
    }

    // 3. connector -> flow (sync calls outside the transaction) -> store
    const request_view incoming(req);
    auto sync = [&](const recoup::outbound_request& out) -> recoup::result<recoup::http_response> {
        if (!data.mca.base_url || data.mca.base_url->empty())
            return recoup::fail(recoup::error::sync_response_failed, "base_url",
                                "the merchant connector account has no base URL for sync calls");
        return a.client.perform(*data.mca.base_url, out);
    };
    auto outcome = [&]() -> recoup::result<recoup::recovery_result> {
        if (!a.commits) {
            store_with_endpoints store{a.store, data};
            return recoup::recover(store, *connector, incoming.view, data.account, sync, a.clock);
        }
        // Group commit: verified and normalized here, applied in the committer's next batch.
        const auto now = a.clock.now();
        auto w = recoup::prepare_webhook(*connector, incoming.view, data.account, sync, now);
        if (!w) return w.error();
        return a.commits->apply(*w, data.account, incoming.view.body, recoup::to_unix_seconds(now), &data.endpoints);
    }();

    // 4. answer
    if (!outcome) {
        const auto& f = outcome.error();
        log.error_code = std::string(recoup::to_string(f.code));
        const int code = static_cast<int>(f.code);
        if (code >= 100 && code < 200) a.metrics.count_verification_failure(log.connector);
        if (f.code == recoup::error::storage_unavailable || f.code == recoup::error::storage_conflict)
            a.metrics.count_database_error();
        auto res = flow_failure(a, req, f);
        if (res.result_int() >= 500) log.detail = f.what();
        return res;
    }
    log.event_id = outcome->event_id;
    log.event_type = std::string(recoup::to_string(outcome->event_type));
    log.action = std::string(recoup::to_string(outcome->action));
    log.outcome = recoup::outcome_text(*outcome);
    a.metrics.count_action(log.action);
    return reply::json(req, outcome->http_status, std::move(outcome->body));
}

response handle_ready(app& a, const request& req)
{
    bool up = false;
    try {
        up = a.store.ping();
    } catch (const std::exception&) {
        up = false;
    }
    if (up) return reply::json(req, 200, R"({"status":"ready"})");
    return storage_down(a, req);
}

response handle_metrics(app& a, const request& req)
{
    response res{bhttp::status::ok, req.version()};
    res.set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = a.metrics.render();
    // The account cache's state (docs/running-the-host.md, "Configuration cache").
    res.body() += "# HELP recoup_config_version The configuration version the account cache is current at.\n"
                  "# TYPE recoup_config_version gauge\nrecoup_config_version " +
                  std::to_string(a.accounts.version()) +
                  "\n# HELP recoup_config_listening 1 while LISTEN keeps the version current (PostgreSQL), else 0.\n"
                  "# TYPE recoup_config_listening gauge\nrecoup_config_listening " +
                  std::string(a.accounts.listening() ? "1" : "0") + "\n";
    res.keep_alive(req.keep_alive());
    return res;
}

bool is_get(const request& req)
{
    return req.method() == bhttp::verb::get || req.method() == bhttp::verb::head;
}

} // namespace

namespace {

// /health and /metrics for a route already matched; nullopt for any other.
std::optional<response> quick_answer(app& a, const request& req, const route& r)
{
    if (r.kind != route::health && r.kind != route::metrics) return std::nullopt;
    response res = !is_get(req)              ? reply::method_not_allowed(req, "GET")
                   : r.kind == route::health ? reply::json(req, 200, R"({"status":"ok"})")
                                             : handle_metrics(a, req);
    a.metrics.count_request(std::string(r.name()), res.result_int(), "");
    return res;
}

} // namespace

std::optional<response> handle_quick(app& a, const request& req)
{
    return quick_answer(a, req, match_route(split_target(req.target()).first));
}

response handle(app& a, request&& req)
{
    const auto r = match_route(split_target(req.target()).first);
    if (auto quick = quick_answer(a, req, r)) return std::move(*quick);
    const auto started = std::chrono::steady_clock::now();
    webhook_log_entry log;
    response res;
    switch (r.kind) {
    case route::none:
        res = reply::not_found(req, r.invalid_id.empty() ? std::string("no such route")
                                                         : std::string(r.invalid_id) + " is not a valid id: 1-" +
                                                               std::to_string(recoup::max_id_length) +
                                                               " characters of A-Z a-z 0-9 _ -");
        break;
    case route::health:
    case route::metrics: break; // answered above
    case route::ready: res = is_get(req) ? handle_ready(a, req) : reply::method_not_allowed(req, "GET"); break;
    case route::workflow: res = is_get(req) ? handle_workflow(a, req, r.payment_id) : reply::method_not_allowed(req, "GET"); break;
    case route::recovery_invoices:
        res = is_get(req) ? handle_recovery_invoices(a, req) : reply::method_not_allowed(req, "GET");
        break;
    case route::recovery_invoice:
        res = is_get(req) ? handle_recovery_invoice(a, req, r.payment_id) : reply::method_not_allowed(req, "GET");
        break;
    case route::recovery_summary:
        res = is_get(req) ? handle_recovery_summary(a, req) : reply::method_not_allowed(req, "GET");
        break;
    case route::dashboard: res = handle_dashboard(a, req, r); break;
    case route::webhook:
        if (req.method() != bhttp::verb::post) {
            res = reply::method_not_allowed(req, "POST");
            break;
        }
        log.request_id = next_request_id();
        try {
            res = handle_webhook(a, req, r, log);
        } catch (const std::exception& e) {
            // Not a storage fault (those are answered 503 where they happen): retrying cannot help.
            log.error_code = recoup::to_string(recoup::error::internal_fault);
            log.detail = e.what();
            res = reply::internal(req, recoup::api_error::public_message(recoup::api_error::internal));
        }
        break;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    a.metrics.count_request(std::string(r.name()), res.result_int(), log.connector);
    if (r.kind == route::webhook && req.method() == bhttp::verb::post) {
        a.metrics.observe_duration(seconds);
        log.status = res.result_int();
        log.latency_ms = seconds * 1000.0;
        res.set("X-Request-Id", log.request_id);
        log_webhook(log);
    }
    return res;
}

} // namespace recoupd::http
