// recoupd serve: the HTTP host, with the retry scheduler on a thread of its own.
#pragma once

#include "cli/args.hpp"
#include "cli/command.hpp"

namespace recoupd::cli {

// recoupd serve --listen HOST:PORT --plugin-dir DIR --database URL
extern const args_spec serve_args;
int serve(const parsed_args& args, context& ctx);

} // namespace recoupd::cli
