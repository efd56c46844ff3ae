#include "outbound/client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>

#include <exception>
#include <stdexcept>

namespace recoupd::outbound {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

struct client::tls_context {
    asio::ssl::context ctx{asio::ssl::context::tls_client};
    tls_context()
    {
        ctx.set_default_verify_paths();
        ctx.set_verify_mode(asio::ssl::verify_peer);
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

client::client(client_options options) : options_(options), tls_(std::make_unique<tls_context>()) {}
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

// Writes the request and reads the answer on a connected stream (the deadline is already set).
template <class Stream>
asio::awaitable<void> exchange(Stream& stream, bhttp::request<bhttp::string_body>& req,
                               bhttp::response<bhttp::string_body>& res, std::size_t limit)
{
    co_await bhttp::async_write(stream, req, asio::use_awaitable);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(limit);
    co_await bhttp::async_read(stream, buffer, parser, asio::use_awaitable);
    res = parser.release();
}

// The whole call as one coroutine: Beast's timeouts apply to asynchronous operations only.
asio::awaitable<void> call(const base_url& url, asio::ssl::context& tls, const client_options& options,
                           const tcp::resolver::results_type& endpoints,
                           bhttp::request<bhttp::string_body>& req,
                           bhttp::response<bhttp::string_body>& res, std::string& stage)
{
    auto executor = co_await asio::this_coro::executor;
    if (!url.tls) {
        beast::tcp_stream stream(executor);
        stage = "connect to " + url.host;
        stream.expires_after(options.connect_timeout);
        co_await stream.async_connect(endpoints, asio::use_awaitable);
        stage = "exchange with " + url.host;
        stream.expires_after(options.read_timeout);
        co_await exchange(stream, req, res, options.response_limit);
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(executor, tls);
    // SNI, and the certificate must name the host.
    if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str()))
        throw std::runtime_error("cannot set the TLS server name");
    stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
    auto& lowest = beast::get_lowest_layer(stream);
    stage = "connect to " + url.host;
    lowest.expires_after(options.connect_timeout);
    co_await lowest.async_connect(endpoints, asio::use_awaitable);
    stage = "TLS handshake with " + url.host;
    lowest.expires_after(options.read_timeout);
    co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    stage = "exchange with " + url.host;
    co_await exchange(stream, req, res, options.response_limit);
}

} // namespace

recoup::result<recoup::http_response> client::perform(std::string_view base,
                                                      const recoup::outbound_request& r) const
{
    auto url = base_url::parse(base);
    if (!url) return url.error();
    asio::io_context ioc;
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    const auto endpoints = resolver.resolve(url->host, url->port, ec);
    if (ec) return transport_failure(r, "cannot resolve " + url->host + ": " + ec.message());
    auto req = make_request(*url, r);
    bhttp::response<bhttp::string_body> res;
    std::string stage = "resolve";
    std::exception_ptr error;
    asio::co_spawn(ioc, call(*url, tls_->ctx, options_, endpoints, req, res, stage),
                   [&](std::exception_ptr e) { error = e; });
    ioc.run();
    if (error) {
        try {
            std::rethrow_exception(error);
        } catch (const boost::system::system_error& e) {
            const bool timeout = e.code() == beast::error::timeout;
            return transport_failure(r, stage + ": " + (timeout ? std::string("timed out") : e.code().message()));
        } catch (const std::exception& e) {
            return transport_failure(r, stage + ": " + e.what());
        }
    }
    return to_response(std::move(res));
}

} // namespace recoupd::outbound
