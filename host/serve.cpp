#include "serve.hpp"

#include "app.hpp"
#include "http/handler.hpp"
#include "http/server.hpp"
#include "scheduler/scheduler.hpp"
#include "store/database_url.hpp"
#include "store/soci_store.hpp"

#include <recoup/signature.hpp>

#include <atomic>
#include <cstdlib>
#include <optional>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#ifndef RECOUPD_BUNDLED_PLUGIN_DIR
#define RECOUPD_BUNDLED_PLUGIN_DIR "/usr/local/lib/recoup/plugins"
#endif

namespace recoupd::cli {

namespace {

const flag_spec serve_flags[] = {
    {"listen", "HOST:PORT", "where to listen (default 127.0.0.1:8080; port 0 picks a free one)"},
    {"plugin-dir", "DIR", "connector plugins, every recoup_*.so (default $RECOUP_PLUGIN_DIR, else the bundled ones)"},
    {"database", "URL", "sqlite:PATH or postgresql://... (default $RECOUP_DATABASE_URL, else sqlite:var/recoup.db)"},
    {"threads", "N", "serving threads (default: one per core)"},
    {"body-limit", "BYTES", "largest request body accepted (default 1048576; larger: 413)"},
    {"read-timeout", "SECONDS", "how long a connection may take to send a request (default 30)"},
    {"sync-connect-timeout", "SECONDS", "connect timeout of sync calls to a platform's API (default 5)"},
    {"sync-timeout", "SECONDS", "read timeout of sync calls to a platform's API (default 10)"},
    {"no-raw-body", "", "do not keep webhook bodies in the event log"},
    {"no-scheduler", "", "do not run the retry scheduler in this process (see: recoupd scheduler)"},
};

const flag_spec demo_info_flags[] = {
    {"profile", "ID", "the profile whose MCAs to show"},
    {"database", "URL", "sqlite:PATH or postgresql://... (default $RECOUP_DATABASE_URL, else sqlite:var/recoup.db)"},
};

const flag_spec sign_flags[] = {
    {"secret", "SECRET", "the webhook secret (chargebee: user:password)"},
    {"body-file", "FILE", "the exact body to sign"},
    {"at", "UNIX_SECONDS", "the signing time (default: now)"},
};

long number_flag(const parsed_args& args, std::string_view name, long fallback, long min, long max)
{
    auto v = args.value(name);
    if (!v) return fallback;
    try {
        std::size_t used = 0;
        const long n = std::stol(*v, &used);
        if (used == v->size() && n >= min && n <= max) return n;
    } catch (const std::exception&) {
    }
    throw usage_error("--" + std::string(name) + " \"" + *v + "\": expected a number from " +
                      std::to_string(min) + " to " + std::to_string(max));
}

std::string plugin_dir_from(const parsed_args& args)
{
    if (auto v = args.value("plugin-dir")) return *v;
    if (const char* env = std::getenv("RECOUP_PLUGIN_DIR"); env && *env) return env;
    return RECOUPD_BUNDLED_PLUGIN_DIR;
}

} // namespace

const args_spec serve_args{
    .positionals = "",
    .min_positionals = 0,
    .max_positionals = 0,
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
    const auto hardware = static_cast<long>(std::max(1u, std::thread::hardware_concurrency()));
    options.threads = static_cast<int>(number_flag(args, "threads", hardware, 1, 256));
    options.body_limit = static_cast<std::size_t>(number_flag(args, "body-limit", 1024 * 1024, 1, 1L << 30));
    options.read_timeout = std::chrono::seconds(number_flag(args, "read-timeout", 30, 1, 3600));
    http::client_options client_options;
    client_options.connect_timeout = std::chrono::seconds(number_flag(args, "sync-connect-timeout", 5, 1, 600));
    client_options.read_timeout = std::chrono::seconds(number_flag(args, "sync-timeout", 10, 1, 600));
    app_config config;
    config.keep_raw_body = !args.has("no-raw-body");

    const auto database_flag = args.value("database");
    const auto url = parse_database_url(database_url_from(database_flag ? &*database_flag : nullptr));
    const std::string plugin_dir = plugin_dir_from(args);
    auto plugins = plugin_registry::load_dir(plugin_dir);
    if (!plugins) {
        print_error(ctx.err, plugins.error().field.empty() ? plugins.error().what()
                                                            : plugins.error().field + ": " + plugins.error().detail);
        return exit_failure;
    }
    if (plugins->names().empty()) {
        print_error(ctx.err, "no connector plugin (recoup_*.so) in \"" + plugin_dir + "\"");
        return exit_failure;
    }

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
        auto processors = processor_registry::load_dir(plugin_dir);
        if (!processors) {
            print_error(ctx.err, processors.error().what());
            return exit_failure;
        }
        retries.emplace(store, a.plugins, std::move(*processors), a.client, &a.metrics);
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

const args_spec sign_args{
    .positionals = "stripe|recurly|chargebee",
    .min_positionals = 1,
    .max_positionals = 1,
    .flags = sign_flags,
    .description = "Prints the signature header value that makes the body of FILE verify under SECRET:\n"
                   "Stripe-Signature (stripe), recurly-signature (recurly) or Authorization (chargebee).\n"
                   "For the demo and tests.",
};

int sign(const parsed_args& args, context& ctx)
{
    const auto secret = args.value("secret");
    const auto file = args.value("body-file");
    if (!secret || !file) throw usage_error("--secret and --body-file are required");
    std::ifstream in(*file, std::ios::binary);
    if (!in) {
        print_error(ctx.err, "cannot read \"" + *file + "\"");
        return exit_failure;
    }
    std::ostringstream body;
    body << in.rdbuf();
    const auto now = args.has("at") ? recoup::from_unix_seconds(number_flag(args, "at", 0, 0, 1L << 40))
                                    : recoup::system_clock{}.now();
    const auto& connector = args.positionals().front();
    if (connector == "stripe") ctx.out << recoup::sign_stripe(body.str(), *secret, now) << "\n";
    else if (connector == "recurly") ctx.out << recoup::sign_recurly(body.str(), *secret, now) << "\n";
    else if (connector == "chargebee") {
        const auto colon = secret->find(':');
        if (colon == std::string::npos) throw usage_error("chargebee: --secret must be user:password");
        ctx.out << recoup::basic_auth_value(secret->substr(0, colon), secret->substr(colon + 1)) << "\n";
    } else {
        throw usage_error("unknown connector \"" + connector + "\": expected stripe, recurly or chargebee");
    }
    return exit_ok;
}

const args_spec demo_info_args{
    .positionals = "",
    .min_positionals = 0,
    .max_positionals = 0,
    .flags = demo_info_flags,
    .description = "Prints, for each merchant connector account of the profile, one line\n"
                   "\"<mca id> <connector> <webhook path> <secret>...\". It prints SECRETS: it exists for\n"
                   "the local demo (./dev run), where they are the operator's own.",
};

int demo_info(const parsed_args& args, context& ctx)
{
    const auto profile = args.value("profile");
    if (!profile) throw usage_error("--profile is required");
    const auto database_flag = args.value("database");
    soci_store store(parse_database_url(database_url_from(database_flag ? &*database_flag : nullptr)), 1);
    store.require_master_key();
    const auto now = recoup::to_unix_seconds(recoup::system_clock{}.now());
    for (const auto& summary : store.list_mcas(*profile)) {
        auto mca = store.find_mca(*profile, summary.id, now);
        if (!mca) continue;
        ctx.out << mca->id << " " << mca->connector << " /v2/webhooks/revenue_recovery/" << *profile << "/" << mca->id;
        for (const auto& secret : mca->secrets) ctx.out << " " << secret;
        ctx.out << "\n";
    }
    return exit_ok;
}

} // namespace recoupd::cli
