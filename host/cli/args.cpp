#include "cli/args.hpp"

#include <algorithm>

namespace recoupd::cli {

namespace {

const flag_spec* find_flag(const args_spec& spec, std::string_view name)
{
    auto it = std::find_if(spec.flags.begin(), spec.flags.end(),
                           [&](const flag_spec& f) { return f.name == name; });
    return it == spec.flags.end() ? nullptr : &*it;
}

std::string quoted(std::string_view s)
{
    return "\"" + std::string(s) + "\"";
}

std::string positional_count_error(const args_spec& spec, const std::vector<std::string>& given)
{
    const std::string expected =
        spec.positionals.empty() ? std::string("no arguments") : std::string(spec.positionals);
    if (given.size() < spec.min_positionals) return "missing arguments: expected " + expected;
    return "unexpected argument " + quoted(given[spec.max_positionals]) + ": expected " + expected;
}

} // namespace

std::string padded(std::string left, std::size_t width)
{
    if (left.size() < width) left.resize(width, ' ');
    else left += "  ";
    return left;
}

bool parsed_args::has(std::string_view flag) const noexcept
{
    return std::any_of(flags_.begin(), flags_.end(), [&](const auto& f) { return f.first == flag; });
}

std::optional<std::string> parsed_args::value(std::string_view flag) const
{
    for (auto it = flags_.rbegin(); it != flags_.rend(); ++it)
        if (it->first == flag) return it->second;
    return std::nullopt;
}

std::vector<std::string> parsed_args::values(std::string_view flag) const
{
    std::vector<std::string> out;
    for (const auto& [name, value] : flags_)
        if (name == flag) out.push_back(value);
    return out;
}

parsed_args parse_args(std::span<const std::string> args, const args_spec& spec)
{
    parsed_args out;
    bool only_positionals = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (only_positionals || arg == "-" || !arg.starts_with("-")) {
            out.positionals_.push_back(arg);
            continue;
        }
        if (arg == "--") {
            only_positionals = true;
            continue;
        }
        if (arg == "-h" || arg == "--help") {
            out.help_ = true;
            continue;
        }
        if (!arg.starts_with("--")) throw usage_error("unknown flag " + quoted(arg));

        const auto eq = arg.find('=');
        const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
        const flag_spec* flag = find_flag(spec, name);
        if (flag == nullptr) throw usage_error("unknown flag " + quoted("--" + name));
        if (!flag->repeatable && out.has(name))
            throw usage_error("flag " + quoted("--" + name) + " given more than once");

        if (flag->value_name.empty()) {
            if (eq != std::string::npos) throw usage_error("flag " + quoted("--" + name) + " takes no value");
            out.flags_.emplace_back(name, "");
        } else if (eq != std::string::npos) {
            out.flags_.emplace_back(name, arg.substr(eq + 1));
        } else {
            if (i + 1 >= args.size())
                throw usage_error("flag " + quoted("--" + name) + " needs a value (" +
                                  std::string(flag->value_name) + ")");
            out.flags_.emplace_back(name, args[++i]);
        }
    }
    if (out.help_) return out;
    const auto n = out.positionals_.size();
    if (n < spec.min_positionals || n > spec.max_positionals)
        throw usage_error(positional_count_error(spec, out.positionals_));
    return out;
}

std::string help_text(std::string_view program, std::string_view command, const args_spec& spec)
{
    std::string out = "usage: " + std::string(program) + " " + std::string(command);
    if (!spec.flags.empty()) out += " [flags]";
    if (!spec.positionals.empty()) out += " " + std::string(spec.positionals);
    out += "\n";
    if (!spec.description.empty()) out += "\n" + std::string(spec.description) + "\n";
    out += "\nflags:\n";
    for (const auto& f : spec.flags) {
        std::string left = "  --" + std::string(f.name);
        if (!f.value_name.empty()) left += " " + std::string(f.value_name);
        out += padded(std::move(left)) + std::string(f.help) + (f.repeatable ? " (repeatable)" : "") + "\n";
    }
    out += padded("  -h, --help") + "show this help\n";
    return out;
}

} // namespace recoupd::cli
