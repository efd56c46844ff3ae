// recoupd: webhook secrets and API keys read off the command line, where `ps` and
// /proc/PID/cmdline show them to every user of the machine: from a file (--NAME-file), standard
// input (--NAME-stdin) or an environment variable (--NAME-env). A file or standard input holds one
// value; one trailing newline (\n or \r\n) is dropped, and a value that is empty or still holds a
// line break is refused. The argv form (--NAME) still works, with a warning on stderr.
#pragma once

#include "cli/args.hpp"
#include "cli/command.hpp"

#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace recoupd::cli {

// The four flags of one kind of secret: "secret" gives --secret, --secret-file, --secret-stdin and
// --secret-env. `repeatable`: several values may be given (the argv, file and env forms repeat).
struct secret_flags {
    flag_spec argv;
    flag_spec file;
    flag_spec stdin_flag;
    flag_spec env;
};

inline constexpr secret_flags webhook_secret_flags{
    {"secret", "S", "a webhook secret, on the command line (visible to other users: prefer the forms below)", true},
    {"secret-file", "FILE", "a webhook secret: the whole file, one trailing newline dropped", true},
    {"secret-stdin", "", "a webhook secret: all of standard input, one trailing newline dropped"},
    {"secret-env", "NAME", "a webhook secret: the value of environment variable NAME", true},
};
inline constexpr secret_flags rotated_secret_flags{
    {"secret", "NEW", "the new webhook secret, on the command line (visible to other users)"},
    {"secret-file", "FILE", "the new webhook secret: the whole file, one trailing newline dropped"},
    {"secret-stdin", "", "the new webhook secret: all of standard input, one trailing newline dropped"},
    {"secret-env", "NAME", "the new webhook secret: the value of environment variable NAME"},
};
inline constexpr secret_flags api_key_flags{
    {"api-key", "K", "the API key for sync and record-back calls, on the command line (visible to other users)"},
    {"api-key-file", "FILE", "the API key: the whole file, one trailing newline dropped"},
    {"api-key-stdin", "", "the API key: all of standard input, one trailing newline dropped"},
    {"api-key-env", "NAME", "the API key: the value of environment variable NAME"},
};

// Every value given through `flags`, in the order argv, files, environment, standard input.
// Throws usage_error on an unreadable file, an unset variable, an empty or multi-line value, or
// standard input asked for twice (`stdin_taken` is set once it is read). Warns on `err` when the
// argv form was used.
std::vector<std::string> read_secrets(const parsed_args& args, const secret_flags& flags, std::ostream& err,
                                      std::istream& in, bool& stdin_taken);

// At most one value (a usage_error when two sources give one); nullopt when none is given.
std::optional<std::string> read_one_secret(const parsed_args& args, const secret_flags& flags, std::ostream& err,
                                           std::istream& in, bool& stdin_taken);

// One trailing "\n" or "\r\n" dropped; then a usage_error naming `source` when empty or multi-line.
std::string checked_secret(std::string value, std::string_view source);

} // namespace recoupd::cli
