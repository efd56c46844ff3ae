// recoupd: the merchant endpoint commands (docs/merchant-webhooks.md): endpoint add|list|disable|
// enable|resend. Each takes --database URL like the storage commands. An endpoint's secret is
// printed once, when add generates it, and never again.
#pragma once

#include "cli/args.hpp"
#include "cli/command.hpp"

namespace recoupd::cli {

extern const args_spec endpoint_add_args;
int endpoint_add(const parsed_args& args, context& ctx);

extern const args_spec endpoint_list_args;
int endpoint_list(const parsed_args& args, context& ctx);

extern const args_spec endpoint_disable_args;
int endpoint_disable(const parsed_args& args, context& ctx);

extern const args_spec endpoint_enable_args;
int endpoint_enable(const parsed_args& args, context& ctx);

extern const args_spec endpoint_resend_args;
int endpoint_resend(const parsed_args& args, context& ctx);

} // namespace recoupd::cli
