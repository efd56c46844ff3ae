#include "cli/serve_command.hpp"

#include "app.hpp"
#include "cli/flags.hpp"
#include "http/handler.hpp"
#include "http/server.hpp"
#include "scheduler/scheduler.hpp"

#include <atomic>
#include <optional>
#include <thread>

namespace recoupd::cli {

namespace {

const flag_spec serve_flags[] = {
    {"listen", "HOST:PORT", "where to listen (default 127.0.0.1:8080; port 0 picks a free one)"},
    plugin_dir_flag,
    no_bundled_plugins_flag,
    database_flag,
    {"threads", "N", "serving threads (default: one per core)"},
    {"body-limit", "BYTES", "largest request body accepted (default 1048576; larger: 413)"},
    {"read-timeout", "SECONDS", "how long a connection may take to send a request (default 30)"},
    {"sync-connect-timeout", "SECONDS", "connect timeout of sync calls to a platform's API (default 5)"},
    {"sync-timeout", "SECONDS", "read timeout of sync calls to a platform's API (default 10)"},
    {"no-raw-body", "", "do not keep webhook bodies in the event log"},
    {"no-scheduler", "", "do not run the retry scheduler in this process (see: recoupd scheduler)"},
};

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
    http::server_options options;
    http::parse_listen(args.value("listen").value_or("127.0.0.1:8080"), options.host, options.port);
    const auto hardware = static_cast<long long>(std::max(1u, std::thread::hardware_concurrency()));
    options.threads = static_cast<int>(number_flag(args, "threads", hardware, 1, 256));
    options.body_limit = static_cast<std::size_t>(number_flag(args, "body-limit", 1024 * 1024, 1, 1LL << 30));
    options.read_timeout = std::chrono::seconds(number_flag(args, "read-timeout", 30, 1, 3600));
    outbound::client_options client_options;
    client_options.connect_timeout = std::chrono::seconds(number_flag(args, "sync-connect-timeout", 5, 1, 600));
    client_options.read_timeout = std::chrono::seconds(number_flag(args, "sync-timeout", 10, 1, 600));
    app_config config;
    config.keep_raw_body = !args.has("no-raw-body");
    const auto url = database_of(args);

    auto plugins = load_plugins(args, ctx);
    if (!plugins) return exit_failure;
    soci_store store(url, static_cast<std::size_t>(options.threads) + 2);
    store.require_master_key();
    app a(store, std::move(*plugins), client_options, config);
    options.on_rejected = [&a](int status) { a.metrics.count_request("webhook", status, ""); };
    http::server srv(options, [&a](http::request&& req) { return http::handle(a, std::move(req)); });
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
