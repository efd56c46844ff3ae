// recoupd, the reference host: one table of commands, each with its own arguments and --help.
// New commands go into the table.
#include "cli/command.hpp"
#include "cli/demo_commands.hpp"
#include "cli/endpoint_commands.hpp"
#include "cli/plugin_commands.hpp"
#include "cli/scheduler_command.hpp"
#include "cli/serve_command.hpp"
#include "cli/simulate_command.hpp"
#include "cli/storage_commands.hpp"

#include <iostream>

namespace {

using recoupd::cli::command;

const command commands[] = {
    {"migrate", "apply, revert or list the database migrations (up | down N | status)",
     &recoupd::cli::migrate_args, &recoupd::cli::migrate},
    {"profile add", "create a business profile", &recoupd::cli::profile_add_args, &recoupd::cli::profile_add},
    {"profile update", "change a business profile's retry algorithm, schedule or network rules",
     &recoupd::cli::profile_update_args, &recoupd::cli::profile_update},
    {"mca add", "add a merchant connector account (connector, secrets, settings) to a profile",
     &recoupd::cli::mca_add_args, &recoupd::cli::mca_add},
    {"mca list", "list merchant connector accounts (never their secrets)", &recoupd::cli::mca_list_args,
     &recoupd::cli::mca_list},
    {"mca rotate-secret", "replace an MCA's webhook secret, optionally keeping the old one for 24 h",
     &recoupd::cli::mca_rotate_secret_args, &recoupd::cli::mca_rotate_secret},
    {"events list", "list received webhooks from the event log, newest first", &recoupd::cli::events_list_args,
     &recoupd::cli::events_list},
    {"events replay", "print a stored webhook event with its raw body", &recoupd::cli::events_replay_args,
     &recoupd::cli::events_replay},
    {"endpoint add", "add a merchant endpoint for a profile's outgoing webhooks (prints a generated secret once)",
     &recoupd::cli::endpoint_add_args, &recoupd::cli::endpoint_add},
    {"endpoint list", "list merchant endpoints (never their secrets)", &recoupd::cli::endpoint_list_args,
     &recoupd::cli::endpoint_list},
    {"endpoint disable", "stop sending to a merchant endpoint", &recoupd::cli::endpoint_disable_args,
     &recoupd::cli::endpoint_disable},
    {"endpoint enable", "send to a disabled merchant endpoint again", &recoupd::cli::endpoint_enable_args,
     &recoupd::cli::endpoint_enable},
    {"endpoint resend", "queue an outgoing webhook again (ID), or every failed one of an endpoint (--failed)",
     &recoupd::cli::endpoint_resend_args, &recoupd::cli::endpoint_resend},
    {"plugin inspect", "print a plugin's name, version, ABI version, kind and capabilities as JSON",
     &recoupd::cli::plugin_inspect_args, &recoupd::cli::plugin_inspect},
    {"plugin check", "run conformance cases (request.json + expected.json) against a connector plugin",
     &recoupd::cli::plugin_check_args, &recoupd::cli::plugin_check},
    {"serve", "serve the webhook endpoints over HTTP until SIGINT or SIGTERM", &recoupd::cli::serve_args,
     &recoupd::cli::serve},
    {"scheduler", "run the retry scheduler (process tracker): --once --now T runs what is due at T",
     &recoupd::cli::scheduler_args, &recoupd::cli::scheduler_command},
    {"simulate", "run failed invoices through the scheduler on a virtual clock against a simulated issuer",
     &recoupd::cli::simulate_args, &recoupd::cli::simulate},
    {"sign", "print the signature header that signs a body (demo and tests)", &recoupd::cli::sign_args,
     &recoupd::cli::sign},
    {"demo-info", "print a profile's webhook paths and secrets (the local demo only)",
     &recoupd::cli::demo_info_args, &recoupd::cli::demo_info},
};

} // namespace

int main(int argc, char** argv)
{
    recoupd::cli::context ctx{std::cout, std::cerr};
    return recoupd::cli::run(commands, argc, argv, ctx);
}
