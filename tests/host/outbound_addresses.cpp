// host/outbound/address_rules.hpp: the addresses a resolved name may not lead to, and the outbound
// client refusing them at call time, before any connection (the resolver answers a numeric host
// with itself, so a literal address goes through the same check a DNS name does).
#define BOOST_TEST_MODULE host_outbound_addresses
#include <boost/test/unit_test.hpp>

#include "outbound/address_rules.hpp"
#include "outbound/client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace outbound = recoupd::outbound;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::optional<std::string> problem(std::vector<std::string> addresses)
{
    return outbound::resolved_address_problem("api.example.com", addresses);
}

outbound::client quick_client()
{
    outbound::client_options o;
    o.connect_timeout = std::chrono::milliseconds(2000);
    o.read_timeout = std::chrono::milliseconds(2000);
    o.total_timeout = std::chrono::milliseconds(4000);
    return outbound::client(o);
}

recoup::outbound_request get(std::string path) { return {"GET", std::move(path), {}, {}}; }

} // namespace

BOOST_AUTO_TEST_CASE(resolved_ipv4_addresses)
{
    BOOST_TEST(!problem({}));
    BOOST_TEST(!problem({"93.184.216.34"}));
    BOOST_TEST(!problem({"93.184.216.34", "10.0.0.7", "127.0.0.1"})); // private and loopback are not the rule
    for (const char* bad : {"169.254.169.254", "169.254.0.1", "169.254.170.2", "100.100.100.200"}) {
        const auto p = problem({"93.184.216.34", bad});
        BOOST_TEST_REQUIRE(p.has_value(), bad);
        BOOST_TEST(*p == "api.example.com resolves to " + std::string(bad) +
                             ", a link-local or cloud metadata address: refused, never a billing platform's API or "
                             "a merchant endpoint");
    }
    BOOST_TEST(!problem({"169.253.255.255", "169.255.0.0", "100.100.100.201"}));
}

BOOST_AUTO_TEST_CASE(resolved_ipv6_addresses)
{
    BOOST_TEST(!problem({"2606:2800:220:1:248:1893:25c8:1946", "::1"}));
    for (const char* bad : {"fe80::1", "fe80::a:b%eth0", "febf:ffff::1", "fd00:ec2::254"}) {
        const auto p = problem({"2606:2800:220:1:248:1893:25c8:1946", bad});
        BOOST_TEST_REQUIRE(p.has_value(), bad);
        BOOST_TEST(p->find(std::string("resolves to ") + bad + ", a link-local or cloud metadata address") !=
                       std::string::npos,
                   *p);
    }
    BOOST_TEST(!problem({"fec0::1", "fe7f::1", "fd00:ec2::253"}));
}

BOOST_AUTO_TEST_CASE(resolved_ipv4_mapped_ipv6_addresses)
{
    BOOST_TEST(problem({"::ffff:169.254.169.254"}).has_value());
    BOOST_TEST(problem({"::ffff:a9fe:a9fe"}).has_value()); // the same address as asio prints it in hex
    BOOST_TEST(problem({"::ffff:100.100.100.200"}).has_value());
    BOOST_TEST(!problem({"::ffff:127.0.0.1", "::ffff:93.184.216.34"}));
}

BOOST_AUTO_TEST_CASE(the_client_refuses_a_metadata_address_before_connecting)
{
    const auto client = quick_client();
    for (const char* base : {"http://169.254.169.254/latest", "https://169.254.169.254", "http://[::ffff:169.254.169.254]:80",
                             "http://[fe80::1]:8080", "http://100.100.100.200"}) {
        const auto r = client.perform(base, get("/meta-data/"));
        BOOST_TEST_REQUIRE(!r.has_value(), base);
        BOOST_TEST(r.error().code == recoup::error::sync_response_failed, base);
        BOOST_TEST(r.error().detail.find("a link-local or cloud metadata address: refused") != std::string::npos,
                   r.error().detail);
        BOOST_TEST(r.error().detail.find("resolve ") == 0u, r.error().detail); // the stage: nothing connected
    }
}

BOOST_AUTO_TEST_CASE(the_client_still_calls_loopback)
{
    asio::io_context ioc;
    tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto port = acceptor.local_endpoint().port();
    std::thread peer([&] {
        tcp::socket socket(ioc);
        acceptor.accept(socket);
        asio::streambuf request;
        boost::system::error_code ec;
        asio::read_until(socket, request, "\r\n\r\n", ec);
        if (!ec) asio::write(socket, asio::buffer(std::string("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")), ec);
    });
    const auto client = quick_client();
    const auto r = client.perform("http://localhost:" + std::to_string(port), get("/ping"));
    if (!r) { // unblock the peer's accept so the test ends
        tcp::socket knock(ioc);
        boost::system::error_code ignored;
        knock.connect(acceptor.local_endpoint(), ignored);
    }
    peer.join();
    BOOST_TEST_REQUIRE(r.has_value(), (r ? std::string() : r.error().detail));
    BOOST_TEST(r->status == 204);
}
