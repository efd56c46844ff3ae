// recoupd: the command table and its dispatcher. A command is a name of one or more words
// ("plugin check"), a one-line summary, what arguments it takes, and a handler; main.cpp lists
// them and run() does the rest (`--help` at every level, usage errors, exit statuses).
#pragma once

#include "cli/args.hpp"

#include <iosfwd>
#include <span>
#include <string_view>

namespace recoupd::cli {

// Exit statuses shared by every command.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1; // the command ran and failed (a case failed, a load failed)
inline constexpr int exit_usage = 2;   // the command line is wrong

// What a handler may use besides its arguments; grows as the host does (config, clock, ...).
struct context {
    std::ostream& out;
    std::ostream& err;
};

struct command {
    std::string_view name;    // words separated by one space: "plugin check"
    std::string_view summary; // one line, shown by `recoupd --help`
    const args_spec* args;
    int (*run)(const parsed_args& args, context& ctx);
};

// Prints `recoupd: error: <message>`; a multi-line message keeps its further lines as they are
// (PostgreSQL-style detail and hint lines).
void print_error(std::ostream& err, std::string_view message);

// Dispatches argv (argv[0] is the program) to the command it names. Returns the exit status.
int run(std::span<const command> commands, int argc, const char* const* argv, context& ctx);

} // namespace recoupd::cli
