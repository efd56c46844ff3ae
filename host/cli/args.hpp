// recoupd: a small command-line parser. It understands positionals, `--flag value`,
// `--flag=value`, repeated flags, boolean flags, `-h`/`--help` and `--`; anything else is a
// usage_error that names the offending argument.
#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace recoupd::cli {

// A mistake on the command line: the dispatcher prints it and exits with status 2.
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct flag_spec {
    std::string_view name;       // without dashes: "plugin-dir"
    std::string_view value_name; // "DIR"; empty for a boolean flag
    std::string_view help;       // one line
    bool repeatable = false;     // may be given more than once
};

inline constexpr std::size_t unlimited = std::numeric_limits<std::size_t>::max();

// What a command accepts; also the source of its `--help` text.
struct args_spec {
    std::string_view positionals{}; // as in the usage line: "PLUGIN.so CASE_DIR..."
    std::size_t min_positionals = 0;
    std::size_t max_positionals = 0;
    std::span<const flag_spec> flags{};
    std::string_view description{}; // paragraphs shown by `--help`
};

class parsed_args {
public:
    const std::vector<std::string>& positionals() const noexcept { return positionals_; }
    // True when `--help` or `-h` was given; the other checks are then skipped.
    bool help() const noexcept { return help_; }
    // Given at least once.
    bool has(std::string_view flag) const noexcept;
    // The last value given for a flag that takes one.
    std::optional<std::string> value(std::string_view flag) const;
    // Every value given, in order (a repeatable flag).
    std::vector<std::string> values(std::string_view flag) const;

private:
    friend parsed_args parse_args(std::span<const std::string> args, const args_spec& spec);
    std::vector<std::string> positionals_;
    std::vector<std::pair<std::string, std::string>> flags_; // name, value ("" when boolean)
    bool help_ = false;
};

// `args` excludes the program and command names. Throws usage_error.
parsed_args parse_args(std::span<const std::string> args, const args_spec& spec);

// Left column of a help listing, padded to `width` (at least two spaces follow).
std::string padded(std::string left, std::size_t width = 26);

// The `--help` text of a command: usage line, description, flags.
std::string help_text(std::string_view program, std::string_view command, const args_spec& spec);

} // namespace recoupd::cli
