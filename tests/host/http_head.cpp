// HEAD over real HTTP to `recoupd serve`: GET's status and headers, Content-Length included, and
// not one body byte, so the next response on the same keep-alive connection parses. Run with
// "sqlite" or "postgresql" after "--".
#define BOOST_TEST_MODULE http_head
#define BOOST_TEST_NO_MAIN
#include "http_harness.hpp"

#include <cstdlib>

using namespace http_test;

namespace {

const std::string admin_token = "admin_token_head";
const std::string admin_path = "/v2/process_tracker/revenue_recovery_workflow/pay_unknown";

using header_list = std::vector<std::pair<std::string, std::string>>;

// One raw TCP connection: each request written by hand, each answer read by Beast's parser.
class raw_connection {
public:
    explicit raw_connection(unsigned short port) : socket_(ioc_)
    {
        socket_.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    }

    // Writes `method target` with keep-alive; reads the answer as a HEAD answer (no body expected
    // whatever Content-Length says) when `head`.
    bhttp::response<bhttp::string_body> exchange(const std::string& method, const std::string& target,
                                                 const header_list& headers = {})
    {
        std::string bytes = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n";
        for (const auto& [n, v] : headers) bytes += n + ": " + v + "\r\n";
        bytes += "\r\n";
        boost::asio::write(socket_, boost::asio::buffer(bytes));
        bhttp::response_parser<bhttp::string_body> parser;
        parser.skip(method == "HEAD");
        bhttp::read(socket_, buffer_, parser);
        return parser.release();
    }

    // Bytes the server sent past the last answer (a HEAD body would be here, or break the parse).
    std::size_t unread() const { return buffer_.size(); }

private:
    boost::asio::io_context ioc_;
    tcp::socket socket_;
    beast::flat_buffer buffer_;
};

// The server inherits the token from this process.
backend with_admin_token()
{
    ::setenv("RECOUP_ADMIN_TOKEN", admin_token.c_str(), 1);
    return backend_from_args();
}

std::string header_value(const bhttp::response<bhttp::string_body>& res, bhttp::field f) { return std::string(res[f]); }

// HEAD then GET of `target` on one connection: the same status and headers, HEAD's Content-Length
// the size of the body GET sends plus `longer` (a 405 names the method: "HEAD" is one byte longer
// than "GET"), unless `body_varies` (/metrics counts the HEAD itself), no HEAD body, and a GET
// that parses with `status` and, for an error, `code`.
void head_then_get(unsigned short port, const std::string& target, unsigned status, const std::string& code,
                   const header_list& headers = {}, bool body_varies = false, std::size_t longer = 0)
{
    BOOST_TEST_CONTEXT(target)
    {
        raw_connection c(port);
        for (int round = 0; round < 2; ++round) { // and the connection stays usable after that
            const auto head = c.exchange("HEAD", target, headers);
            const auto get = c.exchange("GET", target, headers);
            BOOST_TEST(head.result_int() == status);
            BOOST_TEST(get.result_int() == status);
            BOOST_TEST(head.body().empty());
            BOOST_TEST(head.keep_alive());
            BOOST_TEST(get.keep_alive());
            BOOST_TEST(header_value(head, bhttp::field::content_type) == header_value(get, bhttp::field::content_type));
            BOOST_TEST(header_value(head, bhttp::field::allow) == header_value(get, bhttp::field::allow));
            BOOST_TEST_REQUIRE(head.has_content_length());
            const auto head_length = std::stoull(header_value(head, bhttp::field::content_length));
            BOOST_TEST(header_value(get, bhttp::field::content_length) == std::to_string(get.body().size()));
            if (body_varies) BOOST_TEST(head_length > 0u);
            else BOOST_TEST(head_length == get.body().size() + longer);
            BOOST_TEST(error_code_of(get.body()) == code, "body: " << get.body());
            BOOST_TEST(c.unread() == 0u);
        }
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(head_of_every_get_route_has_no_body)
{
    world w(with_admin_token());
    const auto port = w.host->port();
    head_then_get(port, "/health", 200, "");
    head_then_get(port, "/ready", 200, "");
    head_then_get(port, "/metrics", 200, "", {}, true);
    head_then_get(port, admin_path, 404, "WE_04", {{"Authorization", "Bearer " + admin_token}});
    head_then_get(port, admin_path, 401, "IR_01");
    head_then_get(port, "/no/such/route", 404, "WE_04");
    BOOST_TEST(w.written() == 0);
}

// HEAD on the webhook route is a 405 like GET, without its body; nothing is recorded.
BOOST_AUTO_TEST_CASE(head_of_the_webhook_route_is_405_without_a_body)
{
    world w(backend_from_args());
    head_then_get(w.host->port(), webhook_path("pro_1", "mca_stripe"), 405, "WE_07", {}, false, 1);
    BOOST_TEST(w.written() == 0);
}

// Many HEADs then a POST on one connection: the POST's answer is still read as itself.
BOOST_AUTO_TEST_CASE(heads_do_not_desynchronize_a_keep_alive_connection)
{
    world w(backend_from_args());
    raw_connection c(w.host->port());
    for (int i = 0; i < 20; ++i) {
        const auto head = c.exchange("HEAD", i % 2 ? "/health" : "/nowhere");
        BOOST_TEST(head.result_int() == (i % 2 ? 200u : 404u));
    }
    const auto get = c.exchange("GET", "/health");
    BOOST_TEST(get.result_int() == 200u);
    BOOST_TEST(get.body() == R"({"status":"ok"})");
    BOOST_TEST(c.unread() == 0u);
    BOOST_TEST(w.written() == 0);
}

HTTP_TEST_MAIN()
