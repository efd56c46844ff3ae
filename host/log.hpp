// recoupd: the structured log, one JSON object per line on one stream (stdout by default), shared by
// the webhook path (http/log.hpp) and the scheduler. Only identifiers and outcomes go in: never a
// secret, a signature header, a card token or a body.
#pragma once

#include <boost/json/object.hpp>

#include <ostream>
#include <string>

namespace recoupd {

// Writes `line` and a newline, whole lines only even with many threads.
void write_log_line(const std::string& line);
// The object as one line.
void log_json(const boost::json::object& entry);
void set_log_stream(std::ostream* out); // nullptr: no logging (benchmarks)

// A fresh id for a request or a scheduler decision: 16 hex characters, unique within the process
// and unlikely across runs.
std::string next_request_id();

} // namespace recoupd
