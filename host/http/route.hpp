// recoupd: what a request's path names, the routes of docs/behaviour.md §1.1 plus /health, /ready,
// /metrics and the dashboard's pages (docs/dashboard.md). Pure string work with no socket and no
// store (the HTTP fuzz target links it too).
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace recoupd::http {

// What a path names. Webhook routes carry their ids; every other path is `none`.
struct route {
    enum kind_t {
        none, health, ready, metrics, webhook, workflow,
        recovery_invoices, recovery_invoice, recovery_summary, // the recovery API (admin)
        dashboard,                                              // the dashboard's pages
    } kind = none;
    // On `dashboard` only: which page (/dashboard, /dashboard/invoices/{payment_id}, ...).
    enum class page { home, invoice, login, logout, style } dashboard_page = page::home;
    std::string profile_id;
    std::string payment_id;  // only on the workflow, recovery_invoice and dashboard invoice routes
    std::string mca_id;
    std::string merchant_id; // only on the reference-style route
    // On `none` only: the path id ("profile_id", ...) that breaks the id rule, so names nothing.
    std::string_view invalid_id;

    std::string_view name() const noexcept; // the metrics label: "webhook", "health", ...
};

// A webhook or workflow path whose ids break the id rule (recoup::is_valid_id) matches `none`,
// with `invalid_id` set: no such resource can exist, so it is a 404 before any lookup.
route match_route(std::string_view path);

// A request target split at the first '?': {path, query}.
std::pair<std::string_view, std::string_view> split_target(std::string_view target);

} // namespace recoupd::http
