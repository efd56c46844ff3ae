// recoupd: what several commands read from their flags, read one way: numbers with bounds, the
// database URL, the plugin directory and its plugins.
#pragma once

#include "cli/args.hpp"
#include "cli/command.hpp"
#include "plugins.hpp"
#include "store/database_url.hpp"

#include <chrono>
#include <climits>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace recoupd::cli {

inline constexpr flag_spec database_flag{"database", "URL",
                                         "sqlite:PATH or postgresql://user@host:port/db "
                                         "(default $RECOUP_DATABASE_URL, else sqlite:var/recoup.db)"};
inline constexpr flag_spec plugin_dir_flag{"plugin-dir", "DIR",
                                           "every recoup_*.so there, besides the bundled plugins and "
                                           "$RECOUP_PLUGIN_PATH",
                                           true};
inline constexpr flag_spec no_bundled_plugins_flag{"no-bundled-plugins", "",
                                                   "leave the bundled plugins out of the plugin search path"};

// The value of --FLAG; a usage_error when it is absent or empty.
std::string required(const parsed_args& args, std::string_view flag);

// `text` as a whole number in [min, max]; else a usage_error naming `what`.
long long number(std::string_view text, std::string_view what, long long min, long long max = LLONG_MAX);

// --NAME as a number in [min, max]; `fallback` when the flag is absent.
long long number_flag(const parsed_args& args, std::string_view name, long long fallback, long long min,
                      long long max);

// --NAME in whole seconds, from 1 to `max_seconds`, into `value`, which keeps its default when the
// flag is absent.
void seconds_flag(const parsed_args& args, std::string_view name, std::chrono::milliseconds& value,
                  long long max_seconds);

// --database, else $RECOUP_DATABASE_URL, else sqlite:var/recoup.db. Throws std::invalid_argument.
database_url database_of(const parsed_args& args);

// The bundled plugins: this build tree's when recoupd runs from it, else the installed ones.
std::filesystem::path bundled_plugin_dir();

// The plugin search path: every --plugin-dir, then each directory of $RECOUP_PLUGIN_PATH
// (colon-separated), then the bundled plugins unless --no-bundled-plugins. When neither flag nor
// path names a directory, $RECOUP_PLUGIN_DIR replaces the bundled one, as it always did. A
// directory named twice is searched once.
std::vector<std::filesystem::path> plugin_path_of(const parsed_args& args);

// The plugins of plugin_path_of(args); nullopt, with the reason printed, when one fails to load
// or there is no billing connector at all.
std::optional<plugins> load_plugins(const parsed_args& args, context& ctx);

} // namespace recoupd::cli
