// recoupd simulate: a population of failed invoices with their hidden truth (issue #13). One
// invoice per JSON line:
//   {"id":"inv_1","amount":4999,"currency":"USD","failed_at":1767225600,"methods":[{"id":"pm_1",
//    "network":"visa","timeline":[{"until":1767571200,"decline":"insufficient_funds","code":"51"},
//    {"until":1768435200,"approve":true},{"decline":"expired_card","code":"54"}]}]}
// The first method is the default, the rest are alternates the platform reports. A charge at time
// t gets the segment of its method's timeline containing t: the first whose `until` is after t
// (the last segment has none). Only the issuer reads the timelines; the scheduler never does.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace recoupd::simulation {

struct segment {
    std::optional<std::int64_t> until; // exclusive; none: for ever
    bool approve = false;
    std::string decline; // the processor's decline code when not approved ("insufficient_funds")
    std::string code;    // the network's response code ("51")
};

struct payment_method {
    std::string id;
    std::string network; // visa, mastercard, amex, discover
    std::vector<segment> timeline;

    // The segment in force at `t`.
    const segment& at(std::int64_t t) const;
};

struct invoice {
    std::string id;
    std::int64_t amount = 0; // minor units
    std::string currency;    // ISO 4217
    std::int64_t failed_at = 0;
    std::vector<payment_method> methods; // [0]: the default
};

// A line that is not an invoice; what() names what is wrong.
class population_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One line as an invoice. Throws population_error.
invoice parse_invoice(std::string_view line);

// Every non-empty line of `in`; a bad line throws population_error "line N: ...". Ids must be unique.
std::vector<invoice> read_population(std::istream& in);

// The invoice as one line of the format above, keys in that order (the generator's output).
std::string to_json_line(const invoice& inv);

} // namespace recoupd::simulation
