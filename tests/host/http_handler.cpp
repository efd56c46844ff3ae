// The request handler as a free function of (app, request) -> response: routing, statuses and
// metrics with no socket in sight, on an SQLite store and the bundled plugins. Also the pieces
// around it: base URL parsing for sync calls, --listen parsing, the metrics text, the log line.
#define BOOST_TEST_MODULE http_handler
#include <boost/test/unit_test.hpp>

#include "../support/test_support.hpp"
#include "app.hpp"
#include "http/handler.hpp"
#include "http/log.hpp"
#include "http/server.hpp"
#include "metrics.hpp"
#include "outbound/client.hpp"

#include <recoup/signature.hpp>

#include <boost/asio/ssl.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <thread>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;

namespace {

// An app over a fresh SQLite database with profile pro_1 and a Stripe MCA.
struct app_fixture {
    fs::path dir = fs::temp_directory_path() / ("recoup-handler-" + std::to_string(std::random_device{}()));
    std::unique_ptr<recoupd::soci_store> store;
    std::unique_ptr<recoupd::app> app;

    app_fixture()
    {
        ::setenv("RECOUP_MASTER_KEY", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
        fs::create_directories(dir);
        store = std::make_unique<recoupd::soci_store>(
            recoupd::parse_database_url("sqlite:" + (dir / "recoup.db").string()), 2);
        store->migrate_up();
        recoupd::profile_record profile;
        profile.id = "pro_1";
        store->add_profile(profile);
        recoupd::mca_record mca;
        mca.id = "mca_stripe";
        mca.profile_id = "pro_1";
        mca.connector = "stripe_billing";
        mca.secrets = {"whsec_handler"};
        store->add_mca(mca);
        auto plugins = recoupd::plugins::load_dir(std::getenv("RECOUP_TEST_PLUGIN_DIR"));
        BOOST_REQUIRE(plugins);
        app = std::make_unique<recoupd::app>(*store, std::move(*plugins));
        recoupd::set_log_stream(nullptr);
    }
    ~app_fixture()
    {
        app.reset();
        store.reset();
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    recoupd::http::response call(bhttp::verb method, const std::string& target, const std::string& body = {},
                                 const std::vector<std::pair<std::string, std::string>>& headers = {})
    {
        recoupd::http::request req{method, target, 11};
        for (const auto& [n, v] : headers) req.set(n, v);
        req.body() = body;
        req.prepare_payload();
        return recoupd::http::handle(*app, std::move(req));
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(routes)
{
    using recoupd::http::match_route;
    using recoupd::http::route;
    auto r = match_route("/v2/webhooks/revenue_recovery/pro_1/mca_1");
    BOOST_TEST(r.kind == route::webhook);
    BOOST_TEST(r.profile_id == "pro_1");
    BOOST_TEST(r.mca_id == "mca_1");
    r = match_route("/v2/webhooks/recovery/mer_1/pro_1/mca_1");
    BOOST_TEST(r.kind == route::webhook);
    BOOST_TEST(r.merchant_id == "mer_1");
    BOOST_TEST(r.profile_id == "pro_1");
    BOOST_TEST(r.mca_id == "mca_1");
    BOOST_TEST(match_route("/health").kind == route::health);
    BOOST_TEST(match_route("/ready").kind == route::ready);
    BOOST_TEST(match_route("/metrics").kind == route::metrics);
    for (const char* path : {"/", "", "/v2/webhooks/revenue_recovery/pro_1", "/v2/webhooks/revenue_recovery/pro_1/",
                             "/v2/webhooks/revenue_recovery//mca", "/v2/webhooks/revenue_recovery/a/b/c",
                             "/v2/webhooks/recovery/a/b", "/v1/webhooks/revenue_recovery/a/b", "/healthz"})
        BOOST_TEST(match_route(path).kind == route::none, path);
    // Ids that break the id rule name nothing: `none`, with the id named, before any lookup.
    const std::pair<std::string, std::string_view> bad_ids[] = {
        {"/v2/webhooks/revenue_recovery/pro\x80/mca_1", "profile_id"},
        {"/v2/webhooks/revenue_recovery/pro_1/" + std::string(65, 'm'), "mca_id"},
        {"/v2/webhooks/revenue_recovery/pro_1/mca%20x", "mca_id"},
        {"/v2/webhooks/recovery/mer.1/pro_1/mca_1", "merchant_id"},
        {"/v2/process_tracker/revenue_recovery_workflow/pay_\xff", "payment_id"},
    };
    for (const auto& [path, id] : bad_ids) {
        const auto bad = match_route(path);
        BOOST_TEST((bad.kind == route::none), path);
        BOOST_TEST(bad.invalid_id == id, path);
        BOOST_TEST(bad.profile_id.empty());
    }
    BOOST_TEST(match_route("/v2/webhooks/revenue_recovery/pro_1/" + std::string(64, 'm')).kind == route::webhook);
}

BOOST_AUTO_TEST_CASE(handle_answers_without_a_network)
{
    app_fixture f;
    const auto body = recoup_test::read_fixture("RECOUP_TEST_FIXTURES", "stripe_billing/invoice.payment_failed.basil_payments.json");
    const auto signature = recoup::sign_stripe(body, "whsec_handler", recoup::system_clock{}.now());
    const std::string path = "/v2/webhooks/revenue_recovery/pro_1/mca_stripe";

    auto res = f.call(bhttp::verb::post, path + "?source=test", body, {{"Stripe-Signature", signature}});
    BOOST_TEST(res.result_int() == 200u);
    BOOST_TEST(res.body() == "{}");
    BOOST_TEST(!res["X-Request-Id"].empty());
    BOOST_TEST(f.call(bhttp::verb::post, path, body, {{"Stripe-Signature", signature}}).result_int() == 200u); // duplicate
    BOOST_TEST(f.call(bhttp::verb::post, path, body).result_int() == 401u);
    BOOST_TEST(f.call(bhttp::verb::post, "/v2/webhooks/revenue_recovery/pro_x/mca_stripe", body).result_int() == 404u);
    BOOST_TEST(f.call(bhttp::verb::delete_, path).result_int() == 405u);
    BOOST_TEST(f.call(bhttp::verb::get, "/nowhere").result_int() == 404u);
    BOOST_TEST(f.call(bhttp::verb::get, "/health").result_int() == 200u);
    BOOST_TEST(f.call(bhttp::verb::get, "/ready").result_int() == 200u);

    const auto metrics = f.call(bhttp::verb::get, "/metrics").body();
    BOOST_TEST(metrics.find("recoup_http_requests_total{route=\"webhook\",status=\"200\",connector=\"stripe_billing\"} 2") !=
               std::string::npos);
    BOOST_TEST(metrics.find("recoup_actions_total{action=\"NoAction\"} 1") != std::string::npos); // the duplicate
    BOOST_TEST(metrics.find("recoup_verification_failures_total{connector=\"stripe_billing\"} 1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(base_urls_of_sync_calls)
{
    using recoupd::outbound::base_url;
    auto u = base_url::parse("https://v3.recurly.com");
    BOOST_REQUIRE(u);
    BOOST_TEST(u->tls);
    BOOST_TEST(u->host == "v3.recurly.com");
    BOOST_TEST(u->port == "443");
    BOOST_TEST(u->prefix == "");
    u = base_url::parse("http://127.0.0.1:8081/api/");
    BOOST_REQUIRE(u);
    BOOST_TEST(!u->tls);
    BOOST_TEST(u->port == "8081");
    BOOST_TEST(u->prefix == "/api");
    u = base_url::parse("http://[::1]:9000");
    BOOST_REQUIRE(u);
    BOOST_TEST(u->host == "::1");
    BOOST_TEST(u->port == "9000");
    BOOST_TEST(!base_url::parse("ftp://x"));
    BOOST_TEST(!base_url::parse("https://"));
}

BOOST_AUTO_TEST_CASE(unreachable_sync_target_is_a_sync_failure)
{
    recoupd::outbound::client c({std::chrono::milliseconds(500), std::chrono::milliseconds(500)});
    const auto r = c.perform("http://127.0.0.1:1", {"GET", "/x", {}, ""});
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().code == recoup::error::sync_response_failed);
    BOOST_TEST(r.error().field == "GET /x");
}

// A peer that accepts and never answers costs one total deadline, not a hung worker.
BOOST_AUTO_TEST_CASE(silent_sync_target_times_out_within_the_total_deadline)
{
    namespace asio = boost::asio;
    asio::io_context ioc;
    asio::ip::tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    const auto port = acceptor.local_endpoint().port(); // the kernel completes the handshake; nobody reads
    recoupd::outbound::client c({std::chrono::milliseconds(2000), std::chrono::milliseconds(5000), 1024 * 1024,
                                 std::chrono::milliseconds(800)});
    const auto started = std::chrono::steady_clock::now();
    const auto r = c.perform("http://127.0.0.1:" + std::to_string(port), {"POST", "/v1/charges", {}, "x"});
    const auto took = std::chrono::steady_clock::now() - started;
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().code == recoup::error::sync_response_failed);
    BOOST_TEST(r.error().field == "POST /v1/charges");
    BOOST_TEST(r.error().detail.find("timed out after 800 ms") != std::string::npos, r.error().detail);
    BOOST_TEST((took < std::chrono::seconds(10))); // generous: the point is that it ends
}

BOOST_AUTO_TEST_CASE(unresolvable_sync_target_is_a_sync_failure)
{
    recoupd::outbound::client c({std::chrono::milliseconds(2000), std::chrono::milliseconds(2000), 1024 * 1024,
                                 std::chrono::milliseconds(3000)});
    const auto started = std::chrono::steady_clock::now();
    const auto r = c.perform("http://nonexistent.invalid", {"GET", "/x", {}, ""});
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().code == recoup::error::sync_response_failed);
    BOOST_TEST(r.error().detail.find("resolve nonexistent.invalid") != std::string::npos, r.error().detail);
    BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(15)));
}

namespace {

// A self-signed certificate for 127.0.0.1, as PEM (certificate, key), made with OpenSSL's API.
std::pair<std::string, std::string> self_signed_certificate()
{
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
    auto pem = [](auto write) {
        BIO* bio = BIO_new(BIO_s_mem());
        write(bio);
        char* data = nullptr;
        const long n = BIO_get_mem_data(bio, &data);
        std::string out(data, static_cast<std::size_t>(n));
        BIO_free(bio);
        return out;
    };
    auto cert_pem = pem([&](BIO* b) { PEM_write_bio_X509(b, cert); });
    auto key_pem = pem([&](BIO* b) { PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
    X509_free(cert);
    EVP_PKEY_free(key);
    return {cert_pem, key_pem};
}

} // namespace

// The client verifies certificates: a loopback TLS server with a self-signed one is refused.
BOOST_AUTO_TEST_CASE(https_sync_calls_verify_the_certificate)
{
    namespace asio = boost::asio;
    const auto [cert, key] = self_signed_certificate();
    asio::ssl::context server_tls(asio::ssl::context::tls_server);
    server_tls.use_certificate_chain(asio::buffer(cert));
    server_tls.use_private_key(asio::buffer(key), asio::ssl::context::pem);
    asio::io_context ioc;
    asio::ip::tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    const auto port = acceptor.local_endpoint().port();
    std::thread tls_server([&] {
        asio::ssl::stream<asio::ip::tcp::socket> stream(ioc, server_tls);
        acceptor.accept(stream.lowest_layer());
        boost::system::error_code ec;
        stream.handshake(asio::ssl::stream_base::server, ec); // fails: the client rejects us
    });
    recoupd::outbound::client c({std::chrono::milliseconds(2000), std::chrono::milliseconds(2000)});
    const auto r = c.perform("https://127.0.0.1:" + std::to_string(port), {"GET", "/x", {}, ""});
    tls_server.join();
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().code == recoup::error::sync_response_failed);
    BOOST_TEST(r.error().detail.find("TLS handshake") != std::string::npos, r.error().detail);
}

// Two plugins with one name, in one directory or across --plugin-dir directories, are refused at
// load naming both files: real copies of a bundled connector and processor, really dlopened.
BOOST_AUTO_TEST_CASE(two_plugins_with_one_name_are_refused)
{
    const fs::path bundled = std::getenv("RECOUP_TEST_PLUGIN_DIR");
    const fs::path root = fs::temp_directory_path() / ("recoup-dup-plugins-" + std::to_string(std::random_device{}()));
    struct cleanup {
        fs::path dir;
        ~cleanup()
        {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    } removed{root};
    for (const char* sub : {"one", "a", "b", "proc", "proc_once"}) fs::create_directories(root / sub);
    fs::copy_file(bundled / "recoup_chargebee.so", root / "one" / "recoup_chargebee.so");
    fs::copy_file(bundled / "recoup_chargebee.so", root / "one" / "recoup_chargebee_again.so");
    fs::copy_file(bundled / "recoup_chargebee.so", root / "a" / "recoup_chargebee.so");
    fs::copy_file(bundled / "recoup_chargebee.so", root / "b" / "recoup_cb.so");
    fs::copy_file(bundled / "recoup_simulator.so", root / "proc" / "recoup_simulator.so");
    fs::copy_file(bundled / "recoup_simulator.so", root / "proc" / "recoup_simulator_2.so");
    fs::copy_file(bundled / "recoup_simulator.so", root / "proc_once" / "recoup_simulator.so");

    const auto refused = [](const recoup::result<recoupd::plugins>& r, const std::string& name, const fs::path& first,
                            const fs::path& second) {
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST(recoup::to_string(r.error().code) == "plugin_load_failed");
        BOOST_TEST(r.error().field == second.string());
        BOOST_TEST(r.error().detail == "two plugins are named \"" + name + "\": \"" + first.string() + "\" and \"" +
                                           second.string() + "\"; remove one");
    };
    refused(recoupd::plugins::load_dir(root / "one"), "chargebee", root / "one" / "recoup_chargebee.so",
            root / "one" / "recoup_chargebee_again.so");
    refused(recoupd::plugins::load_path({root / "a", root / "b"}), "chargebee", root / "a" / "recoup_chargebee.so",
            root / "b" / "recoup_cb.so");
    refused(recoupd::plugins::load_dir(root / "proc"), "simulator", root / "proc" / "recoup_simulator.so",
            root / "proc" / "recoup_simulator_2.so");
    // One copy of each loads.
    const auto one = recoupd::plugins::load_path({root / "a", root / "proc_once"});
    BOOST_TEST_REQUIRE(one.has_value(), (one ? "" : one.error().what()));
    BOOST_TEST(one->connector("chargebee") != nullptr);
    BOOST_TEST(one->processor("simulator") != nullptr);
}

BOOST_AUTO_TEST_CASE(listen_addresses)
{
    std::string host;
    unsigned short port = 1;
    recoupd::http::parse_listen("127.0.0.1:0", host, port);
    BOOST_TEST(host == "127.0.0.1");
    BOOST_TEST(port == 0);
    recoupd::http::parse_listen("[::1]:8080", host, port);
    BOOST_TEST(host == "::1");
    BOOST_TEST(port == 8080);
    BOOST_CHECK_THROW(recoupd::http::parse_listen("127.0.0.1", host, port), std::invalid_argument);
    BOOST_CHECK_THROW(recoupd::http::parse_listen("127.0.0.1:70000", host, port), std::invalid_argument);
    BOOST_CHECK_THROW(recoupd::http::parse_listen("127.0.0.1:http", host, port), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(metrics_text_and_log_line)
{
    recoupd::metrics m;
    m.count_request("webhook", 200, "stri\"pe");
    m.observe_duration(0.003);
    const auto text = m.render();
    BOOST_TEST(text.find("connector=\"stri\\\"pe\"") != std::string::npos);
    BOOST_TEST(text.find("recoup_request_duration_seconds_bucket{le=\"0.0025\"} 0") != std::string::npos);
    BOOST_TEST(text.find("recoup_request_duration_seconds_bucket{le=\"0.005\"} 1") != std::string::npos);

    recoupd::http::webhook_log_entry e;
    e.request_id = "r1";
    e.status = 200;
    e.latency_ms = 1.2345;
    const auto line = recoupd::http::to_json_line(e);
    BOOST_TEST(line.find("\"latency_ms\":1.234") != std::string::npos, line);
    BOOST_TEST(line.find('\n') == std::string::npos);
    BOOST_TEST(recoupd::next_request_id() != recoupd::next_request_id());
}
