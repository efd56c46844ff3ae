#include "outbound/address_rules.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>

namespace recoupd::outbound {

namespace {

std::string lowercase(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// The host as the resolver sees it: no userinfo, no trailing dot, no IPv6 zone, lowercase.
std::string normalized(std::string_view host)
{
    if (const auto at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
    if (const auto zone = host.find('%'); zone != std::string_view::npos) host = host.substr(0, zone);
    while (!host.empty() && host.back() == '.') host.remove_suffix(1);
    return lowercase(host);
}

// IPv4 in every spelling inet_aton (and so getaddrinfo) accepts, as a host-order number.
std::optional<std::uint32_t> ipv4_of(const std::string& host)
{
    if (host.empty() || host.find_first_not_of("0123456789abcdefx.") != std::string::npos) return std::nullopt;
    in_addr a{};
    if (::inet_aton(host.c_str(), &a) == 0) return std::nullopt;
    return ntohl(a.s_addr);
}

std::optional<std::array<unsigned char, 16>> ipv6_of(const std::string& host)
{
    in6_addr a{};
    if (::inet_pton(AF_INET6, host.c_str(), &a) != 1) return std::nullopt;
    std::array<unsigned char, 16> out{};
    std::memcpy(out.data(), &a, 16);
    return out;
}

// ::ffff:a.b.c.d as the IPv4 address it maps.
std::optional<std::uint32_t> mapped_ipv4(const std::array<unsigned char, 16>& b)
{
    for (int i = 0; i < 10; ++i)
        if (b[static_cast<std::size_t>(i)] != 0) return std::nullopt;
    if (b[10] != 0xff || b[11] != 0xff) return std::nullopt;
    return (std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) | (std::uint32_t{b[14]} << 8) | b[15];
}

std::optional<std::uint32_t> any_ipv4(const std::string& host)
{
    if (auto v4 = ipv4_of(host)) return v4;
    if (auto v6 = ipv6_of(host)) return mapped_ipv4(*v6);
    return std::nullopt;
}

bool is_metadata_ipv4(std::uint32_t a)
{
    return (a >> 16) == ((169u << 8) | 254u) || a == ((100u << 24) | (100u << 16) | (100u << 8) | 200u);
}

} // namespace

bool is_loopback_host(std::string_view raw)
{
    const auto host = normalized(raw);
    if (host == "localhost") return true;
    if (auto v4 = any_ipv4(host)) return (*v4 >> 24) == 127u;
    if (auto v6 = ipv6_of(host)) {
        static constexpr std::array<unsigned char, 16> loopback{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        return *v6 == loopback;
    }
    return false;
}

bool is_metadata_host(std::string_view raw)
{
    const auto host = normalized(raw);
    static constexpr std::string_view names[] = {"metadata.google.internal", "metadata.goog", "metadata",
                                                 "instance-data", "instance-data.ec2.internal"};
    if (std::find(std::begin(names), std::end(names), host) != std::end(names)) return true;
    if (auto v4 = any_ipv4(host)) return is_metadata_ipv4(*v4);
    if (auto v6 = ipv6_of(host)) {
        if ((*v6)[0] == 0xfe && ((*v6)[1] & 0xc0) == 0x80) return true; // fe80::/10
        static constexpr std::array<unsigned char, 16> aws{0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};
        return *v6 == aws; // fd00:ec2::254
    }
    return false;
}

std::optional<std::string> resolved_address_problem(std::string_view host, std::span<const std::string> addresses)
{
    for (const auto& address : addresses)
        if (is_metadata_host(address))
            return std::string(host) + " resolves to " + address + ", " + std::string(metadata_rule) +
                   ": refused, never a billing platform's API or a merchant endpoint";
    return std::nullopt;
}

} // namespace recoupd::outbound
