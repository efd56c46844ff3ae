// recoupd simulate: a population of failed invoices through the real scheduler on a virtual
// clock (host/simulation/run.hpp), or --generate: a population from the model.
#pragma once

#include "cli/command.hpp"

namespace recoupd::cli {

extern const args_spec simulate_args;
int simulate(const parsed_args& args, context& ctx);

} // namespace recoupd::cli
