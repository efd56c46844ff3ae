// recoupd: one structured JSON line per webhook, through the shared log (log.hpp). Only
// identifiers and outcomes go in: never a secret, a signature header, a card token or the body.
#pragma once

#include "../log.hpp" // the shared log at the host root, not this file

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace recoupd::http {

struct webhook_log_entry {
    std::string request_id;
    std::string profile_id;
    std::string mca_id;
    std::string connector;
    std::optional<std::string> event_id;
    std::string event_type;
    std::string action;
    std::string outcome;
    int status = 0;
    std::optional<std::string> error_code; // recoup's error kind when the webhook failed
    std::optional<std::string> detail;     // why a 5xx happened, for the operator (never in the answer)
    double latency_ms = 0;
};

// The entry as one JSON object, without a newline.
std::string to_json_line(const webhook_log_entry& entry);

// Writes the line to the shared log stream (stdout by default).
void log_webhook(const webhook_log_entry& entry);

} // namespace recoupd::http
