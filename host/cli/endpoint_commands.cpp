#include "cli/endpoint_commands.hpp"

#include "cli/flags.hpp"
#include "cli/secret_input.hpp"
#include "cli/with_store.hpp"
#include "mca_checks.hpp"
#include "store/soci_store.hpp"

#include <recoup/crypto.hpp>
#include <recoup/merchant_delivery.hpp>

#include <openssl/rand.h>

#include <ctime>
#include <iostream>
#include <stdexcept>

namespace recoupd::cli {

namespace {

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string random_text(std::size_t n)
{
    std::string bytes(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return bytes;
}

// The URL an endpoint may have: the MCA base_url rules (http:// or https://, never a link-local or
// metadata address), and no fragment or white space.
std::optional<std::string> endpoint_url_problem(const std::string& url)
{
    if (url.find_first_of("# \t\r\n") != std::string::npos) return "it holds a fragment or white space";
    return mca_checks::base_url_problem(url, false);
}

// The commands on one ID (disable, enable, resend): `action` does the work on the store and answers
// the line to print, or nullopt when there is no `what` of that ID (an error naming it, exit 1).
template <class Action>
int with_one_id(const parsed_args& args, context& ctx, std::string_view what, Action action)
{
    const auto& id = args.positionals()[0];
    return with_store(args, ctx, [&](soci_store& store) {
        const std::optional<std::string> answer = action(store, id);
        if (!answer) {
            print_error(ctx.err, "unknown " + std::string(what) + " \"" + id + "\"");
            return exit_failure;
        }
        ctx.out << *answer << "\n";
        return exit_ok;
    });
}

constexpr secret_flags endpoint_secret_flags{
    {"secret", "S", "the whsec_ secret, on the command line (visible to other users: prefer the forms below)"},
    {"secret-file", "FILE", "the whsec_ secret: the whole file, one trailing newline dropped"},
    {"secret-stdin", "", "the whsec_ secret: all of standard input, one trailing newline dropped"},
    {"secret-env", "NAME", "the whsec_ secret: the value of environment variable NAME"},
};

const flag_spec endpoint_add_flags[] = {
    {"profile", "ID", "the profile whose recovery events the endpoint receives"},
    {"url", "URL", "where to POST them: http:// or https://, not a link-local or metadata address"},
    {"id", "ID", "the endpoint id (default: ep_ and random hex)"},
    endpoint_secret_flags.argv,
    endpoint_secret_flags.file,
    endpoint_secret_flags.stdin_flag,
    endpoint_secret_flags.env,
    database_flag,
};
const flag_spec endpoint_list_flags[] = {{"profile", "ID", "only this profile's endpoints"}, database_flag};
const flag_spec endpoint_disable_flags[] = {{"reason", "TEXT", "why (shown by endpoint list)"}, database_flag};
const flag_spec endpoint_enable_flags[] = {database_flag};
const flag_spec endpoint_resend_flags[] = {
    {"failed", "", "ID is an endpoint: queue every failed webhook of it again"},
    database_flag,
};

} // namespace

const args_spec endpoint_add_args{
    .flags = endpoint_add_flags,
    .description = "Adds an endpoint that receives the profile's recovery events, signed the Standard Webhooks way\n"
                   "(docs/merchant-webhooks.md). Without a secret, one is generated (whsec_ and the base64 of 32\n"
                   "random bytes) and printed here, once: it is kept sealed and never shown again.",
};

int endpoint_add(const parsed_args& args, context& ctx)
{
    endpoint_record e;
    e.profile_id = required(args, "profile");
    e.url = required(args, "url");
    if (auto problem = endpoint_url_problem(e.url)) throw usage_error("--url \"" + e.url + "\" is refused: " + *problem);
    e.id = args.value("id").value_or("ep_" + recoup::hex_encode(std::span(
                                                  reinterpret_cast<const unsigned char*>(random_text(12).data()), 12)));
    bool stdin_taken = false;
    auto secret = read_one_secret(args, endpoint_secret_flags, ctx.err, std::cin, stdin_taken);
    if (secret && !recoup::endpoint_secret_key(*secret))
        throw usage_error("the secret must be whsec_ followed by base64 (Standard Webhooks)");
    const bool generated = !secret;
    if (generated) secret = recoup::endpoint_secret_from(random_text(32));
    e.created_at = unix_now();
    return with_store(args, ctx, [&](soci_store& store) {
        if (!store.find_profile(e.profile_id)) throw usage_error("unknown profile \"" + e.profile_id + "\"");
        store.add_endpoint(e, *secret);
        ctx.out << "added endpoint " << e.id << " for profile " << e.profile_id << ": " << e.url << "\n";
        if (generated) ctx.out << "secret " << *secret << " (shown once: keep it now)\n";
        return exit_ok;
    });
}

const args_spec endpoint_list_args{
    .flags = endpoint_list_flags,
    .description = "Lists merchant endpoints: id, profile, status, consecutive failures, URL, and why a disabled\n"
                   "one was disabled. Never their secrets.",
};

int endpoint_list(const parsed_args& args, context& ctx)
{
    return with_store(args, ctx, [&](soci_store& store) {
        const auto endpoints = store.list_endpoints(args.value("profile"));
        if (endpoints.empty()) ctx.out << "no endpoints\n";
        for (const auto& e : endpoints) {
            ctx.out << e.id << "  profile=" << e.profile_id << "  status=" << e.status
                    << "  failures=" << e.consecutive_failures << "  url=" << e.url;
            if (e.disabled_reason) ctx.out << "  reason=\"" << *e.disabled_reason << "\"";
            ctx.out << "\n";
        }
        return exit_ok;
    });
}

const args_spec endpoint_disable_args{
    .positionals = "ID",
    .min_positionals = 1,
    .max_positionals = 1,
    .flags = endpoint_disable_flags,
    .description = "Disables an endpoint: nothing is sent to it until it is enabled again; its webhooks wait.",
};

int endpoint_disable(const parsed_args& args, context& ctx)
{
    return with_one_id(args, ctx, "endpoint", [&](soci_store& store, const std::string& id) -> std::optional<std::string> {
        if (!store.set_endpoint_status(id, false, args.value("reason").value_or("disabled by an operator"), unix_now()))
            return std::nullopt;
        return "disabled endpoint " + id;
    });
}

const args_spec endpoint_enable_args{
    .positionals = "ID",
    .min_positionals = 1,
    .max_positionals = 1,
    .flags = endpoint_enable_flags,
    .description = "Enables an endpoint again (its failure count starts from zero); its pending webhooks go out\n"
                   "with the next scheduler pass. Failed ones stay failed: see endpoint resend --failed.",
};

int endpoint_enable(const parsed_args& args, context& ctx)
{
    return with_one_id(args, ctx, "endpoint", [&](soci_store& store, const std::string& id) -> std::optional<std::string> {
        if (!store.set_endpoint_status(id, true, std::nullopt, unix_now())) return std::nullopt;
        return "enabled endpoint " + id;
    });
}

const args_spec endpoint_resend_args{
    .positionals = "ID",
    .min_positionals = 1,
    .max_positionals = 1,
    .flags = endpoint_resend_flags,
    .description = "Queues an outgoing webhook again, by its webhook-id (msg_...), due now with a fresh three-day\n"
                   "retry window and the same webhook-id; with --failed, ID is an endpoint and every failed\n"
                   "webhook of it is queued again.",
};

int endpoint_resend(const parsed_args& args, context& ctx)
{
    if (args.has("failed"))
        return with_one_id(args, ctx, "endpoint", [&](soci_store& store, const std::string& id) -> std::optional<std::string> {
            if (!store.find_endpoint(id)) return std::nullopt;
            const auto n = store.resend_failed(id, unix_now());
            return "queued " + std::to_string(n) + " failed " + (n == 1 ? "webhook" : "webhooks") + " of " + id + " again";
        });
    return with_one_id(args, ctx, "outgoing webhook", [&](soci_store& store, const std::string& id) -> std::optional<std::string> {
        if (!store.resend_outgoing(id, unix_now())) return std::nullopt;
        return "queued " + id + " again";
    });
}

} // namespace recoupd::cli
