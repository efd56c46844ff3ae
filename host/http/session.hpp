// recoupd: one HTTP connection of the server: read a request, get its answer (quickly on the I/O
// thread, or from a worker under the request deadline), write it under the write deadline,
// repeat. Only I/O happens here; every handler runs elsewhere.
#pragma once

#include "http/server.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

namespace recoupd::http {

class session : public std::enable_shared_from_this<session> {
public:
    session(boost::asio::ip::tcp::socket&& socket, server& srv);
    ~session();

    void start();
    // From any thread: close the connection (the server's cap closes idle ones this way).
    void close_from_outside();

private:
    friend class server; // its cap takes the oldest idle session off the list
    const server_options& options() const noexcept { return server_.options_; }

    void do_read();
    void on_header(boost::beast::error_code ec, std::size_t);
    void do_read_body();
    void on_read(boost::beast::error_code ec, std::size_t);
    void on_read_error(boost::beast::error_code ec);
    void dispatch_request();
    void on_deadline(std::uint64_t generation, boost::beast::error_code ec);
    void on_answer(std::uint64_t generation, response res);
    void answer(response res, bool work_done);
    void on_write(boost::beast::error_code ec, std::size_t);
    void reject(int status, std::string_view code, const std::string& message);
    void do_drain(std::chrono::steady_clock::time_point until);
    void set_idle(bool idle);
    void close();

    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    server& server_;
    boost::asio::steady_timer deadline_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    boost::beast::http::response<boost::beast::http::empty_body> continue_;
    response res_;
    std::array<char, 16384> scratch_{};
    std::size_t drained_ = 0;
    // Which request an answer or a deadline belongs to: a late worker answer is dropped.
    std::uint64_t generation_ = 0;
    bool answered_ = true;
    unsigned version_ = 11;
    bool keep_alive_ = false;
    bool head_ = false; // the request is HEAD: its answer carries GET's headers and no body
    bool release_on_write_ = false; // the request's work is over once its answer is written
    std::optional<server::idle_list::iterator> idle_;
};

} // namespace recoupd::http
