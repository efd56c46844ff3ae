// recoupd: `sign` (a signature header for a body) and `demo-info` (webhook paths and secrets),
// for the local demo and the tests.
#pragma once

#include "cli/args.hpp"
#include "cli/command.hpp"

#include <string_view>

namespace recoupd::cli {

// recoupd sign stripe|recurly|chargebee --secret S --body-file F: the header value that signs F.
extern const args_spec sign_args;
int sign(const parsed_args& args, context& ctx);

// The MCA setting ./dev run (host/run-demo.sh) gives every MCA it creates: {"recoup_demo": true}.
// demo-info prints secrets only when every MCA of the profile carries it.
inline constexpr std::string_view demo_marker_setting = "recoup_demo";

// recoupd demo-info --profile ID: each MCA's webhook path and secrets, for the local demo only.
extern const args_spec demo_info_args;
int demo_info(const parsed_args& args, context& ctx);

} // namespace recoupd::cli
