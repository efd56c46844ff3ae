#include "log.hpp"

#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <mutex>

namespace recoupd {

namespace {

std::mutex log_mutex;
std::ostream* log_stream = &std::cout;

} // namespace

void write_log_line(const std::string& line)
{
    const std::string whole = line + "\n";
    std::lock_guard lock(log_mutex);
    if (!log_stream) return;
    *log_stream << whole << std::flush;
}

void log_json(const boost::json::object& entry) { write_log_line(boost::json::serialize(entry)); }

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

} // namespace recoupd
