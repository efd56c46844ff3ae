#include "cli/simulate_command.hpp"

#include "cli/flags.hpp"
#include "log.hpp"
#include "simulation/generator.hpp"
#include "simulation/run.hpp"

#include <fstream>

namespace recoupd::cli {

namespace {

const flag_spec simulate_flags[] = {
    {"population", "FILE", "the invoices, one JSON object a line (docs/recovery.md)"},
    {"algorithm", "cascading|smart", "the profile's retry algorithm"},
    {"horizon-days", "N", "how long after its failure an invoice may be recovered (default 60)"},
    {"attempt-log", "FILE", "write the issuer's log there: one JSON line per attempt"},
    plugin_dir_flag,
    no_bundled_plugins_flag,
    {"generate", "N", "print N population lines from the model instead of simulating"},
    {"seed", "S", "with --generate: the random seed (default 1); the same seed, the same lines"},
};

constexpr long long max_generate = 10'000'000;
constexpr long long max_horizon_days = 3650;

int generate(const parsed_args& args, context& ctx)
{
    if (args.has("population") || args.has("algorithm"))
        throw usage_error("--generate prints a population: it takes no --population or --algorithm");
    const auto n = number_flag(args, "generate", 0, 1, max_generate);
    const auto seed = number_flag(args, "seed", 1, 0, LLONG_MAX);
    for (const auto& inv : simulation::generate(static_cast<std::size_t>(n), static_cast<std::uint64_t>(seed)))
        ctx.out << simulation::to_json_line(inv) << "\n";
    return exit_ok;
}

} // namespace

const args_spec simulate_args{
    .flags = simulate_flags,
    .description =
        "Runs a population of failed invoices through the real recovery code: a throwaway\n"
        "SQLite store, the webhook flow, the retry scheduler on a virtual clock, the bundled\n"
        "plugins, and the simulator processor charging a loopback issuer that answers from each\n"
        "invoice's hidden timeline. Prints one JSON object: invoices, recovered_invoices,\n"
        "recovered_amount, attempts, network_violations, median_days_to_recovery (and more).\n"
        "With --generate N it prints N population lines instead (deterministic for --seed).",
};

int simulate(const parsed_args& args, context& ctx)
{
    if (args.has("generate")) return generate(args, ctx);
    if (args.has("seed")) throw usage_error("--seed goes with --generate");
    const auto file = required(args, "population");
    simulation::run_options options;
    options.algorithm = required(args, "algorithm");
    if (options.algorithm != "cascading" && options.algorithm != "smart")
        throw usage_error("--algorithm must be cascading or smart, not \"" + options.algorithm + "\"");
    options.horizon_days = number_flag(args, "horizon-days", simulation::default_horizon_days, 1, max_horizon_days);

    std::ifstream in(file);
    if (!in) throw usage_error("cannot read the population \"" + file + "\"");
    std::vector<simulation::invoice> population;
    try {
        population = simulation::read_population(in);
    } catch (const simulation::population_error& e) {
        throw usage_error(file + ": " + e.what());
    }
    if (population.empty()) throw usage_error(file + ": no invoice in the population");

    auto plugins = load_plugins(args, ctx);
    if (!plugins) return exit_failure;
    set_log_stream(nullptr); // the scheduler's decision lines would bury the one JSON object
    const auto outcome = simulation::run(population, *plugins, options);
    if (const auto log = args.value("attempt-log")) {
        std::ofstream out(*log);
        for (const auto& e : outcome.log) out << simulation::attempt_json(e) << "\n";
        if (!out.flush()) {
            print_error(ctx.err, "cannot write the attempt log \"" + *log + "\"");
            return exit_failure;
        }
    }
    ctx.out << simulation::summary_json(outcome, options) << "\n";
    return exit_ok;
}

} // namespace recoupd::cli
