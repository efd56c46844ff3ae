#include "cli/plugin_commands.hpp"

#include "conformance/conformance.hpp"

#include <recoup/plugin/loader.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <ostream>

namespace recoupd::cli {

namespace {

namespace json = boost::json;

json::object describe(const recoup::plugin::plugin_info& info)
{
    json::object o;
    o["name"] = info.name;
    o["version"] = info.version;
    o["abi"] = json::object{{"major", info.abi_major}, {"minor", info.abi_minor}};
    o["kind"] = recoup::plugin::kind_name(info.kind);
    o["capabilities"] = json::object{{"sync", info.can_sync()}, {"record_back", info.can_record_back()}};
    o["path"] = info.path;
    return o;
}

} // namespace

const args_spec plugin_inspect_args{
    .positionals = "PLUGIN.so",
    .min_positionals = 1,
    .max_positionals = 1,
    .flags = {},
    .description = "Loads a plugin the way the host does and prints its descriptor as one JSON line:\n"
                   "name, version, ABI version, kind and capabilities. A plugin that cannot be\n"
                   "loaded is reported with the loader's reason (exit status 1).",
};

int plugin_inspect(const parsed_args& args, context& ctx)
{
    auto lib = recoup::plugin::load_library(args.positionals().front());
    if (!lib) {
        print_error(ctx.err, lib.error().detail);
        return exit_failure;
    }
    ctx.out << json::serialize(describe((*lib)->info())) << "\n";
    return exit_ok;
}

const args_spec plugin_check_args{
    .positionals = "PLUGIN.so CASE_DIR...",
    .min_positionals = 2,
    .max_positionals = unlimited,
    .flags = {},
    .description =
        "Runs conformance cases against a billing-connector plugin. Each CASE_DIR holds\n"
        "request.json (method, path, headers, body_file, secrets, api_key, settings, now,\n"
        "sync_responses, sign) and expected.json (any subset of verified, event_type, event_id,\n"
        "object_reference_id, invoice, attempt, sync_requests, api_response, error).\n"
        "The webhook is verified at \"now\" (unix seconds; default: the current time),\n"
        "then normalized; sync requests are answered from \"sync_responses\" by\n"
        "\"<METHOD> <path>\" (at most 4 rounds). Body files are read byte-exact.\n"
        "\"sign\": {\"scheme\": \"paddle\"} adds the headers that sign the body with the\n"
        "case's first secret at \"now\" (see `recoupd sign --help` for schemes and settings).\n"
        "\n"
        "Prints one line per case, \"PASS <case>\" or \"FAIL <case>: <path>: expected <x>,\n"
        "got <y>\", then \"N passed, N failed\". Exit status 1 when a case fails or the\n"
        "plugin cannot be loaded.",
};

int plugin_check(const parsed_args& args, context& ctx)
{
    const auto& positionals = args.positionals();
    auto connector = recoup::plugin::load_connector(positionals.front());
    if (!connector) {
        print_error(ctx.err, connector.error().detail);
        return exit_failure;
    }
    int passed = 0, failed = 0;
    for (std::size_t i = 1; i < positionals.size(); ++i) {
        const auto v = conformance::run_case(*connector, positionals[i]);
        (v.passed ? passed : failed) += 1;
        ctx.out << conformance::format_line(positionals[i], v) << "\n" << std::flush;
    }
    ctx.out << passed << " passed, " << failed << " failed\n";
    return failed == 0 ? exit_ok : exit_failure;
}

} // namespace recoupd::cli
