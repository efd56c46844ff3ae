// HTTP suites' harness (tests/host/http_harness.hpp): a plain HTTP client (one request, keep-alive
// requests, raw bytes) and the error code of an answer; every response is kept for secret_leaks.
#pragma once

#include "../transcript.hpp"
#include "environment.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace http_test {

namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = boost::asio::ip::tcp;

struct reply {
    int status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    std::string header(const std::string& name) const
    {
        for (const auto& [n, v] : headers)
            if (beast::iequals(n, name)) return v;
        return {};
    }
};

inline reply send(unsigned short port, const std::string& method, const std::string& target,
                  const std::vector<std::pair<std::string, std::string>>& headers = {}, const std::string& body = {})
{
    boost::asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [n, v] : headers) req.insert(n, v);
    req.body() = body;
    req.prepare_payload();
    bhttp::write(socket, req);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    bhttp::read(socket, buffer, parser);
    auto res = parser.release();
    reply out;
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    transcript::record_response(method, target, out.status, out.headers, out.body);
    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    return out;
}

// Keep-alive requests over one connection (reopened when the server closes it); throws when it breaks.
class connection {
public:
    explicit connection(unsigned short port) : port_(port) {}

    reply send(const std::string& method, const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers,
               const std::string& body)
    {
        try {
            if (!socket_) {
                socket_.emplace(ioc_);
                socket_->connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
            }
            bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
            req.set(bhttp::field::host, "127.0.0.1");
            for (const auto& [n, v] : headers) req.insert(n, v);
            req.body() = body;
            req.keep_alive(true);
            req.prepare_payload();
            bhttp::write(*socket_, req);
            bhttp::response_parser<bhttp::string_body> parser;
            parser.body_limit(64 * 1024 * 1024);
            bhttp::read(*socket_, buffer_, parser);
            auto res = parser.release();
            reply out;
            out.status = static_cast<int>(res.result_int());
            out.body = res.body();
            for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
            transcript::record_response(method, target, out.status, out.headers, out.body);
            if (!res.keep_alive()) reset();
            return out;
        } catch (...) {
            reset();
            throw;
        }
    }

    reply post(const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers,
               const std::string& body)
    {
        return send("POST", target, headers, body);
    }

private:
    void reset()
    {
        boost::system::error_code ignored;
        if (socket_) socket_->close(ignored);
        socket_.reset();
        buffer_.clear();
    }

    unsigned short port_;
    boost::asio::io_context ioc_;
    std::optional<tcp::socket> socket_;
    beast::flat_buffer buffer_;
};

// Raw bytes in, the answer's status line and body out (for requests Beast would not build).
inline reply send_raw(unsigned short port, const std::string& bytes)
{
    boost::asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    boost::system::error_code ec;
    boost::asio::write(socket, boost::asio::buffer(bytes), ec); // the server may stop reading early
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    bhttp::read(socket, buffer, parser, ec);
    reply out;
    if (ec && !parser.is_header_done()) return out;
    auto res = parser.release();
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    transcript::record_response("raw", "", out.status, out.headers, out.body);
    return out;
}

// The "code" of an error body ("WE_01"), or "" when the body is not one.
inline std::string error_code_of(const std::string& body)
{
    const auto at = body.find("\"code\":\"");
    if (at == std::string::npos) return {};
    return body.substr(at + 8, body.find('"', at + 8) - at - 8);
}

} // namespace http_test
