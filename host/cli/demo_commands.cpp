#include "cli/demo_commands.hpp"

#include "cli/flags.hpp"
#include "conformance/signing.hpp"
#include "settings.hpp"
#include "store/soci_store.hpp"

#include <recoup/signature.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <vector>
#include <sstream>

namespace recoupd::cli {

namespace {

const flag_spec demo_info_flags[] = {
    {"profile", "ID", "the profile whose MCAs to show"},
    database_flag,
};

const flag_spec sign_flags[] = {
    {"secret", "SECRET", "the webhook secret (chargebee: user:password)"},
    {"body-file", "FILE", "the exact body to sign"},
    {"at", "UNIX_SECONDS", "the signing time (default: now)"},
    {"id", "ID", "the message id, for schemes that sign one (standard-webhooks: webhook-id)"},
    {"headers", "", "print every header as \"Name: value\", even when there is only one"},
    {"signature-header", "NAME", "hmac: the header holding the signatures"},
    {"separator", "CHAR", "hmac: between the elements of that header (default ,)"},
    {"key-separator", "CHAR", "hmac: between an element's key and value (default =)"},
    {"timestamp-key", "KEY", "hmac: the timestamp element's key (default t; empty: unkeyed)"},
    {"signature-key", "KEY", "hmac: the signature elements' key (default v1; empty: unkeyed)"},
    {"timestamp-header", "NAME", "hmac: the timestamp in its own header"},
    {"id-header", "NAME", "hmac: the message id's header"},
    {"payload", "FORMAT", "hmac: the signed text (default {timestamp}.{body}; also {id})"},
    {"encoding", "hex|base64", "hmac: the signature's encoding (default hex)"},
    {"unit", "s|ms", "hmac: the timestamp's unit (default s)"},
    {"secret-encoding", "raw|base64", "hmac: base64: the key is the decoded secret (default raw)"},
    {"secret-prefix", "PREFIX", "hmac: stripped from a base64 secret before decoding (whsec_)"},
};

// The generic scheme's flags, as the setting names signing::scheme takes.
std::map<std::string, std::string, std::less<>> overrides_of(const parsed_args& args)
{
    std::map<std::string, std::string, std::less<>> out;
    for (const auto& f : sign_flags) {
        if (!f.help.starts_with("hmac:")) continue;
        if (auto v = args.value(f.name)) {
            std::string key(f.name);
            std::replace(key.begin(), key.end(), '-', '_');
            out[key] = *v;
        }
    }
    return out;
}

// The demo's mark: {"recoup_demo": true} in the MCA's settings.
bool is_demo_mca(const std::string& settings)
{
    const auto parsed = settings_of(settings);
    const auto* mark = parsed.if_contains(demo_marker_setting);
    return mark != nullptr && mark->is_bool() && mark->get_bool();
}

} // namespace

const args_spec sign_args{
    .positionals = "stripe|recurly|standard-webhooks|paddle|chargebee|hmac",
    .min_positionals = 1,
    .max_positionals = 1,
    .flags = sign_flags,
    .description = "Prints the signature header value that makes the body of FILE verify under SECRET:\n"
                   "Stripe-Signature (stripe), recurly-signature (recurly), Paddle-Signature (paddle)\n"
                   "or Authorization (chargebee). Schemes that send several headers (standard-webhooks:\n"
                   "webhook-id, webhook-timestamp, webhook-signature) print one \"Name: value\" line\n"
                   "each. \"hmac\" is the generic HMAC-SHA256 scheme described by the hmac: flags, which\n"
                   "also override any built-in scheme's settings. For tests and conformance cases.",
};

int sign(const parsed_args& args, context& ctx)
{
    const auto secret = required(args, "secret");
    const auto file = required(args, "body-file");
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        print_error(ctx.err, "cannot read \"" + file + "\"");
        return exit_failure;
    }
    std::ostringstream body;
    body << in.rdbuf();
    const auto now = args.has("at") ? recoup::from_unix_seconds(number_flag(args, "at", 0, 0, 1LL << 40))
                                    : recoup::system_clock{}.now();
    const auto id = args.value("id").value_or("");
    std::vector<recoup::signed_header> headers;
    try {
        const auto scheme = signing::scheme::make(args.positionals().front(), overrides_of(args));
        if (scheme.needs_id() && id.empty()) throw usage_error("--id is required: the scheme signs a message id");
        headers = scheme.sign(body.str(), secret, now, id);
    } catch (const std::invalid_argument& e) {
        throw usage_error(e.what()); // a bad scheme, setting or secret is the caller's to fix
    }
    for (const auto& h : headers) {
        if (headers.size() == 1 && !args.has("headers")) ctx.out << h.value << "\n";
        else ctx.out << h.name << ": " << h.value << "\n";
    }
    return exit_ok;
}

const args_spec demo_info_args{
    .flags = demo_info_flags,
    .description = "Prints, for each merchant connector account of the profile, one line\n"
                   "\"<mca id> <connector> <webhook path> <secret>...\". It prints SECRETS: it exists for\n"
                   "the local demo (./dev run), where they are the operator's own, and refuses (exit 1,\n"
                   "nothing printed) unless every MCA of the profile is one the demo created (setting\n"
                   "recoup_demo: true).",
};

int demo_info(const parsed_args& args, context& ctx)
{
    const auto profile = required(args, "profile");
    soci_store store(database_of(args), 1);
    store.require_master_key();
    const auto summaries = store.list_mcas(profile);
    // Every MCA checked before any secret is printed.
    const auto refuse = [&](const std::string& why) {
        print_error(ctx.err, "demo-info prints secrets, so it runs only on the database ./dev run created: " + why);
        return exit_failure;
    };
    if (summaries.empty()) return refuse("profile \"" + profile + "\" has no MCA");
    for (const auto& summary : summaries)
        if (!is_demo_mca(summary.settings))
            return refuse("MCA \"" + summary.id + "\" of profile \"" + profile + "\" was not created by the demo");
    const auto now = recoup::to_unix_seconds(recoup::system_clock{}.now());
    for (const auto& summary : summaries) {
        auto mca = store.find_mca(profile, summary.id, now);
        if (!mca) continue;
        ctx.out << mca->id << " " << mca->connector << " /v2/webhooks/revenue_recovery/" << profile << "/" << mca->id;
        for (const auto& secret : mca->secrets) ctx.out << " " << secret;
        ctx.out << "\n";
    }
    return exit_ok;
}

} // namespace recoupd::cli
