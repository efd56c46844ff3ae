#include "cli/secret_input.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <ostream>

namespace recoupd::cli {

namespace {

// Far above any real secret or key; a larger file is a mistake (the wrong path).
constexpr std::size_t max_secret_bytes = 64 * 1024;

std::string flag_name(const flag_spec& f) { return "--" + std::string(f.name); }

std::string bounded_read(std::istream& in, std::string_view source)
{
    std::string out;
    char buf[4096];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        out.append(buf, static_cast<std::size_t>(in.gcount()));
        if (out.size() > max_secret_bytes)
            throw usage_error(std::string(source) + " is larger than " + std::to_string(max_secret_bytes) +
                              " bytes: not a secret");
    }
    return out;
}

std::string from_file(const flag_spec& flag, const std::string& path)
{
    const auto source = flag_name(flag) + " \"" + path + "\"";
    std::ifstream file(path, std::ios::binary);
    if (!file) throw usage_error("cannot read " + source + ": " + std::strerror(errno));
    return checked_secret(bounded_read(file, source), source);
}

std::string from_env(const flag_spec& flag, const std::string& name)
{
    const auto source = flag_name(flag) + " " + name;
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) throw usage_error(source + ": environment variable " + name + " is not set");
    return checked_secret(value, source);
}

} // namespace

std::string checked_secret(std::string value, std::string_view source)
{
    if (!value.empty() && value.back() == '\n') {
        value.pop_back();
        if (!value.empty() && value.back() == '\r') value.pop_back();
    }
    if (value.empty()) throw usage_error(std::string(source) + " is empty: a secret cannot be empty");
    if (value.find_first_of("\r\n") != std::string::npos)
        throw usage_error(std::string(source) + " holds more than one line: give one secret per file or variable");
    return value;
}

std::vector<std::string> read_secrets(const parsed_args& args, const secret_flags& flags, std::ostream& err,
                                      std::istream& in, bool& stdin_taken)
{
    std::vector<std::string> out;
    const auto on_argv = args.values(flags.argv.name);
    if (!on_argv.empty())
        err << "recoupd: warning: " << flag_name(flags.argv)
            << " puts the value on the command line, where other users of this machine can read it (ps, "
               "/proc); use "
            << flag_name(flags.file) << ", " << flag_name(flags.stdin_flag) << " or " << flag_name(flags.env)
            << "\n";
    for (const auto& v : on_argv) out.push_back(checked_secret(v, flag_name(flags.argv)));
    for (const auto& path : args.values(flags.file.name)) out.push_back(from_file(flags.file, path));
    for (const auto& name : args.values(flags.env.name)) out.push_back(from_env(flags.env, name));
    if (args.has(flags.stdin_flag.name)) {
        if (stdin_taken) throw usage_error(flag_name(flags.stdin_flag) + ": standard input is already read for another flag");
        stdin_taken = true;
        const auto source = flag_name(flags.stdin_flag);
        out.push_back(checked_secret(bounded_read(in, source), source));
    }
    return out;
}

std::optional<std::string> read_one_secret(const parsed_args& args, const secret_flags& flags, std::ostream& err,
                                           std::istream& in, bool& stdin_taken)
{
    const int given = static_cast<int>(args.values(flags.argv.name).size() + args.values(flags.file.name).size() +
                                       args.values(flags.env.name).size() + (args.has(flags.stdin_flag.name) ? 1 : 0));
    if (given > 1)
        throw usage_error("give one of " + flag_name(flags.argv) + ", " + flag_name(flags.file) + ", " +
                          flag_name(flags.stdin_flag) + " or " + flag_name(flags.env) + ", once");
    auto values = read_secrets(args, flags, err, in, stdin_taken);
    if (values.empty()) return std::nullopt;
    return std::move(values.front());
}

} // namespace recoupd::cli
