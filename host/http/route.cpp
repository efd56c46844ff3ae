// recoupd: what a request's path names (docs/behaviour.md §1.1). Pure: no socket, no store, so the
// HTTP fuzz target (tests/fuzz/fuzz_http.cpp) routes with this very code.
#include "http/route.hpp"

#include <recoup/domain.hpp>

#include <utility>
#include <vector>

namespace recoupd::http {

namespace {

std::vector<std::string_view> split_path(std::string_view path)
{
    std::vector<std::string_view> parts;
    if (!path.starts_with('/')) return parts;
    path.remove_prefix(1);
    while (true) {
        const auto slash = path.find('/');
        parts.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return parts;
}

// The first path id of `r` that breaks the id rule; empty when they all keep it.
std::string_view invalid_path_id(const route& r)
{
    const std::pair<const std::string*, std::string_view> ids[] = {
        {&r.merchant_id, "merchant_id"}, {&r.profile_id, "profile_id"}, {&r.mca_id, "mca_id"},
        {&r.payment_id, "payment_id"}};
    for (const auto& [id, name] : ids)
        if (!id->empty() && !recoup::is_valid_id(*id)) return name;
    return {};
}

} // namespace

std::pair<std::string_view, std::string_view> split_target(std::string_view target)
{
    const auto q = target.find('?');
    if (q == std::string_view::npos) return {target, {}};
    return {target.substr(0, q), target.substr(q + 1)};
}

std::string_view route::name() const noexcept
{
    switch (kind) {
    case health: return "health";
    case ready: return "ready";
    case metrics: return "metrics";
    case webhook: return "webhook";
    case workflow: return "workflow";
    case recovery_invoices: return "recovery_invoices";
    case recovery_invoice: return "recovery_invoice";
    case recovery_summary: return "recovery_summary";
    case dashboard: return "dashboard";
    case none: break;
    }
    return "none";
}

route match_route(std::string_view path)
{
    route r;
    if (path == "/health") r.kind = route::health;
    else if (path == "/ready") r.kind = route::ready;
    else if (path == "/metrics") r.kind = route::metrics;
    if (r.kind != route::none) return r;
    const std::pair<std::string_view, route::page> dashboard_pages[] = {
        {"/dashboard", route::page::home},
        {"/dashboard/login", route::page::login},
        {"/dashboard/logout", route::page::logout},
        {"/dashboard/style.css", route::page::style}};
    for (const auto& [dashboard_path, page] : dashboard_pages)
        if (path == dashboard_path) {
            r.kind = route::dashboard;
            r.dashboard_page = page;
            return r;
        }

    const auto parts = split_path(path);
    for (const auto& p : parts)
        if (p.empty()) return r;
    // /v2/webhooks/revenue_recovery/{profile_id}/{mca_id}
    if (parts.size() == 5 && parts[0] == "v2" && parts[1] == "webhooks" && parts[2] == "revenue_recovery") {
        r.kind = route::webhook;
        r.profile_id = parts[3];
        r.mca_id = parts[4];
    }
    // /v2/process_tracker/revenue_recovery_workflow/{payment_id} (admin)
    if (parts.size() == 4 && parts[0] == "v2" && parts[1] == "process_tracker" &&
        parts[2] == "revenue_recovery_workflow") {
        r.kind = route::workflow;
        r.payment_id = parts[3];
    }
    // /v2/recovery/invoices, /v2/recovery/invoices/{payment_id}, /v2/recovery/summary (admin)
    if (parts.size() >= 3 && parts[0] == "v2" && parts[1] == "recovery") {
        if (parts.size() == 3 && parts[2] == "invoices") r.kind = route::recovery_invoices;
        if (parts.size() == 3 && parts[2] == "summary") r.kind = route::recovery_summary;
        if (parts.size() == 4 && parts[2] == "invoices") {
            r.kind = route::recovery_invoice;
            r.payment_id = parts[3];
        }
    }
    // /dashboard/invoices/{payment_id} (admin token or session)
    if (parts.size() == 3 && parts[0] == "dashboard" && parts[1] == "invoices") {
        r.kind = route::dashboard;
        r.dashboard_page = route::page::invoice;
        r.payment_id = parts[2];
    }
    // /v2/webhooks/recovery/{merchant_id}/{profile_id}/{mca_id}
    if (parts.size() == 6 && parts[0] == "v2" && parts[1] == "webhooks" && parts[2] == "recovery") {
        r.kind = route::webhook;
        r.merchant_id = parts[3];
        r.profile_id = parts[4];
        r.mca_id = parts[5];
    }
    if (const auto bad = invalid_path_id(r); !bad.empty()) {
        route none;
        none.invalid_id = bad;
        return none;
    }
    return r;
}

} // namespace recoupd::http
