#include "cli/demo_commands.hpp"

#include "cli/flags.hpp"
#include "store/soci_store.hpp"

#include <recoup/signature.hpp>

#include <fstream>
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
};

} // namespace

const args_spec sign_args{
    .positionals = "stripe|recurly|chargebee",
    .min_positionals = 1,
    .max_positionals = 1,
    .flags = sign_flags,
    .description = "Prints the signature header value that makes the body of FILE verify under SECRET:\n"
                   "Stripe-Signature (stripe), recurly-signature (recurly) or Authorization (chargebee).\n"
                   "For the demo and tests.",
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
    const auto& connector = args.positionals().front();
    if (connector == "stripe") ctx.out << recoup::sign_stripe(body.str(), secret, now) << "\n";
    else if (connector == "recurly") ctx.out << recoup::sign_recurly(body.str(), secret, now) << "\n";
    else if (connector == "chargebee") {
        const auto colon = secret.find(':');
        if (colon == std::string::npos) throw usage_error("chargebee: --secret must be user:password");
        ctx.out << recoup::basic_auth_value(secret.substr(0, colon), secret.substr(colon + 1)) << "\n";
    } else {
        throw usage_error("unknown connector \"" + connector + "\": expected stripe, recurly or chargebee");
    }
    return exit_ok;
}

const args_spec demo_info_args{
    .flags = demo_info_flags,
    .description = "Prints, for each merchant connector account of the profile, one line\n"
                   "\"<mca id> <connector> <webhook path> <secret>...\". It prints SECRETS: it exists for\n"
                   "the local demo (./dev run), where they are the operator's own.",
};

int demo_info(const parsed_args& args, context& ctx)
{
    const auto profile = required(args, "profile");
    soci_store store(database_of(args), 1);
    store.require_master_key();
    const auto now = recoup::to_unix_seconds(recoup::system_clock{}.now());
    for (const auto& summary : store.list_mcas(profile)) {
        auto mca = store.find_mca(profile, summary.id, now);
        if (!mca) continue;
        ctx.out << mca->id << " " << mca->connector << " /v2/webhooks/revenue_recovery/" << profile << "/" << mca->id;
        for (const auto& secret : mca->secrets) ctx.out << " " << secret;
        ctx.out << "\n";
    }
    return exit_ok;
}

} // namespace recoupd::cli
