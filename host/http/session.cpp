#include "http/session.hpp"

#include "http/reply.hpp"

#include <recoup/api_error.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>

namespace recoupd::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace api_error = recoup::api_error;
using tcp = asio::ip::tcp;

session::session(tcp::socket&& socket, server& srv)
    : stream_(std::move(socket)), server_(srv), deadline_(stream_.get_executor())
{
    ++server_.connections_;
}

session::~session()
{
    set_idle(false);
    --server_.connections_;
}

void session::start()
{
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&session::do_read, shared_from_this()));
}

void session::close_from_outside()
{
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
}

void session::set_idle(bool idle)
{
    std::lock_guard lock(server_.idle_mutex_);
    if (idle && !idle_) {
        idle_ = server_.idle_.insert(server_.idle_.end(), weak_from_this());
    } else if (!idle && idle_) {
        server_.idle_.erase(*idle_);
        idle_.reset();
    }
}

void session::do_read()
{
    if (server_.stopping_) return close();
    parser_.emplace(); // a fresh parser per message
    parser_->body_limit(options().body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(options().header_limit));
    stream_.expires_after(options().read_timeout);
    set_idle(true);
    bhttp::async_read_header(stream_, buffer_, *parser_, beast::bind_front_handler(&session::on_header, shared_from_this()));
}

void session::on_header(beast::error_code ec, std::size_t)
{
    set_idle(false);
    if (ec) return on_read_error(ec);
    const auto expect = parser_->get()[bhttp::field::expect];
    if (!beast::iequals(expect, "100-continue")) return do_read_body();
    continue_ = bhttp::response<bhttp::empty_body>{bhttp::status::continue_, parser_->get().version()};
    stream_.expires_after(options().write_timeout);
    bhttp::async_write(stream_, continue_, [self = shared_from_this()](beast::error_code e, std::size_t) {
        if (e) return self->close();
        self->do_read_body();
    });
}

void session::do_read_body()
{
    stream_.expires_after(options().read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&session::on_read, shared_from_this()));
}

void session::on_read(beast::error_code ec, std::size_t)
{
    if (ec) return on_read_error(ec);
    stream_.expires_never();
    dispatch_request();
}

// A quick answer now; else a worker, under the request deadline; else (queue full) 503 now.
void session::dispatch_request()
{
    ++server_.in_flight_;
    request req = parser_->release();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    head_ = req.method() == bhttp::verb::head;
    answered_ = false;
    const auto generation = ++generation_;
    if (server_.quick_) {
        if (auto quick = server_.quick_(req)) return answer(std::move(*quick), true);
    }
    const bool queued = server_.submit(std::move(req), [self = shared_from_this(), generation](response res) {
        asio::post(self->stream_.get_executor(), [self, generation, res = std::move(res)]() mutable {
            self->on_answer(generation, std::move(res));
        });
    });
    if (!queued) {
        if (options().on_rejected) options().on_rejected(503);
        return answer(reply::error(503, api_error::api, api_error::overloaded, "the server is at capacity; retry later"),
                      true);
    }
    deadline_.expires_after(options().request_timeout);
    deadline_.async_wait(beast::bind_front_handler(&session::on_deadline, shared_from_this(), generation));
}

void session::on_deadline(std::uint64_t generation, beast::error_code ec)
{
    if (ec || generation != generation_ || answered_) return;
    // The work goes on and may still commit: a redelivery then finds it done (dedup), never twice.
    if (options().on_rejected) options().on_rejected(503);
    answer(reply::error(503, api_error::api, api_error::overloaded, "the request did not complete in time; retry later"),
           false);
}

void session::on_answer(std::uint64_t generation, response res)
{
    if (generation != generation_ || answered_) {
        --server_.in_flight_; // answered at its deadline already
        return;
    }
    deadline_.cancel();
    answer(std::move(res), true);
}

void session::answer(response res, bool work_done)
{
    answered_ = true;
    release_on_write_ = work_done;
    res_ = std::move(res);
    res_.version(version_);
    res_.keep_alive(keep_alive_ && !server_.stopping_);
    if (res_.result_int() == 503 && res_.find(bhttp::field::retry_after) == res_.end())
        res_.set(bhttp::field::retry_after, std::to_string(options().retry_after.count()));
    res_.prepare_payload();
    if (head_) {
        // GET's status and headers, Content-Length included, and no body bytes (RFC 9110 §9.3.2):
        // a body here would be read as the start of the next response on this connection.
        const auto length = res_.body().size();
        res_.body().clear();
        res_.content_length(length);
    }
    stream_.expires_after(options().write_timeout);
    bhttp::async_write(stream_, res_, beast::bind_front_handler(&session::on_write, shared_from_this()));
}

void session::on_write(beast::error_code ec, std::size_t)
{
    // A request answered at its deadline stays in flight until its worker is done with it.
    if (release_on_write_) --server_.in_flight_;
    if (ec || !res_.keep_alive()) return close();
    res_ = {};
    do_read();
}

void session::on_read_error(beast::error_code ec)
{
    if (ec == bhttp::error::body_limit)
        return reject(413, api_error::body_too_large,
                      "request body larger than the limit of " + std::to_string(options().body_limit) + " bytes");
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
void session::reject(int status, std::string_view code, const std::string& message)
{
    ++server_.in_flight_;
    if (options().on_rejected) options().on_rejected(status);
    res_ = reply::error(status, api_error::invalid_request, code, message);
    stream_.expires_after(options().write_timeout);
    bhttp::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        --self->server_.in_flight_;
        if (ec) return self->close();
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        self->drained_ = 0;
        self->do_drain(std::chrono::steady_clock::now() + self->options().drain_limit);
    });
}

// Bounded in time and bytes: a client trickling a byte at a time is closed all the same.
void session::do_drain(std::chrono::steady_clock::time_point until)
{
    stream_.expires_at(until);
    stream_.async_read_some(asio::buffer(scratch_), [self = shared_from_this(), until](beast::error_code ec, std::size_t n) {
        self->drained_ += n;
        if (ec || self->drained_ > 16 * self->options().body_limit) return self->close();
        self->do_drain(until);
    });
}

void session::close()
{
    set_idle(false);
    deadline_.cancel();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
}

} // namespace recoupd::http
