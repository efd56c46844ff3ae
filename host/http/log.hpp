// recoupd: one structured JSON line per webhook. Only identifiers and outcomes go in: never a
// secret, a signature header, a card token or the body.
#pragma once

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

// Writes the line to `out` (stdout by default), whole lines only even with many threads.
void log_webhook(const webhook_log_entry& entry);
void set_log_stream(std::ostream* out); // nullptr: no logging (benchmarks)

// A fresh request id: 16 hex characters, unique within the process and unlikely across runs.
std::string next_request_id();

} // namespace recoupd::http
