// A loopback fake of a billing platform's or a processor's API for the scheduler suites, on a
// loopback_server (fake_api.hpp): it answers every request with one settable status and body, and
// records each request exactly.
#pragma once

#include "fake_api.hpp"
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

class fake_platform {
public:
    struct seen_request {
        std::string method, target, body;
        std::map<std::string, std::string> headers;
    };

    fake_platform()
        : server_(2, [this](recoupd::http::request&& req) {
              namespace bhttp = boost::beast::http;
              {
                  std::lock_guard lock(mutex_);
                  seen_request s{std::string(req.method_string()), std::string(req.target()), req.body(), {}};
                  for (const auto& f : req) s.headers[std::string(f.name_string())] = std::string(f.value());
                  seen_.push_back(std::move(s));
              }
              recoupd::http::response res{static_cast<bhttp::status>(status_.load()), req.version()};
              res.set(bhttp::field::content_type, "application/json");
              {
                  std::lock_guard lock(mutex_);
                  res.body() = reply_body_;
              }
              res.keep_alive(req.keep_alive());
              return res;
          })
    {
    }

    std::string base_url() const { return server_.base_url(); }
    std::vector<seen_request> seen() const
    {
        std::lock_guard lock(mutex_);
        return seen_;
    }
    void fail(bool yes) { status_ = yes ? 500 : 200; }
    void reply_with(int status, std::string body)
    {
        std::lock_guard lock(mutex_);
        status_ = status;
        reply_body_ = std::move(body);
    }

private:
    mutable std::mutex mutex_;
    std::vector<seen_request> seen_;
    std::atomic<int> status_{200};
    std::string reply_body_ = R"({"invoice":{"id":"6","status":"paid"}})";
    loopback_server server_; // last: stopped before the state its handler uses goes
};

} // namespace http_test
