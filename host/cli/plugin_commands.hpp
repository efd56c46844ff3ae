// recoupd: `plugin inspect` and `plugin check`, the commands a plugin author runs.
#pragma once

#include "cli/args.hpp"
#include "cli/command.hpp"

namespace recoupd::cli {

// recoupd plugin inspect PLUGIN.so: the descriptor as one JSON line.
extern const args_spec plugin_inspect_args;
int plugin_inspect(const parsed_args& args, context& ctx);

// recoupd plugin check PLUGIN.so CASE_DIR...: one PASS/FAIL line per case, then a summary.
extern const args_spec plugin_check_args;
int plugin_check(const parsed_args& args, context& ctx);

} // namespace recoupd::cli
