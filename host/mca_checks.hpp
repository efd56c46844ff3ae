// recoupd: MCA configuration that would weaken security, refused wherever an MCA is created or
// changed (`mca add`): a signature tolerance that turns the replay check off, an API key sent in
// clear text across a network, a sync or record-back target at a link-local or cloud metadata
// address. Pure checks: each returns nullopt when the value is fine, else one line saying why not.
#pragma once

#include "outbound/address_rules.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace recoupd::mca_checks {

// The MCA setting recoup::mca_config::signature_tolerance() reads.
inline constexpr std::string_view tolerance_setting = "signature_tolerance_seconds";

// The tolerance, when set, must be a whole number of seconds above 0 (0 or less turns the
// timestamp check off, which lets a captured delivery be replayed forever).
std::optional<std::string> tolerance_problem(const boost::json::object& settings);

// An http:// or https:// URL; not at a link-local or metadata address whatever the scheme; and
// with an API key, http:// only to a loopback host (127.0.0.0/8, ::1, localhost).
std::optional<std::string> base_url_problem(std::string_view url, bool has_api_key);

// The address rules, shared with the outbound client's check of resolved addresses.
using outbound::is_loopback_host;
using outbound::is_metadata_host;

// Every check of an MCA's configuration, the first problem found.
std::optional<std::string> mca_problem(const boost::json::object& settings, const std::optional<std::string>& base_url,
                                       bool has_api_key);

} // namespace recoupd::mca_checks
