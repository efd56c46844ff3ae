#include "http/log.hpp"

#include <boost/json.hpp>

#include <cstdio>

namespace recoupd::http {

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

void log_webhook(const webhook_log_entry& entry) { write_log_line(to_json_line(entry)); }

} // namespace recoupd::http
