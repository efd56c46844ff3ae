// A loopback fake of a billing platform's API (Recurly's, for sync calls), served by recoupd's
// own HTTP server class in this process. It answers GETs from a path -> body table, records what
// it was asked, and can be told to fail (500) or to hang past the host's sync timeout.
#pragma once

#include "http/server.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace http_test {

// recoupd's HTTP server on a free port of 127.0.0.1, run on a thread of its own until destroyed.
class loopback_server {
public:
    loopback_server(int threads, recoupd::http::handler_fn handler)
    {
        recoupd::http::server_options options;
        options.host = "127.0.0.1";
        options.port = 0;
        options.threads = threads;
        options.drain_timeout = std::chrono::milliseconds(100);
        server_ = std::make_unique<recoupd::http::server>(options, std::move(handler));
        port_ = server_->listen().port();
        thread_ = std::thread([this] { server_->run(false); });
    }
    ~loopback_server()
    {
        server_->stop();
        thread_.join();
    }
    loopback_server(const loopback_server&) = delete;
    loopback_server& operator=(const loopback_server&) = delete;

    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
    std::unique_ptr<recoupd::http::server> server_;
    std::thread thread_;
    unsigned short port_ = 0;
};

class fake_api {
public:
    enum class mode { answer, fail_500, hang };

    struct seen_request {
        std::string method, target, accept, authorization;
    };

    fake_api() : server_(4, [this](recoupd::http::request&& req) { return handle(std::move(req)); }) {}
    fake_api(const fake_api&) = delete;
    fake_api& operator=(const fake_api&) = delete;

    std::string base_url() const { return server_.base_url(); }

    void set(const std::string& path, std::string body)
    {
        std::lock_guard lock(mutex_);
        bodies_[path] = std::move(body);
    }
    void set_mode(mode m) { mode_ = m; }
    // How long a hanging answer waits.
    void set_hang(std::chrono::milliseconds d) { hang_ = d; }

    std::vector<seen_request> seen() const
    {
        std::lock_guard lock(mutex_);
        return seen_;
    }

private:
    recoupd::http::response handle(recoupd::http::request&& req)
    {
        namespace bhttp = boost::beast::http;
        std::string body;
        bool known = false;
        {
            std::lock_guard lock(mutex_);
            seen_.push_back({std::string(req.method_string()), std::string(req.target()),
                             std::string(req[bhttp::field::accept]), std::string(req[bhttp::field::authorization])});
            if (auto it = bodies_.find(std::string(req.target())); it != bodies_.end()) {
                body = it->second;
                known = true;
            }
        }
        const mode m = mode_;
        if (m == mode::hang) std::this_thread::sleep_for(hang_.load());
        recoupd::http::response res{m == mode::fail_500 ? bhttp::status::internal_server_error
                                    : known             ? bhttp::status::ok
                                                        : bhttp::status::not_found,
                                    req.version()};
        res.set(bhttp::field::content_type, "application/json");
        res.body() = m == mode::fail_500 ? R"({"error":{"type":"internal_server_error"}})"
                     : known             ? body
                                         : R"({"error":{"type":"not_found"}})";
        res.keep_alive(req.keep_alive());
        return res;
    }

    mutable std::mutex mutex_;
    std::map<std::string, std::string> bodies_;
    std::vector<seen_request> seen_;
    std::atomic<mode> mode_{mode::answer};
    std::atomic<std::chrono::milliseconds> hang_{std::chrono::milliseconds(2500)};
    loopback_server server_; // last: stopped before the state its handler uses goes
};

} // namespace http_test
