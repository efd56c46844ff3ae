#include "cli/scheduler_command.hpp"

#include "cli/flags.hpp"
#include "scheduler/scheduler.hpp"

#include <recoup/clock.hpp>

#include <atomic>
#include <csignal>
#include <cstdlib>

namespace recoupd::cli {

namespace {

const flag_spec scheduler_flags[] = {
    {"once", "", "drain what is due (at --now) and exit"},
    {"now", "UNIX_SECONDS", "the clock: run what is due at this time (default: the real time)"},
    plugin_dir_flag,
    no_bundled_plugins_flag,
    database_flag,
    {"batch", "N", "tasks claimed per transaction (default 50)"},
    {"lease", "SECONDS", "a claimed task whose worker died is due again after this (default 300)"},
    {"interval", "MILLISECONDS", "poll interval without --once (default 1000)"},
};

std::atomic<bool> stop_requested{false};

extern "C" void on_stop_signal(int) { stop_requested.store(true); }

} // namespace

const args_spec scheduler_args{
    .flags = scheduler_flags,
    .description =
        "Runs the retry scheduler: claims due process_tracker tasks (EXECUTE_WORKFLOW,\n"
        "PSYNC_WORKFLOW, RECORD_BACK_WORKFLOW) with a lease and runs them, then sends the\n"
        "merchant's outgoing webhooks that are due. Any number of\n"
        "instances may share one PostgreSQL database. With --once it drains what is due and\n"
        "prints \"ran N tasks\" (and \"sent N webhooks\" when it sent any); --now fixes the clock\n"
        "(\"what is due at time T\").",
};

int scheduler_command(const parsed_args& args, context& ctx)
{
    scheduler_options options;
    options.batch = static_cast<std::size_t>(number_flag(args, "batch", static_cast<long long>(options.batch), 1, 10000));
    options.lease_seconds = number_flag(args, "lease", options.lease_seconds, 1, 86400 * 7);
    const auto interval = std::chrono::milliseconds(number_flag(args, "interval", 1000, 10, 3600 * 1000));
    const std::optional<std::int64_t> fixed_now =
        args.has("now") ? std::optional<std::int64_t>(number_flag(args, "now", 0, 0, 1LL << 40)) : std::nullopt;

    auto plugins = load_plugins(args, ctx);
    if (!plugins) return exit_failure;
    try {
        soci_store store(database_of(args), 2);
        store.require_master_key();
        outbound::client client;
        scheduler s(store, *plugins, client, nullptr, options);
        auto clock = [&] { return fixed_now.value_or(recoup::to_unix_seconds(recoup::system_clock{}.now())); };
        if (args.has("once")) {
            const auto n = s.drain(scheduler::clock_fn(clock));
            ctx.out << "ran " << n << (n == 1 ? " task" : " tasks") << "\n";
            if (const auto d = s.deliveries()) ctx.out << "sent " << d << (d == 1 ? " webhook" : " webhooks") << "\n";
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
