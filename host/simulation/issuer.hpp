// recoupd simulate: the card issuers of a population behind one loopback HTTP endpoint. The
// simulator processor (with "issuer_api": true) sends each charge here, POST /v1/charges
// {token, amount, currency, idempotency_key}; the issuer finds the invoice and method the token
// stands for, reads the virtual clock, answers from the timeline segment containing that time
// ({status, decline_code, network, network_code, advice_code}) and logs the attempt. A charge
// sent again under the same idempotency key gets the same answer and is not a second attempt.
// Under /platform/ it also stands for the billing platform's API: a record-back is acknowledged
// (200 {}) and counted. recoupd's own HTTP server on 127.0.0.1, any free port, on a thread of its own.
#pragma once

#include "http/server.hpp"
#include "simulation/population.hpp"
#include "simulation/violations.hpp"

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace recoupd::simulation {

class issuer {
public:
    // `population` and `clock` must outlive the issuer.
    issuer(const std::vector<invoice>& population, const std::atomic<std::int64_t>& clock);
    ~issuer();
    issuer(const issuer&) = delete;
    issuer& operator=(const issuer&) = delete;

    std::string base_url() const;
    // The billing platform's API: the billing MCA's base_url.
    std::string platform_url() const;
    static constexpr std::string_view platform_prefix = "/platform/";

    // The token the platform reports for method `m` of invoice `i` (indexes into the population).
    static std::string token_of(std::size_t i, std::size_t m);

    // Logs the platform's own failed charge of invoice `i` on its default method at failed_at.
    void record_platform_failure(std::size_t i);

    std::vector<attempt_entry> log() const;
    // Requests that were not a charge of a known token (each answered 4xx).
    std::size_t refused() const;
    // Calls to the platform's API (record-backs).
    std::size_t platform_calls() const;

private:
    http::response handle(http::request&& req);
    attempt_entry answer_at(std::size_t i, std::size_t m, std::int64_t t) const;

    const std::vector<invoice>& population_;
    const std::atomic<std::int64_t>& clock_;
    std::map<std::string, std::pair<std::size_t, std::size_t>> tokens_;
    mutable std::mutex mutex_;
    std::vector<attempt_entry> log_;
    std::map<std::string, std::string> answered_; // idempotency key -> the answer's body
    std::size_t refused_ = 0;
    std::size_t platform_calls_ = 0;
    std::unique_ptr<http::server> server_; // last but one: stopped before the state it uses goes
    std::thread thread_;
    unsigned short port_ = 0;
};

// The JSON body the issuer answers for an attempt.
std::string answer_body(const attempt_entry& e);

} // namespace recoupd::simulation
