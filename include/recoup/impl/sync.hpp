#pragma once

#include <recoup/webhook_request.hpp>

RECOUP_BEGIN_NAMESPACE

inline const sync_exchange* find_exchange(std::span<const sync_exchange> sync, std::string_view method,
                                          std::string_view path) noexcept
{
    for (const auto& x : sync)
        if (iequals(x.request.method, method) && x.request.path == path) return &x;
    return nullptr;
}

inline result<const http_response*> sync_response(std::span<const sync_exchange> sync, std::string_view method,
                                                  std::string_view path)
{
    const auto* x = find_exchange(sync, method, path);
    const auto request = std::string(method) + " " + std::string(path);
    if (x == nullptr) return fail(error::sync_response_missing, std::string(path), "no response for " + request);
    if (x->response.status < 200 || x->response.status > 299)
        return fail(error::sync_response_failed, std::string(path),
                    request + " answered HTTP " + std::to_string(x->response.status));
    return &x->response;
}

RECOUP_END_NAMESPACE
