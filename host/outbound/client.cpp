#include "outbound/client.hpp"

#include "outbound/address_rules.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <exception>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace recoupd::outbound {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

// The client's own I/O thread: every exchange runs there, so a caller waits on a future with a
// deadline and is never stuck in getaddrinfo (which Asio runs on a thread it cannot interrupt).
struct client::engine {
    asio::io_context ioc;
    asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
    asio::ssl::context tls{asio::ssl::context::tls_client};
    std::thread thread;

    engine()
    {
        tls.set_default_verify_paths();
        tls.set_verify_mode(asio::ssl::verify_peer);
        thread = std::thread([this] { ioc.run(); });
    }
    ~engine()
    {
        work.reset();
        ioc.stop();
        thread.join();
    }
};

recoup::result<base_url> base_url::parse(std::string_view url)
{
    base_url out;
    if (url.starts_with("https://")) {
        out.tls = true;
        url.remove_prefix(8);
    } else if (url.starts_with("http://")) {
        out.tls = false;
        url.remove_prefix(7);
    } else {
        return recoup::fail(recoup::error::invalid_field, "base_url", "not an http:// or https:// URL");
    }
    const auto slash = url.find('/');
    std::string_view authority = url.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    out.prefix = std::string(path);
    std::string_view host = authority, port;
    if (authority.starts_with('[')) { // [::1]:8080
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return recoup::fail(recoup::error::invalid_field, "base_url", "unterminated IPv6 address");
        host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
    } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty()) return recoup::fail(recoup::error::invalid_field, "base_url", "no host");
    out.host = std::string(host);
    out.port = port.empty() ? (out.tls ? "443" : "80") : std::string(port);
    return out;
}

client::client(client_options options) : options_(options), engine_(std::make_unique<engine>()) {}
client::~client() = default;

namespace {

recoup::failure transport_failure(const recoup::outbound_request& r, std::string what)
{
    return recoup::fail(recoup::error::sync_response_failed, r.method + " " + r.path, std::move(what));
}

bhttp::request<bhttp::string_body> make_request(const base_url& url, const recoup::outbound_request& r)
{
    bhttp::request<bhttp::string_body> req;
    req.method_string(r.method);
    req.target(url.prefix + r.path);
    req.version(11);
    const bool default_port = url.port == (url.tls ? "443" : "80");
    req.set(bhttp::field::host, default_port ? url.host : url.host + ":" + url.port);
    req.set(bhttp::field::user_agent, "recoupd");
    for (const auto& h : r.headers) req.insert(h.name, h.value);
    req.body() = r.body;
    if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH")
        req.prepare_payload();
    req.keep_alive(false);
    return req;
}

recoup::http_response to_response(bhttp::response<bhttp::string_body>&& res)
{
    recoup::http_response out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) out.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    out.body = std::move(res.body());
    return out;
}

using steady = std::chrono::steady_clock;

// One exchange, shared by the caller and the coroutine: the caller may give up at the deadline
// while the coroutine still waits for a resolver thread.
struct call_state {
    base_url url;
    bhttp::request<bhttp::string_body> req;
    bhttp::response<bhttp::string_body> res;
    std::size_t limit = 0;
    steady::time_point deadline;                  // the total one
    steady::time_point connect_until;             // resolve + connect
    std::chrono::milliseconds connect_limit{0};   // what connect_until stands for, for the message
    std::chrono::milliseconds read_timeout{0};
    std::chrono::milliseconds total_timeout{0};
    std::promise<std::exception_ptr> done;

    std::mutex mutex; // guards the stage: the caller reads it when it gives up
    std::string stage;
    steady::time_point stage_until;
    std::chrono::milliseconds stage_limit{0};

    // Enters a stage bounded by `until` (for `limit`) and by the total deadline; returns the sooner.
    steady::time_point enter(std::string name, steady::time_point until, std::chrono::milliseconds limit)
    {
        std::lock_guard lock(mutex);
        stage = std::move(name);
        stage_until = std::min(until, deadline);
        stage_limit = until < deadline ? limit : total_timeout;
        return stage_until;
    }
    std::string timed_out()
    {
        std::lock_guard lock(mutex);
        return stage + ": timed out after " + std::to_string(stage_limit.count()) + " ms";
    }
    std::string failed(const std::string& what)
    {
        std::lock_guard lock(mutex);
        return stage + ": " + what;
    }
    steady::time_point until()
    {
        std::lock_guard lock(mutex);
        return stage_until;
    }
};

void throw_timeout() { throw boost::system::system_error(beast::error::timeout); }

// Writes the request and reads the answer on a connected stream (its expiry is already set).
template <class Stream>
asio::awaitable<void> exchange(Stream& stream, call_state& s)
{
    co_await bhttp::async_write(stream, s.req, asio::use_awaitable);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(s.limit);
    co_await bhttp::async_read(stream, buffer, parser, asio::use_awaitable);
    s.res = parser.release();
}

// The whole call as one coroutine; every operation is asynchronous and expires with its stage.
asio::awaitable<void> call(std::shared_ptr<call_state> s, asio::ssl::context& tls)
{
    auto executor = co_await asio::this_coro::executor;
    const auto& host = s->url.host;
    tcp::resolver resolver(executor);
    s->enter("resolve " + host, s->connect_until, s->connect_limit);
    const auto endpoints = co_await resolver.async_resolve(host, s->url.port, asio::use_awaitable);
    if (steady::now() >= s->until()) throw_timeout(); // the caller may have given up already
    // Every address the name resolved to, under the rules the URL text was checked by: a name that
    // resolves to a metadata address fails here, before any connection, as an unreachable host does.
    std::vector<std::string> addresses;
    for (const auto& e : endpoints) addresses.push_back(e.endpoint().address().to_string());
    if (auto problem = resolved_address_problem(host, addresses)) throw std::runtime_error(*problem);
    auto exchange_until = [&] { return steady::now() + s->read_timeout; };
    if (!s->url.tls) {
        beast::tcp_stream stream(executor);
        stream.expires_at(s->enter("connect to " + host, s->connect_until, s->connect_limit));
        co_await stream.async_connect(endpoints, asio::use_awaitable);
        stream.expires_at(s->enter("exchange with " + host, exchange_until(), s->read_timeout));
        co_await exchange(stream, *s);
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(executor, tls);
    // SNI, and the certificate must name the host.
    if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str()))
        throw std::runtime_error("cannot set the TLS server name");
    stream.set_verify_callback(asio::ssl::host_name_verification(host));
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_at(s->enter("connect to " + host, s->connect_until, s->connect_limit));
    co_await lowest.async_connect(endpoints, asio::use_awaitable);
    const auto until = exchange_until();
    lowest.expires_at(s->enter("TLS handshake with " + host, until, s->read_timeout));
    co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    s->enter("exchange with " + host, until, s->read_timeout);
    co_await exchange(stream, *s);
}

} // namespace

recoup::result<recoup::http_response> client::perform(std::string_view base,
                                                      const recoup::outbound_request& r) const
{
    auto url = base_url::parse(base);
    if (!url) return url.error();
    auto s = std::make_shared<call_state>();
    s->req = make_request(*url, r);
    s->url = std::move(*url);
    s->limit = options_.response_limit;
    const auto now = steady::now();
    s->deadline = now + options_.total_timeout;
    s->connect_until = now + options_.connect_timeout;
    s->connect_limit = options_.connect_timeout;
    s->read_timeout = options_.read_timeout;
    s->total_timeout = options_.total_timeout;
    s->enter("resolve " + s->url.host, s->connect_until, s->connect_limit);
    auto done = s->done.get_future();
    asio::co_spawn(engine_->ioc, call(s, engine_->tls), [s](std::exception_ptr e) { s->done.set_value(e); });
    // Past its stage's deadline the coroutine times out by itself; the grace only covers a resolver
    // thread that does not come back.
    constexpr auto grace = std::chrono::milliseconds(200);
    while (done.wait_until(s->until() + grace) != std::future_status::ready)
        if (steady::now() >= s->until() + grace) return transport_failure(r, s->timed_out());
    if (const auto error = done.get()) {
        try {
            std::rethrow_exception(error);
        } catch (const boost::system::system_error& e) {
            // A failure at or past the stage's deadline is that deadline, whatever the socket said.
            if (e.code() == beast::error::timeout || steady::now() >= s->until())
                return transport_failure(r, s->timed_out());
            return transport_failure(r, s->failed(e.code().message()));
        } catch (const std::exception& e) {
            return transport_failure(r, s->failed(e.what()));
        }
    }
    return to_response(std::move(s->res));
}

} // namespace recoupd::outbound
