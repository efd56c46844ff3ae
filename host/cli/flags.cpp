#include "cli/flags.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <string>

// Set by the build: the plugins of this build tree, the folder recoupd is built in, and where
// `meson install` puts the plugins.
#ifndef RECOUPD_BUNDLED_PLUGIN_DIR
#define RECOUPD_BUNDLED_PLUGIN_DIR ""
#endif
#ifndef RECOUPD_BUILD_DIR
#define RECOUPD_BUILD_DIR ""
#endif
#ifndef RECOUPD_RELATIVE_PLUGIN_DIR
#define RECOUPD_RELATIVE_PLUGIN_DIR "../lib/recoup/plugins"
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

std::filesystem::path bundled_plugin_dir()
{
    // An installed recoupd must not pick up a build tree that still exists beside it.
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    const std::filesystem::path build = RECOUPD_BUILD_DIR, bundled = RECOUPD_BUNDLED_PLUGIN_DIR;
    if (!ec && !build.empty() && !bundled.empty() && std::filesystem::equivalent(exe.parent_path(), build, ec) &&
        std::filesystem::is_directory(bundled, ec))
        return bundled;
    // Beside an installed recoupd first, so a staged or moved install finds its own plugins.
    if (!ec) {
        const auto beside = exe.parent_path() / RECOUPD_RELATIVE_PLUGIN_DIR;
        if (std::filesystem::is_directory(beside, ec)) return beside.lexically_normal();
    }
    return RECOUPD_INSTALLED_PLUGIN_DIR;
}

std::vector<std::filesystem::path> plugin_path_of(const parsed_args& args)
{
    std::vector<std::filesystem::path> dirs;
    for (const auto& v : args.values("plugin-dir"))
        if (!v.empty()) dirs.emplace_back(v);
    if (const char* path = std::getenv("RECOUP_PLUGIN_PATH"); path != nullptr) {
        std::string_view rest = path;
        while (!rest.empty()) {
            const auto colon = rest.find(':');
            if (colon != 0) dirs.emplace_back(std::string(rest.substr(0, colon)));
            rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
        }
    }
    const char* legacy = std::getenv("RECOUP_PLUGIN_DIR");
    if (dirs.empty() && legacy != nullptr && *legacy != '\0') dirs.emplace_back(legacy);
    else if (!args.has("no-bundled-plugins")) dirs.push_back(bundled_plugin_dir());
    // Once each: the bundled directory given again by hand is not a second copy of every plugin.
    std::vector<std::filesystem::path> out;
    for (const auto& d : dirs) {
        std::error_code ec;
        const auto canonical = std::filesystem::weakly_canonical(d, ec);
        const auto& key = ec ? d : canonical;
        if (std::none_of(out.begin(), out.end(), [&](const auto& o) { return o == key; })) out.push_back(key);
    }
    return out;
}

std::optional<plugins> load_plugins(const parsed_args& args, context& ctx)
{
    const auto dirs = plugin_path_of(args);
    auto loaded = plugins::load_path(dirs);
    if (!loaded) {
        const auto& f = loaded.error();
        print_error(ctx.err, f.field.empty() ? f.what() : f.field + ": " + f.detail);
        return std::nullopt;
    }
    if (loaded->connector_names().empty()) {
        std::string where;
        for (const auto& d : dirs) where += (where.empty() ? "\"" : ", \"") + d.string() + "\"";
        print_error(ctx.err, "no connector plugin (recoup_*.so) in " + where);
        return std::nullopt;
    }
    return std::move(*loaded);
}

} // namespace recoupd::cli
