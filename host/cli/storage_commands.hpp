// recoupd: the storage commands: migrate, profile add|update, mca add|list|rotate-secret,
// events list|replay. Each takes --database URL (else RECOUP_DATABASE_URL, else
// sqlite:var/recoup.db). Secrets go in on the command line and never come out.
#pragma once

#include "cli/args.hpp"
#include "cli/command.hpp"

namespace recoupd::cli {

extern const args_spec migrate_args;
int migrate(const parsed_args& args, context& ctx);

extern const args_spec profile_add_args;
int profile_add(const parsed_args& args, context& ctx);

extern const args_spec profile_update_args;
int profile_update(const parsed_args& args, context& ctx);

extern const args_spec mca_add_args;
int mca_add(const parsed_args& args, context& ctx);

extern const args_spec mca_list_args;
int mca_list(const parsed_args& args, context& ctx);

extern const args_spec mca_rotate_secret_args;
int mca_rotate_secret(const parsed_args& args, context& ctx);

extern const args_spec events_list_args;
int events_list(const parsed_args& args, context& ctx);

extern const args_spec events_replay_args;
int events_replay(const parsed_args& args, context& ctx);

} // namespace recoupd::cli
