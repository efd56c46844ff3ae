// A crash and a race through the whole host: `recoupd serve` SIGKILLed under load loses no
// acknowledged webhook and, once restarted, completes the redeliveries with one effect each; two
// `recoupd serve` on one database, sent every delivery at once, apply each exactly once. Run with
// "sqlite" or "postgresql" after "--".
#define BOOST_TEST_MODULE http_crash
#define BOOST_TEST_NO_MAIN
#include "http_harness.hpp"

#include <barrier>
#include <functional>
#include <set>

using namespace http_test;

namespace {

using clock_type = std::chrono::steady_clock;

// Tasks come due 60 s after a failure: no scheduler, so its own attempts never blur the counts.
const std::vector<std::string> serve_args{"--no-scheduler"};

std::string failure_body(const std::string& invoice, const std::string& event_id, const std::string& payment_intent)
{
    static const std::string fixture_body = fixture("stripe/invoice.payment_failed.json");
    return replace_all(replace_all(replace_all(fixture_body, "in_000000000000000000000000", invoice),
                                   "evt_000000000000000000000000", event_id),
                       "pi_000000000000000000000000", payment_intent);
}

// Delivery n: its own event, invoice and payment intent.
struct delivery {
    std::string event_id, invoice, payment_intent, body;
};

std::vector<delivery> deliveries(const std::string& tag, int count)
{
    std::vector<delivery> out;
    for (int n = 0; n < count; ++n) {
        const auto k = std::to_string(n);
        delivery d{"evt_" + tag + "_" + k, "in_" + tag + "_" + k, "pi_" + tag + "_" + k, {}};
        d.body = failure_body(d.invoice, d.event_id, d.payment_intent);
        out.push_back(std::move(d));
    }
    return out;
}

// Signed at send time: a redelivery minutes later stays inside the signature tolerance.
int post_failure(connection& c, const delivery& d)
{
    return c.post(webhook_path("pro_1", "mca_stripe"), stripe_headers(d.body, world::stripe_secret), d.body).status;
}

bool is_2xx(int status) { return status >= 200 && status < 300; }

std::set<std::string> column(test_database& db, const std::string& query)
{
    std::set<std::string> out;
    soci::rowset<std::string> rows = db.sql().prepare << query;
    for (const auto& v : rows) out.insert(v);
    return out;
}

// SIGKILLs the servers when a phase overruns its time, so a hung server ends the blocked clients.
class watchdog {
public:
    watchdog(std::chrono::seconds limit, std::function<void()> on_expiry)
        : thread_([this, limit, on_expiry = std::move(on_expiry)] {
              std::unique_lock lock(mutex_);
              if (!cv_.wait_for(lock, limit, [this] { return done_; })) {
                  fired_ = true;
                  on_expiry();
              }
          })
    {
    }
    ~watchdog() { disarm(); }
    watchdog(const watchdog&) = delete;
    watchdog& operator=(const watchdog&) = delete;

    // Stops the clock; true when it had fired.
    bool disarm()
    {
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable()) thread_.join();
        return fired_;
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool done_ = false;
    bool fired_ = false;
    std::thread thread_;
};

// Sends every delivery once over `clients` keep-alive connections; the statuses (-1: no answer).
std::vector<int> deliver_all(unsigned short port, const std::vector<delivery>& all, int clients)
{
    std::vector<int> status(all.size(), 0);
    std::vector<std::thread> threads;
    for (int k = 0; k < clients; ++k)
        threads.emplace_back([&, k] {
            connection c(port);
            for (std::size_t i = static_cast<std::size_t>(k); i < all.size(); i += static_cast<std::size_t>(clients)) {
                try {
                    status[i] = post_failure(c, all[i]);
                } catch (const std::exception&) {
                    status[i] = -1;
                }
            }
        });
    for (auto& t : threads) t.join();
    return status;
}

long long count_lines(const child& process, const std::string& needle)
{
    long long n = 0;
    for (const auto& l : process.lines())
        if (l.find(needle) != std::string::npos) ++n;
    return n;
}

// The lines of answers of 500 and above, whose "detail" says what failed.
std::string server_errors(const child& process)
{
    std::string out;
    for (const auto& l : process.lines())
        if (l.find("\"status\":5") != std::string::npos) out += l + "\n";
    return out;
}

// Exactly one intent, attempt and EXECUTE_WORKFLOW task per invoice, one claim per event.
void check_one_effect_each(world& w, long long n)
{
    BOOST_TEST(w.rows("payment_intent") == n);
    BOOST_TEST(w.db.count("SELECT COUNT(DISTINCT merchant_reference_id) FROM payment_intent") == n);
    BOOST_TEST(w.db.count("SELECT COUNT(*) FROM payment_intent WHERE total_retry_count <> 1") == 0);
    BOOST_TEST(w.rows("payment_attempt") == n);
    BOOST_TEST(w.db.count("SELECT COUNT(DISTINCT connector_payment_id) FROM payment_attempt") == n);
    BOOST_TEST(w.db.count("SELECT COUNT(*) FROM process_tracker WHERE name = 'EXECUTE_WORKFLOW'") == n);
    BOOST_TEST(w.db.count("SELECT COUNT(DISTINCT payment_id) FROM process_tracker WHERE name = 'EXECUTE_WORKFLOW'") == n);
    BOOST_TEST(w.rows("process_tracker") == n);
    BOOST_TEST(w.rows("webhook_delivery") == n);
    BOOST_TEST(w.db.count("SELECT COUNT(*) FROM webhook_event WHERE outcome <> 'duplicate'") == n);
    BOOST_TEST(w.db.count("SELECT COUNT(DISTINCT connector_event_id) FROM webhook_event WHERE outcome <> 'duplicate'") == n);
}

} // namespace

// Every case below delivers payloads from ../shared/fixtures: without them the suite is skipped.
BOOST_AUTO_TEST_SUITE(public_payloads, *recoup_test::needs_shared_fixtures())

BOOST_AUTO_TEST_CASE(sigkill_under_load_loses_no_acknowledged_webhook_and_redelivery_completes)
{
    constexpr int total = 3000;
    constexpr int clients = 8;
    constexpr long long kill_after = 1000; // acknowledged deliveries before the crash
    world w(backend_from_args(), {}, serve_args);
    const auto all = deliveries("crash", total);

    // Each client walks its share in order over one keep-alive connection until the server dies.
    std::vector<int> status(total, 0);
    std::atomic<long long> sent{0}, acknowledged{0}, refused{0}, dropped_before_kill{0};
    std::atomic<bool> killed{false};
    const auto port = w.host->port();
    std::vector<std::thread> threads;
    for (int k = 0; k < clients; ++k)
        threads.emplace_back([&, k] {
            connection c(port);
            for (int i = k; i < total; i += clients) {
                ++sent;
                try {
                    status[i] = post_failure(c, all[i]);
                    if (is_2xx(status[i])) ++acknowledged;
                    else ++refused;
                } catch (const std::exception&) {
                    status[i] = -1;
                    if (!killed) ++dropped_before_kill;
                    break; // the server is gone (or broke the connection: counted above)
                }
            }
        });
    const auto deadline = clock_type::now() + std::chrono::seconds(60);
    while (acknowledged < kill_after && clock_type::now() < deadline && sent < total)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    killed = true;
    w.host->kill_now();
    for (auto& t : threads) t.join();
    const auto killed_output = w.host->process().output();
    const long long started_before_kill = sent, acked = acknowledged;

    BOOST_TEST_REQUIRE(acked >= kill_after, "only " << acked << " acknowledged in 60 s");
    BOOST_TEST(started_before_kill < total); // the crash came under load, not after it
    BOOST_TEST(refused.load() == 0, server_errors(w.host->process()));
    BOOST_TEST(dropped_before_kill.load() == 0);

    // Every acknowledged delivery committed its intent, its attempt and its event row.
    const auto intents = column(w.db, "SELECT merchant_reference_id FROM payment_intent");
    const auto attempts = column(w.db, "SELECT connector_payment_id FROM payment_attempt");
    const auto events = column(w.db, "SELECT connector_event_id FROM webhook_event");
    long long lost = 0;
    for (int i = 0; i < total; ++i)
        if (is_2xx(status[i]) && (!intents.count(all[i].invoice) || !attempts.count(all[i].payment_intent) ||
                                  !events.count(all[i].event_id))) {
            ++lost;
            BOOST_TEST_MESSAGE("acknowledged but not committed: " << all[i].event_id);
        }
    BOOST_TEST(lost == 0);
    const auto found = static_cast<long long>(intents.size());
    BOOST_TEST(found >= acked);
    BOOST_TEST(static_cast<long long>(events.size()) == found); // a crash leaves whole transactions only
    BOOST_TEST(static_cast<long long>(attempts.size()) == found);
    BOOST_TEST(w.rows("webhook_delivery") == found);

    // The platform redelivers everything to a restarted host.
    w.host.reset();
    w.host = std::make_unique<server>(w.db, serve_args);
    const auto started = clock_type::now();
    std::vector<int> again;
    {
        watchdog guard(std::chrono::seconds(120), [&] { w.host->kill_now(); });
        again = deliver_all(w.host->port(), all, clients);
        BOOST_TEST(!guard.disarm(), "the redelivery took over 120 s");
    }
    const auto redelivery_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - started).count();
    long long again_2xx = 0;
    for (int s : again) again_2xx += is_2xx(s) ? 1 : 0;
    BOOST_TEST(again_2xx == total, server_errors(w.host->process()));
    check_one_effect_each(w, total);
    BOOST_TEST(w.rows("webhook_event") == total + found);
    BOOST_TEST(w.db.count("SELECT COUNT(*) FROM webhook_event WHERE outcome = 'duplicate'") == found);

    BOOST_TEST_MESSAGE("sigkill under load: sent " << total << " distinct webhooks; " << started_before_kill
                       << " requests started before the kill, " << acked << " acknowledged (2xx); after the kill "
                       << found << " committed (" << found - acked << " committed but unacknowledged); "
                       << "redelivery of all " << total << ": " << again_2xx << " answered 2xx in " << redelivery_ms
                       << " ms, " << found << " of them duplicates; rows now: " << w.rows("payment_intent")
                       << " intents, " << w.rows("payment_attempt") << " attempts, " << w.rows("process_tracker")
                       << " tasks");
    if (lost != 0) BOOST_TEST_MESSAGE("killed server's output:\n" << killed_output);
}

BOOST_AUTO_TEST_CASE(two_servers_on_one_database_apply_each_delivery_once)
{
    constexpr int n = 300;
    constexpr int pairs = 4; // client pairs: one thread per server, in step
    world w(backend_from_args(), {}, serve_args);
    server second(w.db, serve_args);
    const auto all = deliveries("twin", n);
    const unsigned short ports[2] = {w.host->port(), second.port()};

    std::vector<int> status[2] = {std::vector<int>(n, 0), std::vector<int>(n, 0)};
    const auto started = clock_type::now();
    {
        watchdog guard(std::chrono::seconds(120), [&] {
            w.host->kill_now();
            second.kill_now();
        });
        std::vector<std::unique_ptr<std::barrier<>>> steps;
        for (int p = 0; p < pairs; ++p) steps.push_back(std::make_unique<std::barrier<>>(2));
        std::vector<std::thread> threads;
        for (int p = 0; p < pairs; ++p)
            for (int s = 0; s < 2; ++s)
                threads.emplace_back([&, p, s] {
                    connection c(ports[s]);
                    for (int i = p; i < n; i += pairs) {
                        steps[static_cast<std::size_t>(p)]->arrive_and_wait(); // both servers get delivery i at once
                        try {
                            status[s][static_cast<std::size_t>(i)] = post_failure(c, all[static_cast<std::size_t>(i)]);
                        } catch (const std::exception&) {
                            status[s][static_cast<std::size_t>(i)] = -1;
                        }
                    }
                });
        for (auto& t : threads) t.join();
        BOOST_TEST(!guard.disarm(), "the deliveries took over 120 s");
    }
    const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - started).count();

    long long answered_2xx[2] = {0, 0};
    for (int s = 0; s < 2; ++s)
        for (int v : status[s]) answered_2xx[s] += is_2xx(v) ? 1 : 0;
    BOOST_TEST(answered_2xx[0] == n, server_errors(w.host->process()));
    BOOST_TEST(answered_2xx[1] == n, server_errors(second.process()));

    check_one_effect_each(w, n);
    BOOST_TEST(w.rows("webhook_event") == 2 * n);
    BOOST_TEST(w.db.count("SELECT COUNT(*) FROM webhook_event WHERE outcome = 'duplicate'") == n);
    BOOST_TEST(w.db.count("SELECT COUNT(DISTINCT connector_event_id) FROM webhook_event WHERE outcome = 'duplicate'") == n);

    const long long duplicates[2] = {count_lines(w.host->process(), "\"outcome\":\"duplicate\""),
                                     count_lines(second.process(), "\"outcome\":\"duplicate\"")};
    BOOST_TEST(duplicates[0] + duplicates[1] == n);
    BOOST_TEST_MESSAGE("two servers: " << n << " deliveries sent to both in " << elapsed_ms << " ms; server 1 answered "
                       << answered_2xx[0] << " 2xx (" << n - duplicates[0] << " applied, " << duplicates[0]
                       << " duplicate), server 2 answered " << answered_2xx[1] << " 2xx (" << n - duplicates[1]
                       << " applied, " << duplicates[1] << " duplicate)");
}

BOOST_AUTO_TEST_SUITE_END() // public_payloads

HTTP_TEST_MAIN()
