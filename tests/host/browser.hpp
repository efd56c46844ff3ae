// A real browser for the dashboard's test: Debian's headless Chromium, started fresh (its own
// temporary profile, its own process group) and driven over the DevTools protocol with
// Boost.Beast's WebSocket client. No npm, no python: the test speaks CDP JSON itself.
// Every wait is bounded in time; the browser and its profile go away in the destructor, also when
// the test fails. Without a Chromium binary the test fails naming the package to install.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <recoup/crypto.hpp>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
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

namespace browser_test {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

// RECOUP_TEST_CHROMIUM, else Debian's /usr/bin/chromium.
inline std::string chromium_path()
{
    const char* v = std::getenv("RECOUP_TEST_CHROMIUM");
    return v && *v ? std::string(v) : std::string("/usr/bin/chromium");
}

// The browser process: started with --remote-debugging-port=0; the port it chose is read from
// DevToolsActivePort in its fresh user data dir. stderr goes to a file there (read on failure).
class chromium {
public:
    chromium()
    {
        const auto binary = chromium_path();
        if (::access(binary.c_str(), X_OK) != 0)
            throw std::runtime_error("no Chromium at " + binary +
                                     ": install Debian's chromium package (./dev deps does), or set RECOUP_TEST_CHROMIUM");
        std::random_device rd;
        dir_ = fs::temp_directory_path() / ("recoup-chromium-" + std::to_string(rd()) + std::to_string(::getpid()));
        fs::create_directories(dir_ / "profile");
        const std::vector<std::string> args{binary,
                                            "--headless=new",
                                            "--no-sandbox",
                                            "--disable-gpu",
                                            "--disable-quic",
                                            "--no-first-run",
                                            "--no-default-browser-check",
                                            "--disable-background-networking",
                                            "--disable-component-update",
                                            "--disable-sync",
                                            "--disable-extensions",
                                            "--disable-dev-shm-usage",
                                            "--hide-scrollbars",
                                            "--user-data-dir=" + (dir_ / "profile").string(),
                                            "--remote-debugging-address=127.0.0.1",
                                            "--remote-debugging-port=0",
                                            "about:blank"};
        const auto log = (dir_ / "chromium.log").string();
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            ::setpgid(0, 0); // its own group: the renderer, GPU and utility processes go with it
            const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            const int null = ::open("/dev/null", O_RDONLY);
            if (fd >= 0) {
                ::dup2(fd, 1);
                ::dup2(fd, 2);
            }
            if (null >= 0) ::dup2(null, 0);
            std::vector<char*> argv;
            for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::setpgid(pid_, pid_);
        try {
            ws_url_ = wait_for_devtools();
        } catch (...) {
            stop();
            throw;
        }
    }
    ~chromium() { stop(); }
    chromium(const chromium&) = delete;
    chromium& operator=(const chromium&) = delete;

    const std::string& ws_url() const { return ws_url_; }

    std::string log() const
    {
        std::ifstream in(dir_ / "chromium.log");
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

private:
    // DevToolsActivePort: "<port>\n/devtools/browser/<id>\n"; 30 s at most.
    std::string wait_for_devtools()
    {
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        const auto file = dir_ / "profile" / "DevToolsActivePort";
        while (std::chrono::steady_clock::now() < deadline) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("chromium exited at start:\n" + log());
            }
            std::ifstream in(file);
            std::string port, path;
            if (in && std::getline(in, port) && std::getline(in, path) && !port.empty() && path.starts_with("/devtools/"))
                return "ws://127.0.0.1:" + port + path;
            std::this_thread::sleep_for(50ms);
        }
        throw std::runtime_error("chromium did not open its DevTools port within 30 s:\n" + log());
    }

    // SIGTERM to the group, 10 s to go, then SIGKILL; the profile dir is removed either way.
    void stop() noexcept
    {
        if (pid_ > 0) {
            ::kill(-pid_, SIGTERM);
            const auto deadline = std::chrono::steady_clock::now() + 10s;
            int status = 0;
            bool reaped = false;
            while (std::chrono::steady_clock::now() < deadline) {
                if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                    reaped = true;
                    break;
                }
                std::this_thread::sleep_for(50ms);
            }
            ::kill(-pid_, SIGKILL); // stragglers of the group, and the browser if it did not go
            if (!reaped) ::waitpid(pid_, &status, 0);
            pid_ = -1;
        }
        std::error_code ec;
        for (int i = 0; i < 3 && fs::exists(dir_, ec); ++i) {
            fs::remove_all(dir_, ec);
            if (ec) std::this_thread::sleep_for(100ms);
        }
    }

    pid_t pid_ = -1;
    fs::path dir_;
    std::string ws_url_;
};

// One DevTools connection (the browser endpoint; pages are reached through flat sessions).
class devtools {
public:
    explicit devtools(const std::string& ws_url) : ws_(ioc_)
    {
        // ws://127.0.0.1:PORT/devtools/browser/ID
        const auto rest = ws_url.substr(std::string("ws://").size());
        const auto slash = rest.find('/');
        const auto host_port = rest.substr(0, slash);
        const auto colon = host_port.rfind(':');
        const auto port = static_cast<unsigned short>(std::stoi(host_port.substr(colon + 1)));
        ws_.read_message_max(128 * 1024 * 1024);
        bool done = false;
        boost::system::error_code ec;
        boost::beast::get_lowest_layer(ws_).async_connect(
            boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port),
            [&](boost::system::error_code e) { ec = e, done = true; });
        run(done, 10s, "connect to DevTools");
        if (ec) throw std::runtime_error("DevTools connect: " + ec.message());
        done = false;
        ws_.async_handshake(host_port, rest.substr(slash), [&](boost::system::error_code e) { ec = e, done = true; });
        run(done, 10s, "DevTools handshake");
        if (ec) throw std::runtime_error("DevTools handshake: " + ec.message());
    }

    // A command; its "result", or an exception naming the method and the browser's error.
    json::object call(const std::string& method, json::object params = {}, const std::string& session = {},
                      std::chrono::milliseconds timeout = 20s)
    {
        const auto id = ++next_id_;
        json::object msg{{"id", id}, {"method", method}, {"params", std::move(params)}};
        if (!session.empty()) msg["sessionId"] = session;
        write(json::serialize(msg));
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (true) {
            auto m = read(deadline, method);
            if (const auto* i = m.if_contains("id"); i && i->to_number<std::int64_t>() == id) {
                if (const auto* e = m.if_contains("error"))
                    throw std::runtime_error(method + " failed: " + json::serialize(*e));
                return m["result"].as_object();
            }
            keep(std::move(m));
        }
    }

    // The first event `method` (of `session`, when given) not yet consumed, waiting at most `timeout`.
    json::object wait_event(const std::string& method, const std::string& session, std::chrono::milliseconds timeout)
    {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (true) {
            for (auto it = events_.begin(); it != events_.end(); ++it) {
                const auto& e = *it;
                if (e.contains("method") && e.at("method").as_string() == method &&
                    (session.empty() || (e.contains("sessionId") && e.at("sessionId").as_string() == session))) {
                    auto out = std::move(*it);
                    events_.erase(it);
                    return out;
                }
            }
            keep(read(deadline, method));
        }
    }

private:
    // Events wait here for wait_event; the oldest go first past 2000 (Network.* ones pile up).
    void keep(json::object event)
    {
        events_.push_back(std::move(event));
        if (events_.size() > 2000) events_.pop_front();
    }

    void run(bool& done, std::chrono::steady_clock::duration timeout, const std::string& what)
    {
        ioc_.restart();
        ioc_.run_for(timeout);
        if (!done) {
            boost::system::error_code ignored;
            boost::beast::get_lowest_layer(ws_).socket().cancel(ignored);
            ioc_.restart();
            ioc_.run_for(2s);
            throw std::runtime_error("timed out: " + what);
        }
    }

    void write(const std::string& text)
    {
        bool done = false;
        boost::system::error_code ec;
        ws_.text(true);
        ws_.async_write(boost::asio::buffer(text), [&](boost::system::error_code e, std::size_t) { ec = e, done = true; });
        run(done, 10s, "DevTools write");
        if (ec) throw std::runtime_error("DevTools write: " + ec.message());
    }

    json::object read(std::chrono::steady_clock::time_point deadline, const std::string& waiting_for)
    {
        const auto left = deadline - std::chrono::steady_clock::now();
        if (left <= 0s) throw std::runtime_error("timed out waiting for " + waiting_for);
        boost::beast::flat_buffer buffer;
        bool done = false;
        boost::system::error_code ec;
        ws_.async_read(buffer, [&](boost::system::error_code e, std::size_t) { ec = e, done = true; });
        // A timeout cancels the read, which fails the stream for further use: the test ends there.
        ioc_.restart();
        ioc_.run_for(left);
        if (!done) {
            boost::system::error_code ignored;
            boost::beast::get_lowest_layer(ws_).socket().cancel(ignored);
            ioc_.restart();
            ioc_.run_for(2s);
            throw std::runtime_error("timed out waiting for " + waiting_for);
        }
        if (ec) throw std::runtime_error("DevTools read: " + ec.message());
        return json::parse(boost::beast::buffers_to_string(buffer.data())).as_object();
    }

    boost::asio::io_context ioc_;
    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    std::int64_t next_id_ = 0;
    std::deque<json::object> events_;
};

struct viewport {
    int width, height;
    double scale;
    bool mobile;
};
inline constexpr viewport laptop{1280, 800, 1, false};
inline constexpr viewport phone{390, 844, 2, true};

// A tab in a browser context of its own (its own cookie jar), attached as a flat session.
class page {
public:
    page(devtools& dt, viewport v) : dt_(dt)
    {
        context_ = std::string(dt_.call("Target.createBrowserContext").at("browserContextId").as_string());
        target_ = std::string(dt_.call("Target.createTarget", {{"url", "about:blank"}, {"browserContextId", context_}})
                                  .at("targetId")
                                  .as_string());
        session_ = std::string(
            dt_.call("Target.attachToTarget", {{"targetId", target_}, {"flatten", true}}).at("sessionId").as_string());
        call("Page.enable");
        call("Network.enable");
        resize(v);
    }
    ~page()
    {
        try {
            dt_.call("Target.closeTarget", {{"targetId", target_}}, {}, 5s);
            dt_.call("Target.disposeBrowserContext", {{"browserContextId", context_}}, {}, 5s);
        } catch (const std::exception&) {
        }
    }
    page(const page&) = delete;
    page& operator=(const page&) = delete;

    json::object call(const std::string& method, json::object params = {}) { return dt_.call(method, std::move(params), session_); }

    void resize(viewport v)
    {
        call("Emulation.setDeviceMetricsOverride",
             {{"width", v.width}, {"height", v.height}, {"deviceScaleFactor", v.scale}, {"mobile", v.mobile}});
    }

    void extra_headers(json::object headers) { call("Network.setExtraHTTPHeaders", {{"headers", std::move(headers)}}); }

    // Navigates and waits (at most 20 s) until the document at `url` has loaded.
    void go(const std::string& url)
    {
        const auto r = call("Page.navigate", {{"url", url}});
        if (const auto* e = r.if_contains("errorText"); e && !e->as_string().empty())
            throw std::runtime_error("navigation to " + url + " failed: " + std::string(e->as_string()));
        wait_until("location.href === " + json::serialize(json::value(url)) + " && document.readyState === 'complete'");
    }

    // The value of a JavaScript expression (returned by value: JSON-able results only).
    json::value eval(const std::string& expression)
    {
        const auto r = call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}});
        if (const auto* e = r.if_contains("exceptionDetails")) throw std::runtime_error("page script failed: " + json::serialize(*e));
        const auto& result = r.at("result").as_object();
        if (const auto* v = result.if_contains("value")) return *v;
        return nullptr;
    }
    std::string text(const std::string& expression)
    {
        const auto v = eval(expression);
        return v.is_string() ? std::string(v.as_string()) : std::string();
    }

    // Polls `expression` every 50 ms until it is true: 400 polls (20 s) at most.
    void wait_until(const std::string& expression)
    {
        for (int i = 0; i < 400; ++i) {
            try {
                const auto v = eval(expression);
                if (v.is_bool() && v.as_bool()) return;
            } catch (const std::runtime_error&) {
                // the document is being replaced (navigation): poll again
            }
            std::this_thread::sleep_for(50ms);
        }
        throw std::runtime_error("timed out waiting until " + expression + " (at " + text("location.href") + ")");
    }

    // The whole page (beyond the viewport) as PNG bytes.
    std::string screenshot()
    {
        const auto m = call("Page.getLayoutMetrics");
        const auto& size = m.at("cssContentSize").as_object();
        const double w = size.at("width").to_number<double>(), h = size.at("height").to_number<double>();
        const auto r = call("Page.captureScreenshot",
                            {{"format", "png"},
                             {"captureBeyondViewport", true},
                             {"clip", {{"x", 0}, {"y", 0}, {"width", w}, {"height", h}, {"scale", 1}}}});
        auto png = recoup::base64_decode(r.at("data").as_string());
        if (!png) throw std::runtime_error("the screenshot is not base64");
        return *png;
    }

    json::array cookies(const std::string& url)
    {
        return call("Network.getCookies", {{"urls", json::array{json::value(url)}}}).at("cookies").as_array();
    }

private:
    devtools& dt_;
    std::string context_, target_, session_;
};

} // namespace browser_test
