#include "http/server.hpp"

#include "http/reply.hpp"

#include <recoup/api_error.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>

#include "http/session.hpp"

#include <sys/resource.h>

#include <charconv>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace recoupd::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
namespace api_error = recoup::api_error;

void parse_listen(std::string_view listen, std::string& host, unsigned short& port)
{
    const auto colon = listen.rfind(':');
    if (colon == std::string_view::npos)
        throw std::invalid_argument("--listen \"" + std::string(listen) + "\": expected HOST:PORT");
    std::string_view h = listen.substr(0, colon), p = listen.substr(colon + 1);
    if (h.starts_with('[') && h.ends_with(']')) h = h.substr(1, h.size() - 2);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (p.empty() || ec != std::errc{} || end != p.data() + p.size() || value > 65535)
        throw std::invalid_argument("--listen \"" + std::string(listen) + "\": invalid port");
    host = h.empty() ? "0.0.0.0" : std::string(h);
    port = static_cast<unsigned short>(value);
}

server_options with_defaults(server_options o)
{
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    if (o.threads <= 0) o.threads = cores;
    if (o.workers <= 0) o.workers = 4 * cores;
    if (o.max_connections == 0) o.max_connections = default_max_connections();
    return o;
}

std::size_t default_max_connections()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 4096;
    constexpr rlim_t reserved = 128; // database pool, plugins, outbound calls, logs
    return limit.rlim_cur > 2 * reserved ? static_cast<std::size_t>(limit.rlim_cur - reserved) : 64;
}

server::server(server_options options, handler_fn handler, quick_fn quick)
    : options_(with_defaults(std::move(options))), handler_(std::move(handler)), quick_(std::move(quick)),
      workers_(static_cast<std::size_t>(options_.workers)), accept_strand_(asio::make_strand(ioc_)),
      acceptor_(accept_strand_), accept_timer_(accept_strand_)
{
}

server::~server() = default;

tcp::endpoint server::listen()
{
    tcp::resolver resolver(ioc_);
    const auto results = resolver.resolve(options_.host, std::to_string(options_.port),
                                          tcp::resolver::passive | tcp::resolver::numeric_service);
    const tcp::endpoint endpoint = *results.begin();
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    return acceptor_.local_endpoint();
}

void server::do_accept()
{
    acceptor_.async_accept(asio::make_strand(ioc_), beast::bind_front_handler(&server::on_accept, this));
}

void server::on_accept(beast::error_code ec, tcp::socket socket)
{
    if (!acceptor_.is_open()) return; // stopping
    if (ec) {
        // Out of descriptors (EMFILE, ENFILE) or the like: wait instead of spinning on accept.
        accept_timer_.expires_after(options_.accept_backoff);
        accept_timer_.async_wait([this](beast::error_code) { do_accept(); });
        return;
    }
    if (connections_ >= options_.max_connections && !close_oldest_idle()) {
        beast::error_code ignored;
        socket.close(ignored); // every connection is busy: refuse this one
    } else {
        std::make_shared<session>(std::move(socket), *this)->start();
    }
    do_accept();
}

bool server::close_oldest_idle()
{
    std::shared_ptr<session> oldest;
    {
        std::lock_guard lock(idle_mutex_);
        while (!idle_.empty() && !oldest) {
            oldest = idle_.front().lock();
            idle_.pop_front();
            if (oldest) oldest->idle_.reset();
        }
    }
    if (!oldest) return false;
    oldest->close_from_outside();
    return true;
}

bool server::submit(request&& req, std::function<void(response)> done)
{
    // Busy workers plus waiting requests: a free worker takes a request at once, the queue the rest.
    const auto capacity = static_cast<std::size_t>(options_.workers) + options_.queue_limit;
    if (outstanding_.fetch_add(1) >= capacity) {
        --outstanding_;
        return false;
    }
    asio::post(workers_, [this, req = std::move(req), done = std::move(done)]() mutable {
        const unsigned version = req.version();
        response res;
        try {
            res = handler_(std::move(req));
        } catch (const std::exception&) {
            res = reply::error(500, api_error::api, api_error::internal, "internal error", version);
        }
        --outstanding_;
        done(std::move(res));
    });
    return true;
}

void server::run(bool handle_signals)
{
    std::optional<asio::signal_set> signals;
    if (handle_signals) {
        signals.emplace(ioc_, SIGINT, SIGTERM);
        signals->async_wait([this](beast::error_code ec, int) {
            if (!ec) asio::post(accept_strand_, [this] { begin_stop(); });
        });
    }
    do_accept();
    std::vector<std::thread> threads;
    for (int i = 1; i < options_.threads; ++i) threads.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : threads) t.join();
    workers_.join();
}

void server::stop()
{
    asio::post(accept_strand_, [this] { begin_stop(); });
}

void server::begin_stop()
{
    if (stopping_.exchange(true)) return;
    beast::error_code ignored;
    acceptor_.close(ignored);
    wait_for_drain(std::chrono::steady_clock::now() + options_.drain_timeout);
}

void server::wait_for_drain(std::chrono::steady_clock::time_point deadline)
{
    if (in_flight_ == 0 || std::chrono::steady_clock::now() >= deadline) return ioc_.stop();
    auto timer = std::make_shared<asio::steady_timer>(ioc_, std::chrono::milliseconds(20));
    timer->async_wait([this, timer, deadline](beast::error_code) { wait_for_drain(deadline); });
}

} // namespace recoupd::http
