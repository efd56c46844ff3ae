// recoupd: the query strings of the recovery API and the dashboard (issue #14), parsed into the
// store's filters. Pure string work: no socket, no store. A parameter that is present but wrong
// (an unknown status, a non-numeric time, a limit out of range, a cursor that is not one) is an
// error naming it; an unknown parameter is ignored; an empty value counts as absent.
#pragma once

#include "store/recovery_queries.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace recoupd::http {

// What is wrong with a query: the parameter's name and a sentence for the 400 body.
struct query_error {
    std::string parameter;
    std::string message;
};

// The query's key=value pairs, percent-decoded ('+' is a space), in order. A pair whose
// percent-encoding is broken keeps its raw text.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

// profile_id, status, connector, decline_class, from, to (unix seconds), limit (1-200), cursor.
std::variant<invoice_filter, query_error> parse_invoice_query(std::string_view query);

struct summary_query {
    std::optional<std::string> profile_id;
    std::optional<std::int64_t> from, to;
};

// profile_id, from, to.
std::variant<summary_query, query_error> parse_summary_query(std::string_view query);

} // namespace recoupd::http
