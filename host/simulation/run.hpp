// recoupd simulate: runs a population through the real recovery code. A throwaway SQLite store in
// a temp dir (removed after), one profile with the chosen retry algorithm and an MCA pair (a
// billing MCA of a bundled connector -> the simulator processor in issuer mode, at the loopback
// issuer), each invoice entering through recoup::apply_webhook as the platform's failure webhook
// at its failed_at, and recoupd::scheduler draining on a virtual clock that jumps to the next due
// task or the next failure until the horizon. Everything it reports comes from the issuer's log.
#pragma once

#include "plugins.hpp"
#include "simulation/population.hpp"
#include "simulation/violations.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace recoupd::simulation {

inline constexpr std::int64_t default_horizon_days = 60;

struct run_options {
    std::string algorithm = "cascading"; // business_profile.retry_algorithm
    std::int64_t horizon_days = default_horizon_days;
};

struct run_outcome {
    std::size_t invoices = 0;
    std::size_t recovered_invoices = 0;
    std::int64_t recovered_amount = 0; // minor units, all currencies summed
    std::map<std::string, std::int64_t> recovered_amount_by_currency;
    std::size_t attempts = 0;              // charges sent to the processor within each invoice's horizon
    std::size_t network_violations = 0;    // find_violations() on the whole log
    std::optional<double> median_days_to_recovery;
    std::vector<attempt_entry> log;        // every attempt, the platform's own included
    std::vector<violation> violations;
};

// Throws std::runtime_error (a store, plugin or issuer fault) naming the cause.
run_outcome run(const std::vector<invoice>& population, const plugins& plugins, const run_options& options);

// The summary object `recoupd simulate` prints (issue #13's keys, then ours).
std::string summary_json(const run_outcome& r, const run_options& options);

// One line of --attempt-log: {at, invoice, method, network, outcome, decline, code, advice, by}.
std::string attempt_json(const attempt_entry& e);

// The median of `values` (nullopt when empty); an even count averages the middle two.
std::optional<double> median(std::vector<double> values);

} // namespace recoupd::simulation
