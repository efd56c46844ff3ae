// recoupd: request handling as a free function of (app, request) -> response, with no socket in
// sight. Routes of docs/behaviour.md §1 plus /health, /ready and /metrics.
#pragma once

#include "http/message.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace recoupd {
struct app;
}

namespace recoupd::http {

// What a path names. Webhook routes carry their ids; every other path is `none`.
struct route {
    enum kind_t { none, health, ready, metrics, webhook, workflow } kind = none;
    std::string profile_id;
    std::string payment_id;  // only on the admin workflow route
    std::string mca_id;
    std::string merchant_id; // only on the reference-style route
    // On `none` only: the path id ("profile_id", ...) that breaks the id rule, so names nothing.
    std::string_view invalid_id;

    std::string_view name() const noexcept; // the metrics label: "webhook", "health", ...
};

// A webhook or workflow path whose ids break the id rule (recoup::is_valid_id) matches `none`,
// with `invalid_id` set: no such resource can exist, so it is a 404 before any lookup.
route match_route(std::string_view path);

// Every route. Blocks on the database and on platform APIs: run it on a worker.
response handle(app& a, request&& req);
// /health and /metrics, which never block: the server answers them on its I/O threads, so they
// stay fast while every worker is busy. nullopt for any other route.
std::optional<response> handle_quick(app& a, const request& req);

} // namespace recoupd::http
