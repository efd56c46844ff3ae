// recoupd: the addresses an outbound call must never reach, one set of rules for the URL text
// (`mca add`, `endpoint add`, mca_checks.hpp) and for what the resolver answers at call time
// (client.cpp), so a DNS name that resolves to a metadata address is refused like the address
// itself. Loopback is allowed (the loopback fakes, the demo). Pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace recoupd::outbound {

// What is_metadata_host refuses, as an error message names it.
inline constexpr std::string_view metadata_rule = "a link-local or cloud metadata address";

// 127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z) or the name localhost.
bool is_loopback_host(std::string_view host);
// 169.254.0.0/16, fe80::/10, fd00:ec2::254, 100.100.100.200 (Alibaba Cloud), IPv4 in any form
// getaddrinfo accepts (2852039166, 0xa9fea9fe, 169.254.43518) and as IPv4-mapped IPv6
// (::ffff:169.254.169.254), and the cloud metadata names (metadata.google.internal,
// metadata.goog, metadata, instance-data, instance-data.ec2.internal).
bool is_metadata_host(std::string_view host);

// The resolved addresses of `host` (numeric, as the resolver answered them): nullopt when a call
// may connect to every one, else one line naming the first refused address and the rule.
std::optional<std::string> resolved_address_problem(std::string_view host, std::span<const std::string> addresses);

} // namespace recoupd::outbound
