// recoup: the incoming webhook as the connector sees it. A view: it owns nothing, the raw body is
// exactly the bytes received (signatures are computed over them), and header names are looked up
// case-insensitively as HTTP requires.
#pragma once

#include <recoup/detail/config.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

RECOUP_BEGIN_NAMESPACE

struct header_view {
    std::string_view name;
    std::string_view value;
};

bool iequals(std::string_view a, std::string_view b) noexcept;

struct webhook_request {
    std::string_view method = "POST";
    std::string_view path;
    std::string_view query;
    std::span<const header_view> headers;
    std::string_view body;

    // The first header with that name, any case.
    std::optional<std::string_view> header(std::string_view name) const noexcept;
    // How many headers carry that name (a duplicated signature header is ambiguous).
    std::size_t header_count(std::string_view name) const noexcept;
};

// Owns the storage a webhook_request points into: for tests, tools and plugin trampolines.
class owned_request {
public:
    std::string method = "POST";
    std::string path;
    std::string query;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    // Valid until this object is modified or destroyed.
    webhook_request view() const
    {
        views_.clear();
        views_.reserve(headers.size());
        for (const auto& [name, value] : headers) views_.push_back({name, value});
        return webhook_request{method, path, query, views_, body};
    }

private:
    mutable std::vector<header_view> views_;
};

RECOUP_END_NAMESPACE

#include <recoup/impl/webhook_request.hpp>
