// recoupd: the HTTP/1.1 server (Boost.Beast on Asio, after Beast's advanced_server example).
// The I/O threads only do I/O and never block: a request either gets a quick answer on the I/O
// thread (health, metrics) or goes to a bounded pool of workers, and when that pool's queue is
// full it is answered 503 at once. Every wait has a deadline: reading a request, the work on it,
// writing the answer, draining a rejected request. Connections are capped; above the cap the
// oldest idle one is closed, and `accept` backs off when the process runs out of descriptors.
#pragma once

#include "http/message.hpp"

#include <recoup/api_error.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace recoupd::http {

// Every limit of the server with its default; `recoupd serve` has a flag for each, and
// docs/running-the-host.md lists them with what a client sees when one is hit.
struct server_options {
    std::string host = "127.0.0.1";
    unsigned short port = 8080;     // 0: any free port (see server::endpoint())
    int threads = 0;                // I/O threads; 0: one per core
    int workers = 0;                // threads that run handlers; 0: four per core (they wait on the database)
    std::size_t queue_limit = 256;  // requests waiting for a worker; more: 503 at once
    std::size_t max_connections = 0; // 0: from the descriptor limit (see default_max_connections())
    std::size_t body_limit = 1024 * 1024;
    std::size_t header_limit = 16 * 1024;
    std::chrono::milliseconds read_timeout{30000};    // to receive a request's header, then its body
    std::chrono::milliseconds request_timeout{20000}; // from the whole request to the answer; then 503
    std::chrono::milliseconds write_timeout{10000};   // to send an answer to a client that does not read
    std::chrono::milliseconds drain_limit{5000};      // reading what follows a rejected request
    std::chrono::milliseconds drain_timeout{10000};   // how long a stop waits for requests in flight
    std::chrono::milliseconds accept_backoff{100};    // after an accept error such as EMFILE
    std::chrono::seconds retry_after = recoup::api_error::default_retry_after; // of the server's own 503s
    // Called for requests the server answers itself (413, 431, 400, 503 busy or timed out).
    std::function<void(int status)> on_rejected;
};

// The connection cap that fits the process's descriptor limit, leaving room for the database,
// plugins and outbound calls.
std::size_t default_max_connections();

// `o` with every 0 ("from the machine") replaced by its figure; the server applies it itself,
// and callers that size other things from it (the database pool) call it first.
server_options with_defaults(server_options o);

// (request) -> response on a worker; must not throw (a throw becomes a 500).
using handler_fn = std::function<response(request&&)>;
// An answer the I/O thread may give at once without blocking (health, metrics), or nullopt.
using quick_fn = std::function<std::optional<response>(const request&)>;

// "127.0.0.1:8080", "[::1]:0", ":8080" (all interfaces). Throws std::invalid_argument.
void parse_listen(std::string_view listen, std::string& host, unsigned short& port);

class session;

class server {
public:
    server(server_options options, handler_fn handler, quick_fn quick = {});
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds and listens; the actual endpoint (port 0 resolved). Throws on failure.
    boost::asio::ip::tcp::endpoint listen();
    // Serves on options.threads threads until stop() or, when `handle_signals`, SIGINT/SIGTERM.
    void run(bool handle_signals = true);
    // From any thread: stop accepting, let requests in flight finish, then return from run().
    void stop();

    const server_options& options() const noexcept { return options_; }

private:
    friend class session;
    using idle_list = std::list<std::weak_ptr<session>>;

    void do_accept();
    void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
    void begin_stop();
    void wait_for_drain(std::chrono::steady_clock::time_point deadline);

    // Closes the session that has waited longest for a request; false when none is idle.
    bool close_oldest_idle();

    // Runs the handler on a worker unless the queue is full; `done` gets the answer.
    bool submit(request&& req, std::function<void(response)> done);

    server_options options_;
    handler_fn handler_;
    quick_fn quick_;
    boost::asio::io_context ioc_;
    boost::asio::thread_pool workers_;
    // Accepting, and closing the acceptor on stop, happen on this strand only.
    boost::asio::strand<boost::asio::io_context::executor_type> accept_strand_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer accept_timer_;
    std::mutex idle_mutex_;
    idle_list idle_; // sessions waiting for a request, oldest first (each keeps its node under the mutex)
    std::atomic<std::size_t> connections_{0};
    std::atomic<std::size_t> outstanding_{0}; // requests on a worker or waiting for one
    std::atomic<int> in_flight_{0};
    std::atomic<bool> stopping_{false};
};

} // namespace recoupd::http
