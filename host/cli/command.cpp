#include "cli/command.hpp"

#include <recoup/detail/config.hpp>

#include <algorithm>
#include <exception>
#include <ostream>
#include <string>
#include <vector>

namespace recoupd::cli {

namespace {

constexpr std::string_view program = "recoupd";

std::vector<std::string_view> words_of(std::string_view name)
{
    std::vector<std::string_view> out;
    while (!name.empty()) {
        const auto space = name.find(' ');
        out.push_back(name.substr(0, space));
        name = space == std::string_view::npos ? std::string_view() : name.substr(space + 1);
    }
    return out;
}

// How many leading words of `args` the command's name takes, or 0 when it is another command.
std::size_t match(const command& c, std::span<const std::string> args)
{
    const auto words = words_of(c.name);
    if (words.size() > args.size()) return 0;
    for (std::size_t i = 0; i < words.size(); ++i)
        if (words[i] != args[i]) return 0;
    return words.size();
}

// Commands whose name starts with these words ("plugin" -> plugin inspect, plugin check).
std::vector<const command*> group(std::span<const command> commands, std::span<const std::string> prefix)
{
    std::vector<const command*> out;
    for (const auto& c : commands) {
        const auto words = words_of(c.name);
        if (words.size() <= prefix.size()) continue;
        if (std::equal(prefix.begin(), prefix.end(), words.begin())) out.push_back(&c);
    }
    return out;
}

std::string joined(std::span<const std::string> words)
{
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
}

void print_listing(std::ostream& out, const std::vector<const command*>& listed)
{
    for (const auto* c : listed)
        out << padded("  " + std::string(c->name)) << c->summary << "\n";
}

void print_overview(std::ostream& out, std::span<const command> commands)
{
    out << "usage: " << program << " <command> [arguments]\n\n"
        << "recoupd receives billing platforms' webhooks, verifies and normalizes them.\n\n"
        << "commands:\n";
    std::vector<const command*> all;
    for (const auto& c : commands) all.push_back(&c);
    print_listing(out, all);
    out << "\n" << padded("  -h, --help") << "show this help\n"
        << padded("  --version") << "print the version\n"
        << "\nRun \"" << program << " <command> --help\" for a command's arguments.\n";
}

int usage(context& ctx, const std::string& message, const std::string& help_hint)
{
    print_error(ctx.err, message + " (try \"" + std::string(program) + " " + help_hint + "--help\")");
    return exit_usage;
}

// `recoupd plugin` alone, `recoupd plugin --help` or `recoupd plugin nonsense`.
int dispatch_group(std::span<const std::string> args, std::size_t depth,
                   const std::vector<const command*>& members, context& ctx)
{
    const auto prefix = joined(args.first(depth));
    const bool help = args.size() > depth && (args[depth] == "--help" || args[depth] == "-h");
    if (help) {
        ctx.out << "usage: " << program << " " << prefix << " <command> [arguments]\n\ncommands:\n";
        print_listing(ctx.out, members);
        return exit_ok;
    }
    if (args.size() == depth) return usage(ctx, "missing command after \"" + prefix + "\"", prefix + " ");
    return usage(ctx, "unknown command \"" + joined(args.first(depth + 1)) + "\"", prefix + " ");
}

} // namespace

void print_error(std::ostream& err, std::string_view message)
{
    err << program << ": error: " << message;
    if (message.empty() || message.back() != '\n') err << "\n";
    err.flush();
}

int run(std::span<const command> commands, int argc, const char* const* argv, context& ctx)
{
    const std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
    if (args.empty()) {
        print_overview(ctx.err, commands);
        return exit_usage;
    }
    if (args[0] == "--help" || args[0] == "-h") {
        print_overview(ctx.out, commands);
        return exit_ok;
    }
    if (args[0] == "--version") {
        ctx.out << program << " " << RECOUP_VERSION_STRING << "\n";
        return exit_ok;
    }

    const command* chosen = nullptr;
    std::size_t taken = 0;
    for (const auto& c : commands) {
        const auto n = match(c, args);
        if (n > taken) chosen = &c, taken = n;
    }
    if (chosen == nullptr) {
        // The longest prefix of the arguments that names a group of commands.
        for (std::size_t depth = args.size(); depth > 0; --depth)
            if (auto members = group(commands, std::span(args).first(depth)); !members.empty())
                return dispatch_group(args, depth, members, ctx);
        return usage(ctx, "unknown command \"" + args[0] + "\"", "");
    }

    const std::string name(chosen->name);
    try {
        const auto parsed = parse_args(std::span(args).subspan(taken), *chosen->args);
        if (parsed.help()) {
            ctx.out << help_text(program, name, *chosen->args);
            return exit_ok;
        }
        return chosen->run(parsed, ctx);
    } catch (const usage_error& e) {
        return usage(ctx, name + ": " + e.what(), name + " ");
    } catch (const std::exception& e) {
        print_error(ctx.err, name + ": " + e.what());
        return exit_failure;
    }
}

} // namespace recoupd::cli
