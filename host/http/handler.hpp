// recoupd: request handling as a free function of (app, request) -> response, with no socket in
// sight. Routes of docs/behaviour.md §1 plus /health, /ready and /metrics.
#pragma once

#include "http/message.hpp"
#include "http/route.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace recoupd {
struct app;
}

namespace recoupd::http {

// Every route. Blocks on the database and on platform APIs: run it on a worker.
response handle(app& a, request&& req);
// /health and /metrics, which never block: the server answers them on its I/O threads, so they
// stay fast while every worker is busy. nullopt for any other route.
std::optional<response> handle_quick(app& a, const request& req);

} // namespace recoupd::http
