// recoupd scheduler: the retry scheduler on its own (see scheduler.hpp). `--once --now T` runs
// what is due at time T and exits; without --once it polls until SIGINT or SIGTERM.
#pragma once

#include "cli/args.hpp"
#include "cli/command.hpp"

namespace recoupd::cli {

extern const args_spec scheduler_args;
int scheduler_command(const parsed_args& args, context& ctx);

} // namespace recoupd::cli
