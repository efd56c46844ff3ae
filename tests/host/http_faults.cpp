// Serving through slow peers, faults and floods (docs/running-the-host.md, "Timeouts and limits"):
// a platform API that never answers holds only its own webhooks, a full worker queue answers 503
// at once, /health stays on the I/O threads, idle connections and a client that never reads cost
// nothing and are bounded, and a frozen database answers 503 at the request deadline. Only the
// project's own fixtures. Run with "sqlite" or "postgresql" after "--".
#define BOOST_TEST_MODULE http_faults
#define BOOST_TEST_NO_MAIN
#include "http_harness.hpp"

#include "fake_api.hpp"

#include <future>

#include <sys/resource.h>

using namespace http_test;

namespace {

const std::string recurly_secret = "recurly_webhook_key";

// A distinct Stripe invoice.payment_failed: its own event and invoice.
std::string stripe_failure(const std::string& tag)
{
    return replace_all(replace_all(own_fixture("stripe_billing/invoice.payment_failed.basil_payments.json"),
                                   "evt_RcSbFail0001", "evt_" + tag),
                       "in_RcSbInv0001", "in_" + tag);
}

struct faults_world {
    fake_api api; // Recurly's API, hanging: every sync call waits
    std::unique_ptr<world> w;

    explicit faults_world(std::vector<std::string> server_args)
    {
        api.set_mode(fake_api::mode::hang);
        api.set_hang(std::chrono::seconds(4));
        w = std::make_unique<world>(backend_from_args(),
                                    std::vector<mca_spec>{{"mca_recurly", "recurly", {recurly_secret}, "rk_test_key",
                                                           api.base_url(), {}}},
                                    std::move(server_args));
    }

    std::future<reply> recurly_async(int n)
    {
        const auto body = replace_all(own_fixture("recurly/notification_payment_failed.json"), "rq4fa1ntf0a1",
                                      "rq4fa1ntf" + std::to_string(100 + n));
        const auto port = w->host->port();
        return std::async(std::launch::async, [port, body] {
            return send(port, "POST", webhook_path("pro_1", "mca_recurly"), recurly_headers(body, recurly_secret), body);
        });
    }
};

double elapsed_ms(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

// utime + stime of a process, in seconds.
double cpu_seconds(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string skip;
    for (int i = 3; i < 14; ++i) fields >> skip; // fields 3..13
    long utime = 0, stime = 0;
    fields >> utime >> stime;
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

void raise_descriptor_limit()
{
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
}

using tcp_socket = boost::asio::ip::tcp::socket;

std::unique_ptr<tcp_socket> open_idle(boost::asio::io_context& ioc, unsigned short port)
{
    auto s = std::make_unique<tcp_socket>(ioc);
    s->connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    return s;
}

// True when the server has closed `s`: a read ends (EOF or reset) within `wait`.
bool closed_by_server(tcp_socket& s, std::chrono::seconds wait)
{
    timeval tv{static_cast<time_t>(wait.count()), 0};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[65536];
    const auto until = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < until) {
        const auto n = ::recv(s.native_handle(), buf, sizeof buf, 0);
        if (n == 0) return true;                                  // EOF
        if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK; // reset; a timeout is "still open"
    }
    return false;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_hung_platform_api_holds_only_its_own_webhooks)
{
    faults_world fw({"--workers", "4", "--request-timeout", "2", "--sync-timeout", "3"});
    auto stuck_a = fw.recurly_async(1);
    auto stuck_b = fw.recurly_async(2);
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // both are on workers, waiting on the API

    const auto health_started = std::chrono::steady_clock::now();
    BOOST_TEST(fw.w->host->get("/health").status == 200);
    BOOST_TEST_MESSAGE("/health while two workers wait on a hung API: " << elapsed_ms(health_started) << " ms");
    for (int i = 0; i < 5; ++i) {
        const auto r = fw.w->stripe(stripe_failure("hung_other_" + std::to_string(i)));
        BOOST_TEST(r.status == 200, r.body);
    }
    for (auto* f : {&stuck_a, &stuck_b}) {
        const auto r = f->get();
        BOOST_TEST(r.status == 503, r.body);
        BOOST_TEST(error_code_of(r.body) == "HE_05", r.body);
        BOOST_TEST(!r.header("Retry-After").empty());
    }
    BOOST_TEST(fw.w->rows("payment_intent") == 5); // the Stripe ones; nothing of the stuck ones
}

BOOST_AUTO_TEST_CASE(a_full_queue_answers_503_at_once_and_health_stays_up)
{
    faults_world fw({"--workers", "1", "--queue-limit", "1", "--request-timeout", "2", "--sync-timeout", "3"});
    auto running = fw.recurly_async(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto waiting = fw.recurly_async(2);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));

    const auto r = fw.w->stripe(stripe_failure("queue_full"));
    BOOST_TEST(r.status == 503, r.body);
    BOOST_TEST(error_code_of(r.body) == "HE_05", r.body);
    BOOST_TEST(r.header("Retry-After") == "5");
    BOOST_TEST(fw.w->host->get("/health").status == 200);
    BOOST_TEST(fw.w->host->get("/metrics").status == 200);
    BOOST_TEST(running.get().status == 503);
    BOOST_TEST(waiting.get().status == 503);
    BOOST_TEST(fw.w->written() == 0);

    // Once the API answers again, the redelivery goes through.
    fw.api.set_mode(fake_api::mode::fail_500);
    std::this_thread::sleep_for(std::chrono::seconds(5)); // the worker is done with both hung calls
    BOOST_TEST(fw.w->stripe(stripe_failure("queue_full")).status == 200);
}

BOOST_AUTO_TEST_CASE(idle_connections_and_a_client_that_never_reads)
{
    raise_descriptor_limit();
    world w(backend_from_args(), {}, {"--write-timeout", "2"});
    boost::asio::io_context ioc;
    std::vector<std::unique_ptr<tcp_socket>> idle;
    for (int i = 0; i < 2000; ++i) idle.push_back(open_idle(ioc, w.host->port()));

    // Pipelines requests and never reads an answer: the server's writes fill the socket, then
    // its write deadline closes the connection.
    auto greedy = open_idle(ioc, w.host->port());
    timeval send_timeout{3, 0};
    ::setsockopt(greedy->native_handle(), SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    std::string burst;
    for (int i = 0; i < 1000; ++i) burst += "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
    for (int i = 0; i < 200; ++i)
        if (::send(greedy->native_handle(), burst.data(), burst.size(), MSG_NOSIGNAL) < 0) break;

    const auto cpu_before = cpu_seconds(w.host->process().pid());
    const auto started = std::chrono::steady_clock::now();
    BOOST_TEST(w.host->get("/health").status == 200);
    BOOST_TEST_MESSAGE("/health with 2000 idle connections and a greedy client: " << elapsed_ms(started) << " ms");
    BOOST_TEST(w.stripe(stripe_failure("idle_normal")).status == 200);
    std::this_thread::sleep_for(std::chrono::seconds(3));
    const auto cpu = cpu_seconds(w.host->process().pid()) - cpu_before;
    BOOST_TEST_MESSAGE("server CPU over those 3 s: " << cpu << " s");
    BOOST_TEST(cpu < 1.5); // idle connections cost nothing; a spinning loop would cost ~3 s
    BOOST_TEST(closed_by_server(*greedy, std::chrono::seconds(10)));
}

BOOST_AUTO_TEST_CASE(above_the_connection_cap_the_oldest_idle_connection_goes)
{
    world w(backend_from_args(), {}, {"--max-connections", "50"});
    boost::asio::io_context ioc;
    std::vector<std::unique_ptr<tcp_socket>> idle;
    for (int i = 0; i < 50; ++i) idle.push_back(open_idle(ioc, w.host->port()));
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // all accepted and idle
    BOOST_TEST(w.host->get("/health").status == 200);
    BOOST_TEST(w.stripe(stripe_failure("capped")).status == 200);
    BOOST_TEST(closed_by_server(*idle.front(), std::chrono::seconds(5)));
}

BOOST_AUTO_TEST_CASE(a_frozen_database_answers_503_at_the_deadline_and_loses_nothing,
                     *boost::unit_test::precondition(on_postgresql{}))
{
    const auto pgctl = env_or("RECOUP_TEST_PG_CTL");
    BOOST_REQUIRE_MESSAGE(!pgctl.empty(), "RECOUP_TEST_PG_CTL is not set");
    world w(backend::postgresql, {}, {"--request-timeout", "2"});
    BOOST_TEST(w.stripe(stripe_failure("before_freeze")).status == 200);

    BOOST_REQUIRE(run_command({pgctl, "freeze"}).status == 0);
    const auto started = std::chrono::steady_clock::now();
    const auto frozen = w.stripe(stripe_failure("while_frozen"));
    BOOST_TEST_MESSAGE("503 with the database frozen after " << elapsed_ms(started) << " ms");
    const auto ready = w.host->get("/ready");
    BOOST_TEST(run_command({pgctl, "thaw"}).status == 0);

    BOOST_TEST(frozen.status == 503, frozen.body);
    BOOST_TEST(!frozen.header("Retry-After").empty());
    BOOST_TEST(ready.status == 503, ready.body);
    BOOST_TEST(w.stripe(stripe_failure("while_frozen")).status == 200); // the redelivery completes
    BOOST_TEST(w.host->get("/ready").status == 200);
    // One of each per invoice: the frozen request either committed late (then its redelivery was
    // a duplicate) or not at all.
    BOOST_TEST(w.rows("payment_intent") == 2);
    BOOST_TEST(w.rows("payment_attempt") == 2);
    BOOST_TEST(w.rows("process_tracker") == 2);
}

HTTP_TEST_MAIN()
