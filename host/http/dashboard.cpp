#include "http/dashboard.hpp"

#include "app.hpp"
#include "http/admin.hpp"
#include "http/dashboard_chart.hpp"
#include "http/dashboard_pages.hpp"
#include "http/dashboard_session.hpp"
#include "http/html.hpp"
#include "http/recovery_query.hpp"
#include "http/reply.hpp"
#include "../log.hpp" // the shared log at the host root, not http/log.hpp

#include <recoup/api_error.hpp>
#include <recoup/form.hpp>
#include <recoup/store.hpp>

#include <boost/json.hpp>

#include <variant>

namespace recoupd::http {

namespace {

namespace bhttp = boost::beast::http;
namespace pages = dashboard_pages;

// Every page: HTML, the CSP, never cached, never framed, no referrer leaving with an invoice id.
response page(const request& req, int status, std::string body)
{
    response res{static_cast<bhttp::status>(status), req.version()};
    res.set(bhttp::field::content_type, "text/html; charset=utf-8");
    res.set("Content-Security-Policy", pages::content_security_policy);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "no-referrer");
    res.set(bhttp::field::cache_control, "no-store");
    res.body() = std::move(body);
    res.keep_alive(req.keep_alive());
    return res;
}

// 303 to the dashboard (after a login or a logout: a reload does not post again).
response see_dashboard(const request& req, const std::string& set_cookie = {})
{
    response res{bhttp::status::see_other, req.version()};
    res.set(bhttp::field::location, pages::home_path);
    res.set(bhttp::field::cache_control, "no-store");
    if (!set_cookie.empty()) res.set(bhttp::field::set_cookie, set_cookie);
    res.keep_alive(req.keep_alive());
    return res;
}

response stylesheet(const request& req)
{
    response res{bhttp::status::ok, req.version()};
    res.set(bhttp::field::content_type, "text/css; charset=utf-8");
    res.set("X-Content-Type-Options", "nosniff");
    res.set(bhttp::field::cache_control, "max-age=300");
    res.body() = std::string(pages::stylesheet());
    res.keep_alive(req.keep_alive());
    return res;
}

// recoupd serves plain HTTP; a TLS proxy in front says so, and the cookie is then Secure.
bool over_tls(const request& req) { return boost::beast::iequals(req["X-Forwarded-Proto"], "https"); }

bool signed_in(const request& req, std::int64_t now)
{
    if (admin_authorized(req)) return true;
    const auto token = admin_token();
    if (!token) return false;
    const auto value = html::cookie(req[bhttp::field::cookie], dashboard_session::cookie_name);
    return value && dashboard_session::valid(*token, *value, now);
}

response login(const request& req, std::int64_t now)
{
    if (req.method() == bhttp::verb::get || req.method() == bhttp::verb::head) return see_dashboard(req);
    if (req.method() != bhttp::verb::post) return reply::method_not_allowed(req, "POST");
    const auto token = admin_token();
    std::string presented;
    for (auto& [k, v] : parse_query(req.body()))
        if (k == "token") presented = std::move(v);
    if (token && is_admin_token(presented))
        return see_dashboard(req, dashboard_session::set_cookie(dashboard_session::issue(*token, now), over_tls(req)));
    return page(req, 401, pages::login(presented.empty() ? "Enter the admin token." : "That is not the admin token.",
                                       token.has_value()));
}

// The filter fields of the query as the form names them; from/to given as dates (the form's
// date inputs) become the unix seconds the invoice query takes, `to` including its whole day.
struct filter_request {
    pages::form_fields fields;
    std::string api_query;
    bool first_page = true;
};

filter_request filter_of(std::string_view query)
{
    static constexpr std::string_view names[] = {"profile_id", "status", "connector", "decline_class",
                                                 "from",       "to",     "limit",     "cursor"};
    filter_request out;
    for (auto& [k, v] : parse_query(query)) {
        bool known = false;
        for (const auto n : names) known = known || k == n;
        if (!known || v.empty()) continue;
        std::string value = v;
        if (k == "from" || k == "to")
            if (const auto start = dashboard_chart::day_start(v))
                value = std::to_string(*start + (k == "to" ? 24 * 60 * 60 : 0));
        if (k == "cursor") out.first_page = false;
        recoup::append_form_field(out.api_query, k, value);
        if (k != "cursor") out.fields.emplace_back(std::move(k), std::move(v));
    }
    return out;
}

response home(app& a, const request& req)
{
    auto request = filter_of(split_target(req.target()).second);
    pages::home_view view;
    view.on_first_page = request.first_page;
    auto parsed = parse_invoice_query(request.api_query);
    view.fields = std::move(request.fields);
    if (const auto* bad = std::get_if<query_error>(&parsed)) {
        view.error = bad->parameter + ": " + bad->message;
        return page(req, 400, pages::home(view));
    }
    const auto& filter = std::get<invoice_filter>(parsed);
    const auto summary = summary_of(a.store, filter.profile_id, filter.from, filter.to);
    const auto invoices = list_invoices(a.store, filter);
    view.summary = &summary;
    view.page = &invoices;
    return page(req, 200, pages::home(view));
}

response invoice(app& a, const request& req, const std::string& payment_id)
{
    const auto timeline = invoice_timeline_of(a.store, payment_id);
    if (!timeline) return page(req, 404, pages::invoice_not_found(payment_id));
    return page(req, 200, pages::invoice(*timeline));
}

} // namespace

response handle_dashboard(app& a, const request& req, const route& r)
{
    const auto now = recoup::to_unix_seconds(a.clock.now());
    const bool get = req.method() == bhttp::verb::get || req.method() == bhttp::verb::head;
    switch (r.dashboard_page) {
    case route::page::style: return get ? stylesheet(req) : reply::method_not_allowed(req, "GET");
    case route::page::login: return login(req, now);
    case route::page::logout:
        if (req.method() != bhttp::verb::post) return reply::method_not_allowed(req, "POST");
        return see_dashboard(req, dashboard_session::clear_cookie(over_tls(req)));
    case route::page::home:
    case route::page::invoice: break;
    }
    if (!get) return reply::method_not_allowed(req, "GET");
    if (!signed_in(req, now)) return page(req, 401, pages::login({}, admin_token().has_value()));
    try {
        return r.dashboard_page == route::page::home ? home(a, req) : invoice(a, req, r.payment_id);
    } catch (const recoup::storage_error& e) {
        a.metrics.count_database_error();
        log_json(boost::json::object{{"route", "dashboard"},
                                     {"status", 503},
                                     {"error", recoup::to_string(recoup::error::storage_unavailable)},
                                     {"detail", e.what()}});
        auto res = page(req, 503, pages::unavailable());
        res.set(bhttp::field::retry_after, std::to_string(a.config.retry_after.count()));
        return res;
    }
}

} // namespace recoupd::http
