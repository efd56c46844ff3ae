#include "http/server.hpp"

#include "http/reply.hpp"

#include <recoup/api_error.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>

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

// One connection: read a request, hand it to the handler, write the answer, repeat.
class server::session : public std::enable_shared_from_this<session> {
public:
    session(tcp::socket&& socket, server& srv) : stream_(std::move(socket)), server_(srv) {}

    void start()
    {
        asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&session::do_read, shared_from_this()));
    }

private:
    const server_options& options() const { return server_.options_; }

    void do_read()
    {
        if (server_.stopping_) return close();
        parser_.emplace(); // a fresh parser per message
        parser_->body_limit(options().body_limit);
        parser_->header_limit(static_cast<std::uint32_t>(options().header_limit));
        stream_.expires_after(options().read_timeout);
        bhttp::async_read_header(stream_, buffer_, *parser_,
                                 beast::bind_front_handler(&session::on_header, shared_from_this()));
    }

    void on_header(beast::error_code ec, std::size_t)
    {
        if (ec) return on_read_error(ec);
        const auto expect = parser_->get()[bhttp::field::expect];
        if (!beast::iequals(expect, "100-continue")) return do_read_body();
        continue_ = bhttp::response<bhttp::empty_body>{bhttp::status::continue_, parser_->get().version()};
        bhttp::async_write(stream_, continue_, [self = shared_from_this()](beast::error_code e, std::size_t) {
            if (e) return self->close();
            self->do_read_body();
        });
    }

    void do_read_body()
    {
        stream_.expires_after(options().read_timeout);
        bhttp::async_read(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t)
    {
        if (ec) return on_read_error(ec);
        stream_.expires_never();
        ++server_.in_flight_;
        request req = parser_->release();
        const bool keep_alive = req.keep_alive();
        const unsigned version = req.version();
        try {
            res_ = server_.handler_(std::move(req));
        } catch (const std::exception&) {
            res_ = reply::error(500, api_error::api, api_error::internal, "internal error", version);
        }
        res_.version(version);
        res_.keep_alive(keep_alive && !server_.stopping_);
        res_.prepare_payload();
        bhttp::async_write(stream_, res_, beast::bind_front_handler(&session::on_write, shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t)
    {
        --server_.in_flight_;
        if (ec || !res_.keep_alive()) return close();
        res_ = {};
        do_read();
    }

    void on_read_error(beast::error_code ec)
    {
        if (ec == bhttp::error::body_limit)
            return reject(413, api_error::body_too_large, "request body larger than the limit of " +
                                            std::to_string(options().body_limit) + " bytes");
        if (ec == bhttp::error::header_limit)
            return reject(431, api_error::headers_too_large, "request header fields larger than the limit of " +
                                            std::to_string(options().header_limit) + " bytes");
        if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
            ec == asio::error::connection_reset || ec == asio::error::eof || ec == bhttp::error::partial_message)
            return close();
        reject(400, api_error::malformed, "malformed HTTP request: " + ec.message());
    }

    // Answers a request the server cannot take, then drains what the client still sends (so
    // closing does not reset the connection before the client reads the answer) and closes.
    void reject(int status, std::string_view code, const std::string& message)
    {
        ++server_.in_flight_;
        if (options().on_rejected) options().on_rejected(status);
        res_ = reply::error(status, api_error::invalid_request, code, message);
        bhttp::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            --self->server_.in_flight_;
            if (ec) return self->close();
            beast::error_code ignored;
            self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
            self->drained_ = 0;
            self->do_drain();
        });
    }

    void do_drain()
    {
        stream_.expires_after(std::chrono::seconds(2));
        stream_.async_read_some(asio::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            self->drained_ += n;
            if (ec || self->drained_ > 16 * self->options().body_limit) return self->close();
            self->do_drain();
        });
    }

    void close()
    {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    server& server_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    bhttp::response<bhttp::empty_body> continue_;
    response res_;
    std::array<char, 16384> scratch_{};
    std::size_t drained_ = 0;
};

server::server(server_options options, handler_fn handler)
    : options_(std::move(options)), handler_(std::move(handler)), accept_strand_(asio::make_strand(ioc_)),
      acceptor_(accept_strand_)
{
    if (options_.threads <= 0) options_.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
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
    acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
        if (ec) {
            if (!acceptor_.is_open()) return; // stopping
        } else {
            std::make_shared<session>(std::move(socket), *this)->start();
        }
        do_accept();
    });
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
