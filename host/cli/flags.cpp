#include "cli/flags.hpp"

#include <charconv>
#include <cstdlib>
#include <string>

// Both set by the build: the plugins of this build tree, and where `meson install` puts them.
#ifndef RECOUPD_BUNDLED_PLUGIN_DIR
#define RECOUPD_BUNDLED_PLUGIN_DIR ""
#endif
#ifndef RECOUPD_INSTALLED_PLUGIN_DIR
#define RECOUPD_INSTALLED_PLUGIN_DIR "/usr/local/lib/recoup/plugins"
#endif

namespace recoupd::cli {

std::string required(const parsed_args& args, std::string_view flag)
{
    auto v = args.value(flag);
    if (!v || v->empty()) throw usage_error("--" + std::string(flag) + " is required");
    return *v;
}

long long number(std::string_view text, std::string_view what, long long min, long long max)
{
    long long n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc() && end == text.data() + text.size() && n >= min && n <= max) return n;
    const std::string range = max == LLONG_MAX ? "of at least " + std::to_string(min)
                                               : "from " + std::to_string(min) + " to " + std::to_string(max);
    throw usage_error(std::string(what) + " must be a whole number " + range + ", not \"" + std::string(text) + "\"");
}

long long number_flag(const parsed_args& args, std::string_view name, long long fallback, long long min,
                      long long max)
{
    const auto v = args.value(name);
    return v ? number(*v, "--" + std::string(name), min, max) : fallback;
}

void seconds_flag(const parsed_args& args, std::string_view name, std::chrono::milliseconds& value,
                  long long max_seconds)
{
    if (const auto v = args.value(name)) value = std::chrono::seconds(number(*v, "--" + std::string(name), 1, max_seconds));
}

database_url database_of(const parsed_args& args)
{
    const auto flag = args.value("database");
    return parse_database_url(database_url_from(flag ? &*flag : nullptr));
}

std::filesystem::path plugin_dir_of(const parsed_args& args)
{
    if (auto v = args.value("plugin-dir"); v && !v->empty()) return *v;
    if (const char* env = std::getenv("RECOUP_PLUGIN_DIR"); env != nullptr && *env != '\0') return env;
    const std::filesystem::path bundled = RECOUPD_BUNDLED_PLUGIN_DIR;
    if (!bundled.empty() && std::filesystem::is_directory(bundled)) return bundled;
    return RECOUPD_INSTALLED_PLUGIN_DIR;
}

std::optional<plugins> load_plugins(const parsed_args& args, context& ctx)
{
    const auto dir = plugin_dir_of(args);
    auto loaded = plugins::load_dir(dir);
    if (!loaded) {
        const auto& f = loaded.error();
        print_error(ctx.err, f.field.empty() ? f.what() : f.field + ": " + f.detail);
        return std::nullopt;
    }
    if (loaded->connector_names().empty()) {
        print_error(ctx.err, "no connector plugin (recoup_*.so) in \"" + dir.string() + "\"");
        return std::nullopt;
    }
    return std::move(*loaded);
}

} // namespace recoupd::cli
