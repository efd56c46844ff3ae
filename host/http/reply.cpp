#include "http/reply.hpp"

#include <recoup/api_error.hpp>

namespace recoupd::http::reply {

namespace bhttp = boost::beast::http;
namespace api_error = recoup::api_error;

response error(int status, std::string_view type, std::string_view code, std::string_view message,
               unsigned version, bool keep_alive)
{
    response res{static_cast<bhttp::status>(status), version};
    res.set(bhttp::field::content_type, "application/json");
    res.body() = api_error::body(type, code, message);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return res;
}

response error(const request& req, int status, std::string_view type, std::string_view code,
               std::string_view message)
{
    return error(status, type, code, message, req.version(), req.keep_alive());
}

response json(const request& req, int status, std::string body)
{
    response res{static_cast<bhttp::status>(status), req.version()};
    res.set(bhttp::field::content_type, "application/json");
    res.body() = std::move(body);
    res.keep_alive(req.keep_alive());
    return res;
}

response not_found(const request& req, std::string_view message)
{
    return error(req, 404, api_error::invalid_request, api_error::not_found, message);
}

response method_not_allowed(const request& req, std::string_view allow)
{
    auto res = error(req, 405, api_error::invalid_request, api_error::method_not_allowed,
                     "method " + std::string(req.method_string()) + " not allowed here; use " + std::string(allow));
    res.set(bhttp::field::allow, allow);
    return res;
}

response unauthorized(const request& req, std::string_view message)
{
    return error(req, 401, api_error::invalid_request, api_error::unauthorized, message);
}

response unavailable(const request& req, std::string_view code, std::string_view message,
                     std::chrono::seconds retry_after)
{
    auto res = error(req, 503, api_error::api, code, message);
    res.set(bhttp::field::retry_after, std::to_string(retry_after.count()));
    return res;
}

response internal(const request& req, std::string_view message)
{
    return error(req, 500, api_error::api, api_error::internal, message);
}

} // namespace recoupd::http::reply
