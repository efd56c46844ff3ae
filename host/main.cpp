// recoupd, the reference host. For now a command-line tool: one table of commands, each with its
// own arguments and --help. New commands go into the table.
#include "cli/command.hpp"
#include "cli/plugin_commands.hpp"

#include <iostream>

namespace {

using recoupd::cli::command;

const command commands[] = {
    {"plugin inspect", "print a plugin's name, version, ABI version, kind and capabilities as JSON",
     &recoupd::cli::plugin_inspect_args, &recoupd::cli::plugin_inspect},
    {"plugin check", "run conformance cases (request.json + expected.json) against a connector plugin",
     &recoupd::cli::plugin_check_args, &recoupd::cli::plugin_check},
};

} // namespace

int main(int argc, char** argv)
{
    recoupd::cli::context ctx{std::cout, std::cerr};
    return recoupd::cli::run(commands, argc, argv, ctx);
}
