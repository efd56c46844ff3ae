// recoup: finding the host's answer to a connector's sync request. One rule for every connector:
// the method matches in any letter case (HTTP methods are case-sensitive, but hosts and
// conformance files spell them both ways), the path matches exactly, query string included.
#pragma once

#include <recoup/connector.hpp>
#include <recoup/detail/config.hpp>
#include <recoup/result.hpp>

#include <span>
#include <string>
#include <string_view>

RECOUP_BEGIN_NAMESPACE

// The first exchange for `method path`, or nullptr: for connectors that sync in rounds and read
// whatever has been answered so far.
const sync_exchange* find_exchange(std::span<const sync_exchange> sync, std::string_view method,
                                   std::string_view path) noexcept;

// The 2xx response to `method path`. None: sync_response_missing; another status:
// sync_response_failed. Both name the path as the field and "METHOD path" in the detail.
result<const http_response*> sync_response(std::span<const sync_exchange> sync, std::string_view method,
                                           std::string_view path);

RECOUP_END_NAMESPACE

#include <recoup/impl/sync.hpp>
