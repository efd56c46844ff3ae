// Shared by the HTTP integration suites: a `recoupd serve` child process on a free loopback
// port, a database of its own per test (an SQLite file in a temp dir, or a fresh PostgreSQL
// schema), the CLI to create profiles and MCAs, a plain HTTP client, and SQL to check rows.
// Every process started and every response read here is kept for secret_leaks (transcript.hpp).
#pragma once

#include "transcript.hpp"

#include "../support/shared_fixtures.hpp"
#include "../support/test_support.hpp"

#include <recoup/signature.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/test/unit_test.hpp>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace http_test {

namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = boost::asio::ip::tcp;

// ---- environment ------------------------------------------------------------------------------

inline std::string env_or(const char* name, std::string fallback = {})
{
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : fallback;
}

inline std::string recoupd_path() { return env_or("RECOUPD"); }
inline std::string plugin_dir() { return env_or("RECOUP_TEST_PLUGIN_DIR"); }

using recoup_test::read_file;

inline std::string fixture(const std::string& relative)
{
    return recoup_test::read_fixture("RECOUP_SHARED_FIXTURES", relative);
}

// The project's own payloads (tests/fixtures).
inline std::string own_fixture(const std::string& relative)
{
    return recoup_test::read_fixture("RECOUP_TEST_FIXTURES", relative);
}

inline std::string replace_all(std::string s, const std::string& from, const std::string& to)
{
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

inline std::string random_suffix()
{
    static std::mutex m;
    static std::mt19937_64 rng(std::random_device{}() ^ static_cast<std::uint64_t>(::getpid()));
    std::lock_guard lock(m);
    static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    for (int i = 0; i < 10; ++i) out += digits[rng() % 36];
    return out;
}

// ---- child processes --------------------------------------------------------------------------

struct command_result {
    int status = -1;
    std::string output; // stdout and stderr
};

// Runs a program to completion; output captured.
inline command_result run_command(const std::vector<std::string>& args)
{
    transcript::note_secrets_of(args);
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(fds[1], 1);
        ::dup2(fds[1], 2);
        ::close(fds[0]);
        ::close(fds[1]);
        std::vector<char*> argv;
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    command_result out;
    char buf[4096];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.output.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    transcript::append(transcript::process_file(args, pid), out.output);
    return out;
}

// A long-running child whose output lines are collected by a reader thread.
class child {
public:
    explicit child(const std::vector<std::string>& args)
    {
        transcript::note_secrets_of(args);
        int fds[2];
        if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(fds[1], 1);
            ::dup2(fds[1], 2);
            ::close(fds[0]);
            ::close(fds[1]);
            std::vector<char*> argv;
            for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(fds[1]);
        fd_ = fds[0];
        transcript_ = transcript::process_file(args, pid_);
        reader_ = std::thread([this] { read_lines(); });
    }
    ~child()
    {
        stop();
        reader_.join();
        ::close(fd_);
    }
    child(const child&) = delete;
    child& operator=(const child&) = delete;

    // SIGTERM and wait; the exit status (-1 when killed by a signal).
    int stop()
    {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
            pid_ = -1;
            exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        return exit_status_;
    }

    // SIGKILL and wait: no shutdown, no drain, nothing flushed (a crash).
    void kill_now()
    {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            ::waitpid(pid_, &status, 0);
            pid_ = -1;
            exit_status_ = -1;
        }
    }

    // The first line starting with `prefix`, waiting at most `timeout`.
    std::optional<std::string> wait_for_line(const std::string& prefix,
                                             std::chrono::milliseconds timeout = std::chrono::seconds(20))
    {
        std::unique_lock lock(mutex_);
        std::optional<std::string> found;
        cv_.wait_for(lock, timeout, [&] {
            for (const auto& l : lines_)
                if (l.rfind(prefix, 0) == 0) {
                    found = l;
                    return true;
                }
            return done_;
        });
        return found;
    }

    pid_t pid() const { return pid_; }

    std::vector<std::string> lines() const
    {
        std::lock_guard lock(mutex_);
        return lines_;
    }

    std::string output() const
    {
        std::string all;
        for (const auto& l : lines()) all += l + "\n";
        return all;
    }

private:
    void read_lines()
    {
        std::string pending;
        char buf[4096];
        for (ssize_t n; (n = ::read(fd_, buf, sizeof buf)) > 0;) {
            transcript::append(transcript_, std::string_view(buf, static_cast<std::size_t>(n)));
            pending.append(buf, static_cast<std::size_t>(n));
            for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
                std::lock_guard lock(mutex_);
                lines_.push_back(pending.substr(0, nl));
                pending.erase(0, nl + 1);
                cv_.notify_all();
            }
        }
        std::lock_guard lock(mutex_);
        if (!pending.empty()) lines_.push_back(pending);
        done_ = true;
        cv_.notify_all();
    }

    pid_t pid_ = -1;
    int fd_ = -1;
    fs::path transcript_;
    int exit_status_ = -1;
    std::thread reader_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::string> lines_;
    bool done_ = false;
};

// ---- HTTP -------------------------------------------------------------------------------------

struct reply {
    int status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    std::string header(const std::string& name) const
    {
        for (const auto& [n, v] : headers)
            if (beast::iequals(n, name)) return v;
        return {};
    }
};

inline reply send(unsigned short port, const std::string& method, const std::string& target,
                  const std::vector<std::pair<std::string, std::string>>& headers = {}, const std::string& body = {})
{
    boost::asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [n, v] : headers) req.insert(n, v);
    req.body() = body;
    req.prepare_payload();
    bhttp::write(socket, req);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    bhttp::read(socket, buffer, parser);
    auto res = parser.release();
    reply out;
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    transcript::record_response(method, target, out.status, out.headers, out.body);
    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    return out;
}

// Keep-alive requests over one connection (reopened when the server closes it); throws when it breaks.
class connection {
public:
    explicit connection(unsigned short port) : port_(port) {}

    reply send(const std::string& method, const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers,
               const std::string& body)
    {
        try {
            if (!socket_) {
                socket_.emplace(ioc_);
                socket_->connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
            }
            bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
            req.set(bhttp::field::host, "127.0.0.1");
            for (const auto& [n, v] : headers) req.insert(n, v);
            req.body() = body;
            req.keep_alive(true);
            req.prepare_payload();
            bhttp::write(*socket_, req);
            bhttp::response_parser<bhttp::string_body> parser;
            parser.body_limit(64 * 1024 * 1024);
            bhttp::read(*socket_, buffer_, parser);
            auto res = parser.release();
            reply out;
            out.status = static_cast<int>(res.result_int());
            out.body = res.body();
            for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
            transcript::record_response(method, target, out.status, out.headers, out.body);
            if (!res.keep_alive()) reset();
            return out;
        } catch (...) {
            reset();
            throw;
        }
    }

    reply post(const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers,
               const std::string& body)
    {
        return send("POST", target, headers, body);
    }

private:
    void reset()
    {
        boost::system::error_code ignored;
        if (socket_) socket_->close(ignored);
        socket_.reset();
        buffer_.clear();
    }

    unsigned short port_;
    boost::asio::io_context ioc_;
    std::optional<tcp::socket> socket_;
    beast::flat_buffer buffer_;
};

// Raw bytes in, the answer's status line and body out (for requests Beast would not build).
inline reply send_raw(unsigned short port, const std::string& bytes)
{
    boost::asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    boost::system::error_code ec;
    boost::asio::write(socket, boost::asio::buffer(bytes), ec); // the server may stop reading early
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    bhttp::read(socket, buffer, parser, ec);
    reply out;
    if (ec && !parser.is_header_done()) return out;
    auto res = parser.release();
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    transcript::record_response("raw", "", out.status, out.headers, out.body);
    return out;
}

// The "code" of an error body ("WE_01"), or "" when the body is not one.
inline std::string error_code_of(const std::string& body)
{
    const auto at = body.find("\"code\":\"");
    if (at == std::string::npos) return {};
    return body.substr(at + 8, body.find('"', at + 8) - at - 8);
}

// ---- databases --------------------------------------------------------------------------------

enum class backend { sqlite, postgresql };

inline backend backend_from_args()
{
    const auto& suite = boost::unit_test::framework::master_test_suite();
    for (int i = 1; i < suite.argc; ++i)
        if (std::string(suite.argv[i]) == "postgresql") return backend::postgresql;
    return backend::sqlite;
}

// Precondition for a case that needs a PostgreSQL server (freezing it, for one): skipped on SQLite.
struct on_postgresql {
    boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const
    {
        if (backend_from_args() == backend::postgresql) return true;
        boost::test_tools::assertion_result r(false);
        r.message() << "needs a PostgreSQL server";
        return r;
    }
};

// Boost.Test main that exits 77 (skipped) for a PostgreSQL run without RECOUP_TEST_PG_URL.
#define HTTP_TEST_MAIN()                                                                                  \
    int main(int argc, char* argv[])                                                                      \
    {                                                                                                     \
        for (int i = 1; i < argc; ++i)                                                                    \
            if (std::string(argv[i]) == "postgresql" && http_test::env_or("RECOUP_TEST_PG_URL").empty()) { \
                std::puts("RECOUP_TEST_PG_URL is not set: skipped");                                      \
                return 77;                                                                                \
            }                                                                                             \
        return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);                           \
    }

// SOCI 4.0 mangles a libpq URI without parameters ("db" becomes "db="): always give one.
inline std::string pg_connect_string(const std::string& url)
{
    if (url.find("connect_timeout=") != std::string::npos) return url;
    return url + (url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=10";
}

// A database of the test's own: an SQLite file in a temp dir, or a fresh schema on PostgreSQL.
class test_database {
public:
    explicit test_database(backend b) : backend_(b)
    {
        dir_ = fs::temp_directory_path() / ("recoup-http-" + random_suffix());
        fs::create_directories(dir_);
        if (b == backend::sqlite) {
            url_ = "sqlite:" + (dir_ / "recoup.db").string();
        } else {
            const std::string base = env_or("RECOUP_TEST_PG_URL");
            schema_ = "t_" + random_suffix();
            {
                soci::session admin(soci::postgresql, pg_connect_string(base));
                admin << "CREATE SCHEMA " + schema_;
            }
            url_ = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_;
        }
    }
    ~test_database()
    {
        sql_.reset();
        try {
            if (backend_ == backend::postgresql) {
                soci::session admin(soci::postgresql, pg_connect_string(env_or("RECOUP_TEST_PG_URL")));
                admin << "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE";
            }
        } catch (const std::exception&) {
        }
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    const std::string& url() const { return url_; }
    backend kind() const { return backend_; }
    const fs::path& dir() const { return dir_; }

    // A session for checking rows (reopened after a database restart).
    soci::session& sql()
    {
        if (!sql_) {
            sql_ = std::make_unique<soci::session>();
            if (backend_ == backend::sqlite) sql_->open(soci::sqlite3, "db=" + (dir_ / "recoup.db").string() + " timeout=30");
            else sql_->open(soci::postgresql, pg_connect_string(url_));
        }
        return *sql_;
    }
    void drop_session() { sql_.reset(); }

    long long count(const std::string& query)
    {
        long long n = 0;
        sql() << query, soci::into(n);
        return n;
    }
    std::string text(const std::string& query)
    {
        std::string s;
        soci::indicator ind = soci::i_ok;
        sql() << query, soci::into(s, ind);
        return ind == soci::i_ok ? s : std::string("<null>");
    }

private:
    backend backend_;
    fs::path dir_;
    std::string url_;
    std::string schema_;
    std::unique_ptr<soci::session> sql_;
};

// ---- the host ---------------------------------------------------------------------------------

inline void set_master_key()
{
    ::setenv("RECOUP_MASTER_KEY", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
}

// recoupd CLI against the test database; fails the test on a non-zero exit.
inline std::string recoupd_cli(const test_database& db, std::vector<std::string> args)
{
    args.insert(args.begin(), recoupd_path());
    args.push_back("--database");
    args.push_back(db.url());
    auto r = run_command(args);
    BOOST_REQUIRE_MESSAGE(r.status == 0, "recoupd " + args[1] + " failed: " + r.output);
    return r.output;
}

struct mca_spec {
    std::string id;
    std::string connector;
    std::vector<std::string> secrets;
    std::string api_key;
    std::string base_url;
    std::vector<std::string> settings; // key=value
};

inline void add_mca(const test_database& db, const std::string& profile, const mca_spec& m)
{
    std::vector<std::string> args{"mca", "add", "--profile", profile, "--id", m.id, "--connector", m.connector,
                                  "--plugin-dir", plugin_dir()};
    for (const auto& s : m.secrets) args.insert(args.end(), {"--secret", s});
    if (!m.api_key.empty()) args.insert(args.end(), {"--api-key", m.api_key});
    if (!m.base_url.empty()) args.insert(args.end(), {"--base-url", m.base_url});
    for (const auto& s : m.settings) args.insert(args.end(), {"--setting", s});
    recoupd_cli(db, args);
}

// `recoupd serve` on a free port of 127.0.0.1.
class server {
public:
    server(const test_database& db, std::vector<std::string> extra = {})
    {
        std::vector<std::string> args{recoupd_path(), "serve", "--listen", "127.0.0.1:0", "--database", db.url(),
                                      "--plugin-dir", plugin_dir(), "--threads", "4"};
        args.insert(args.end(), extra.begin(), extra.end());
        process_ = std::make_unique<child>(args);
        auto line = process_->wait_for_line("listening on ");
        BOOST_REQUIRE_MESSAGE(line, "recoupd serve did not start:\n" + process_->output());
        port_ = static_cast<unsigned short>(std::stoi(line->substr(line->rfind(':') + 1)));
    }

    unsigned short port() const { return port_; }
    child& process() { return *process_; }
    void kill_now() { process_->kill_now(); }

    reply post(const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers,
               const std::string& body)
    {
        return send(port_, "POST", target, headers, body);
    }
    reply get(const std::string& target) { return send(port_, "GET", target); }

private:
    std::unique_ptr<child> process_;
    unsigned short port_ = 0;
};

inline std::string webhook_path(const std::string& profile, const std::string& mca)
{
    return "/v2/webhooks/revenue_recovery/" + profile + "/" + mca;
}

using headers_t = std::vector<std::pair<std::string, std::string>>;

inline headers_t stripe_headers(const std::string& body, const std::string& secret)
{
    return {{"Stripe-Signature", recoup::sign_stripe(body, secret, recoup::system_clock{}.now())},
            {"Content-Type", "application/json"}};
}
inline headers_t recurly_headers(const std::string& body, const std::string& secret)
{
    return {{"recurly-signature", recoup::sign_recurly(body, secret, recoup::system_clock{}.now())},
            {"Content-Type", "application/json"}};
}
inline headers_t chargebee_headers(const std::string& user, const std::string& password)
{
    return {{"Authorization", recoup::basic_auth_value(user, password)}, {"Content-Type", "application/json"}};
}

// A test's world: its database migrated, profile "pro_1" with one MCA per bundled connector,
// and a running server.
// The JSON log line the server wrote for a webhook reply (found by its X-Request-Id).
inline std::string log_line_of(server& host, const reply& r)
{
    const auto id = r.header("X-Request-Id");
    BOOST_REQUIRE(!id.empty());
    const auto line = host.process().wait_for_line("{\"request_id\":\"" + id + "\"");
    BOOST_REQUIRE_MESSAGE(line, "no log line for request " + id);
    return *line;
}

struct world {
    static constexpr const char* stripe_secret = "whsec_test_stripe_secret";
    static constexpr const char* recurly_secret = "recurly_test_secret";
    static constexpr const char* chargebee_user = "cb_user";
    static constexpr const char* chargebee_password = "cb_password";

    test_database db;
    std::unique_ptr<server> host;

    explicit world(backend b, std::vector<mca_spec> extra_mcas = {}, std::vector<std::string> server_args = {})
        : db(b)
    {
        set_master_key();
        recoupd_cli(db, {"migrate", "up"});
        recoupd_cli(db, {"profile", "add", "--id", "pro_1"});
        recoupd_cli(db, {"profile", "add", "--id", "pro_2"});
        add_mca(db, "pro_1", {"mca_stripe", "stripe_billing", {stripe_secret}, "", "", {}});
        add_mca(db, "pro_1", {"mca_chargebee", "chargebee", {std::string(chargebee_user) + ":" + chargebee_password}, "", "", {}});
        for (const auto& m : extra_mcas) add_mca(db, "pro_1", m);
        host = std::make_unique<server>(db, server_args);
    }

    reply stripe(const std::string& body)
    {
        return host->post(webhook_path("pro_1", "mca_stripe"), stripe_headers(body, stripe_secret), body);
    }
    reply chargebee(const std::string& body)
    {
        return host->post(webhook_path("pro_1", "mca_chargebee"), chargebee_headers(chargebee_user, chargebee_password), body);
    }

    long long rows(const std::string& table) { return db.count("SELECT COUNT(*) FROM " + table); }
    // Rows written by webhooks: everything but the profiles and MCAs.
    long long written()
    {
        return rows("payment_intent") + rows("payment_attempt") + rows("process_tracker") + rows("webhook_event") +
               rows("webhook_delivery");
    }
};

} // namespace http_test
