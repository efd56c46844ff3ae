// recoupd: the HTTP/1.1 server (Boost.Beast on Asio, after Beast's advanced_server example).
// Sessions only do I/O: each request goes to the handler function and its answer goes back.
// Keep-alive, a fresh parser per message with body and header limits, a read deadline before
// every read, N threads, and a graceful stop that lets requests in flight finish.
#pragma once

#include "http/message.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace recoupd::http {

struct server_options {
    std::string host = "127.0.0.1";
    unsigned short port = 8080;     // 0: any free port (see server::endpoint())
    int threads = 0;                // 0: one per core
    std::size_t body_limit = 1024 * 1024;
    std::size_t header_limit = 16 * 1024;
    std::chrono::milliseconds read_timeout{30000};
    std::chrono::milliseconds drain_timeout{10000}; // how long a stop waits for requests in flight
    // Called for requests the server answers itself (413, 431, 400 on unparsable input).
    std::function<void(int status)> on_rejected;
};

// (request) -> response; must not throw (a throw becomes a 500).
using handler_fn = std::function<response(request&&)>;

// "127.0.0.1:8080", "[::1]:0", ":8080" (all interfaces). Throws std::invalid_argument.
void parse_listen(std::string_view listen, std::string& host, unsigned short& port);

class server {
public:
    server(server_options options, handler_fn handler);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds and listens; the actual endpoint (port 0 resolved). Throws on failure.
    boost::asio::ip::tcp::endpoint listen();
    // Serves on options.threads threads until stop() or, when `handle_signals`, SIGINT/SIGTERM.
    void run(bool handle_signals = true);
    // From any thread: stop accepting, let requests in flight finish, then return from run().
    void stop();

private:
    class session;
    void do_accept();
    void begin_stop();
    void wait_for_drain(std::chrono::steady_clock::time_point deadline);

    server_options options_;
    handler_fn handler_;
    boost::asio::io_context ioc_;
    // Accepting, and closing the acceptor on stop, happen on this strand only.
    boost::asio::strand<boost::asio::io_context::executor_type> accept_strand_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::atomic<int> in_flight_{0};
    std::atomic<bool> stopping_{false};
};

} // namespace recoupd::http
