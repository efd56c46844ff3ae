#include "http/log.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>

namespace recoupd::http {

namespace {

std::mutex log_mutex;
std::ostream* log_stream = &std::cout;

} // namespace

std::string to_json_line(const webhook_log_entry& e)
{
    boost::json::object o;
    o["request_id"] = e.request_id;
    o["profile_id"] = e.profile_id;
    o["mca_id"] = e.mca_id;
    o["connector"] = e.connector;
    o["event_id"] = e.event_id ? boost::json::value(*e.event_id) : boost::json::value(nullptr);
    o["event_type"] = e.event_type;
    o["action"] = e.action;
    o["outcome"] = e.outcome;
    o["status"] = e.status;
    if (e.error_code) o["error"] = *e.error_code;
    if (e.detail) o["detail"] = *e.detail;
    // Boost.JSON writes doubles as 1.468E0: write the latency by hand, to the microsecond.
    std::string line = boost::json::serialize(o);
    char latency[64];
    std::snprintf(latency, sizeof latency, ",\"latency_ms\":%.3f}", e.latency_ms < 0 ? 0.0 : e.latency_ms);
    line.pop_back();
    return line + latency;
}

void log_webhook(const webhook_log_entry& entry)
{
    const std::string line = to_json_line(entry) + "\n";
    std::lock_guard lock(log_mutex);
    if (!log_stream) return;
    *log_stream << line << std::flush;
}

void set_log_stream(std::ostream* out)
{
    std::lock_guard lock(log_mutex);
    log_stream = out;
}

std::string next_request_id()
{
    static const std::uint64_t seed = static_cast<std::uint64_t>(
        std::chrono::system_clock::now().time_since_epoch().count()) * 0x9E3779B97F4A7C15ull;
    static std::atomic<std::uint64_t> counter{0};
    std::uint64_t x = seed + counter.fetch_add(1) * 0xBF58476D1CE4E5B9ull;
    x ^= x >> 31;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 29;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(x));
    return buf;
}

} // namespace recoupd::http
