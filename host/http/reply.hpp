// recoupd: every answer the server, the handler and the admin routes give, named once. Each keeps
// the request's HTTP version and keep-alive, and carries the error body of recoup/api_error.hpp.
#pragma once

#include "http/message.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace recoupd::http::reply {

// {"error":{"type","code","message"}} with that status.
response error(int status, std::string_view type, std::string_view code, std::string_view message,
               unsigned version = 11, bool keep_alive = false);
response error(const request& req, int status, std::string_view type, std::string_view code,
               std::string_view message);

response json(const request& req, int status, std::string body);
response not_found(const request& req, std::string_view message);
response method_not_allowed(const request& req, std::string_view allow);
response unauthorized(const request& req, std::string_view message);
// 503 with Retry-After: storage, or a platform's API, is down; the same request may succeed later.
response unavailable(const request& req, std::string_view code, std::string_view message,
                     std::chrono::seconds retry_after);
// 500: a fault retrying cannot mend. `message` is what the caller may see; log the detail.
response internal(const request& req, std::string_view message);

} // namespace recoupd::http::reply
