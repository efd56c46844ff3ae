#include "cli/serve_command.hpp"

#include "app.hpp"
#include "cli/flags.hpp"
#include "http/handler.hpp"
#include "http/server.hpp"
#include "scheduler/scheduler.hpp"

#include <sys/resource.h>

#include <atomic>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

namespace recoupd::cli {

namespace {

const std::string group_commit_help =
    "webhooks applied in one transaction at most, each in its own savepoint, answered after its COMMIT "
    "(default " + std::to_string(default_group_commit) + "; 0: one transaction per webhook)";

const flag_spec serve_flags[] = {
    {"listen", "HOST:PORT", "where to listen (default 127.0.0.1:8080; port 0 picks a free one)"},
    plugin_dir_flag,
    no_bundled_plugins_flag,
    database_flag,
    {"threads", "N", "I/O threads (default: one per core)"},
    {"workers", "N", "threads that run webhooks and other database work (default: four per core)"},
    {"queue-limit", "N", "requests waiting for a worker before the next gets 503 at once (default 256)"},
    {"max-connections", "N", "open connections; above it the oldest idle one is closed (default: from the "
                             "descriptor limit)"},
    {"body-limit", "BYTES", "largest request body accepted (default 1048576; larger: 413)"},
    {"read-timeout", "SECONDS", "how long a connection may take to send a request (default 30)"},
    {"request-timeout", "SECONDS", "from a whole request to its answer; then 503 (default 20)"},
    {"write-timeout", "SECONDS", "how long a client may take to read an answer; then closed (default 10)"},
    {"drain-limit", "SECONDS", "how long the rest of a rejected request is read before closing (default 5)"},
    {"sync-connect-timeout", "SECONDS", "resolve + connect of calls to a platform's or processor's API (default 5)"},
    {"sync-timeout", "SECONDS", "the rest of such a call once connected (default 10)"},
    {"sync-total-timeout", "SECONDS", "the whole of such a call, resolve to last byte (default 15)"},
    {"db-statement-timeout", "SECONDS", "PostgreSQL statement_timeout of every session (default 5)"},
    {"db-lock-timeout", "SECONDS", "PostgreSQL lock_timeout of every session (default 2)"},
    {"db-pool-wait", "SECONDS", "how long a request waits for a free database connection (default 5)"},
    {"group-commit", "N", group_commit_help},
    {"no-raw-body", "", "do not keep webhook bodies in the event log"},
    {"no-scheduler", "", "do not run the retry scheduler in this process (see: recoupd scheduler)"},
};

// Lets the process hold as many descriptors as the system allows it (the connection cap follows).
void raise_descriptor_limit()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
}

http::server_options server_options_of(const parsed_args& args)
{
    raise_descriptor_limit();
    http::server_options o;
    http::parse_listen(args.value("listen").value_or("127.0.0.1:8080"), o.host, o.port);
    o.threads = static_cast<int>(number_flag(args, "threads", o.threads, 1, 256));
    o.workers = static_cast<int>(number_flag(args, "workers", o.workers, 1, 1024));
    o.queue_limit = static_cast<std::size_t>(number_flag(args, "queue-limit", static_cast<long long>(o.queue_limit), 0, 1 << 20));
    o.max_connections = static_cast<std::size_t>(
        number_flag(args, "max-connections", static_cast<long long>(o.max_connections), 1, 1 << 24));
    o.body_limit = static_cast<std::size_t>(number_flag(args, "body-limit", static_cast<long long>(o.body_limit), 1, 1LL << 30));
    seconds_flag(args, "read-timeout", o.read_timeout, 3600);
    seconds_flag(args, "request-timeout", o.request_timeout, 3600);
    seconds_flag(args, "write-timeout", o.write_timeout, 3600);
    seconds_flag(args, "drain-limit", o.drain_limit, 3600);
    return http::with_defaults(std::move(o));
}

} // namespace

const args_spec serve_args{
    .flags = serve_flags,
    .description =
        "Serves the webhook endpoints of the billing connectors' merchant connector accounts:\n"
        "  POST /v2/webhooks/revenue_recovery/{profile_id}/{merchant_connector_account_id}\n"
        "  POST /v2/webhooks/recovery/{merchant_id}/{profile_id}/{merchant_connector_account_id}\n"
        "plus GET /health, /ready and /metrics. Prints \"listening on HOST:PORT\" once ready, one\n"
        "JSON line per webhook, and stops gracefully on SIGINT or SIGTERM.",
};

int serve(const parsed_args& args, context& ctx)
{
    auto options = server_options_of(args);
    outbound::client_options client_options;
    seconds_flag(args, "sync-connect-timeout", client_options.connect_timeout, 600);
    seconds_flag(args, "sync-timeout", client_options.read_timeout, 600);
    seconds_flag(args, "sync-total-timeout", client_options.total_timeout, 600);
    store_options store_limits;
    seconds_flag(args, "db-statement-timeout", store_limits.statement_timeout, 3600);
    seconds_flag(args, "db-lock-timeout", store_limits.lock_timeout, 3600);
    seconds_flag(args, "db-pool-wait", store_limits.pool_wait, 3600);
    app_config config;
    config.keep_raw_body = !args.has("no-raw-body");
    config.group_commit.max_batch = static_cast<std::size_t>(
        number_flag(args, "group-commit", static_cast<long long>(config.group_commit.max_batch), 0, 4096));
    // Test hooks of the group-commit suite (committer.hpp); unset in any real deployment.
    if (const char* id = std::getenv("RECOUPD_TEST_FAIL_APPLY_EVENT")) config.group_commit.fail_apply_event_id = id;
    if (const char* id = std::getenv("RECOUPD_TEST_FAIL_COMMIT_EVENT")) config.group_commit.fail_commit_event_id = id;
    const auto url = database_of(args);

    auto plugins = load_plugins(args, ctx);
    if (!plugins) return exit_failure;
    config.retry_after = options.retry_after;
    // One session per worker, one for the scheduler and one to spare.
    soci_store store(url, static_cast<std::size_t>(options.workers) + 2, store_limits);
    store.require_master_key();
    app a(store, std::move(*plugins), client_options, config);
    a.accounts.follow_changes(store_limits); // PostgreSQL: no version read per webhook while listening
    options.on_rejected = [&a](int status) { a.metrics.count_request("webhook", status, ""); };
    http::server srv(
        options, [&a](http::request&& req) { return http::handle(a, std::move(req)); },
        [&a](const http::request& req) { return http::handle_quick(a, req); });
    const auto endpoint = srv.listen();
    const auto address = endpoint.address();
    ctx.out << "listening on " << (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) << ":"
            << endpoint.port() << std::endl;

    // The retry scheduler, on a thread of its own, polling once a second.
    std::atomic<bool> stop_scheduler{false};
    std::thread scheduler_thread;
    std::optional<scheduler> retries;
    if (!args.has("no-scheduler")) {
        retries.emplace(store, a.plugins, a.client, &a.metrics);
        scheduler_thread = std::thread([&] {
            retries->loop([&a] { return recoup::to_unix_seconds(a.clock.now()); }, stop_scheduler,
                          std::chrono::milliseconds(1000));
        });
    }
    srv.run(true);
    stop_scheduler.store(true);
    if (scheduler_thread.joinable()) scheduler_thread.join();
    ctx.out << "stopped" << std::endl;
    return exit_ok;
}

} // namespace recoupd::cli
