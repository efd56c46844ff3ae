#include "scheduler/command.hpp"

#include "app.hpp"
#include "scheduler/scheduler.hpp"
#include "store/database_url.hpp"

#include <recoup/clock.hpp>

#include <atomic>
#include <csignal>
#include <cstdlib>

#ifndef RECOUPD_BUNDLED_PLUGIN_DIR
#define RECOUPD_BUNDLED_PLUGIN_DIR "/usr/local/lib/recoup/plugins"
#endif

namespace recoupd::cli {

namespace {

const flag_spec scheduler_flags[] = {
    {"once", "", "drain what is due (at --now) and exit"},
    {"now", "UNIX_SECONDS", "the clock: run what is due at this time (default: the real time)"},
    {"plugin-dir", "DIR", "connector and processor plugins (default $RECOUP_PLUGIN_DIR, else the bundled ones)"},
    {"database", "URL", "sqlite:PATH or postgresql://... (default $RECOUP_DATABASE_URL, else sqlite:var/recoup.db)"},
    {"batch", "N", "tasks claimed per transaction (default 50)"},
    {"lease", "SECONDS", "a claimed task whose worker died is due again after this (default 300)"},
    {"interval", "MILLISECONDS", "poll interval without --once (default 1000)"},
};

std::atomic<bool> stop_requested{false};

extern "C" void on_stop_signal(int) { stop_requested.store(true); }

long long number_flag(const parsed_args& args, std::string_view name, long long fallback, long long min, long long max)
{
    auto v = args.value(name);
    if (!v) return fallback;
    try {
        std::size_t used = 0;
        const long long n = std::stoll(*v, &used);
        if (used == v->size() && n >= min && n <= max) return n;
    } catch (const std::exception&) {
    }
    throw usage_error("--" + std::string(name) + " \"" + *v + "\": expected a number from " + std::to_string(min) +
                      " to " + std::to_string(max));
}

std::string plugin_dir_from(const parsed_args& args)
{
    if (auto v = args.value("plugin-dir")) return *v;
    if (const char* env = std::getenv("RECOUP_PLUGIN_DIR"); env && *env) return env;
    return RECOUPD_BUNDLED_PLUGIN_DIR;
}

} // namespace

const args_spec scheduler_args{
    .positionals = "",
    .min_positionals = 0,
    .max_positionals = 0,
    .flags = scheduler_flags,
    .description =
        "Runs the retry scheduler: claims due process_tracker tasks (EXECUTE_WORKFLOW,\n"
        "PSYNC_WORKFLOW, RECORD_BACK_WORKFLOW) with a lease and runs them. Any number of\n"
        "instances may share one PostgreSQL database. With --once it drains what is due and\n"
        "prints \"ran N tasks\"; --now fixes the clock (\"what is due at time T\").",
};

int scheduler_command(const parsed_args& args, context& ctx)
{
    scheduler_options options;
    options.batch = static_cast<std::size_t>(number_flag(args, "batch", 50, 1, 10000));
    options.lease_seconds = number_flag(args, "lease", 300, 1, 86400 * 7);
    const auto interval = std::chrono::milliseconds(number_flag(args, "interval", 1000, 10, 3600 * 1000));
    const std::optional<std::int64_t> fixed_now =
        args.has("now") ? std::optional<std::int64_t>(number_flag(args, "now", 0, 0, 1LL << 40)) : std::nullopt;

    const std::string plugin_dir = plugin_dir_from(args);
    auto connectors = plugin_registry::load_dir(plugin_dir);
    if (!connectors) {
        print_error(ctx.err, connectors.error().what());
        return exit_failure;
    }
    auto processors = processor_registry::load_dir(plugin_dir);
    if (!processors) {
        print_error(ctx.err, processors.error().what());
        return exit_failure;
    }
    try {
        const auto database_flag = args.value("database");
        soci_store store(parse_database_url(database_url_from(database_flag ? &*database_flag : nullptr)), 2);
        store.require_master_key();
        http::client client;
        scheduler s(store, *connectors, std::move(*processors), client, nullptr, options);
        auto clock = [&] { return fixed_now.value_or(recoup::to_unix_seconds(recoup::system_clock{}.now())); };
        if (args.has("once")) {
            const auto n = s.drain(clock());
            ctx.out << "ran " << n << (n == 1 ? " task" : " tasks") << "\n";
            return exit_ok;
        }
        std::signal(SIGINT, on_stop_signal);
        std::signal(SIGTERM, on_stop_signal);
        ctx.out << "scheduler running" << std::endl;
        s.loop(clock, stop_requested, interval);
        ctx.out << "stopped" << std::endl;
        return exit_ok;
    } catch (const std::exception& e) {
        print_error(ctx.err, e.what());
        return exit_failure;
    }
}

} // namespace recoupd::cli
