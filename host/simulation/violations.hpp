// recoupd simulate: network violations, counted from the issuer's own log of every attempt
// against a rule table (recoup::network_rules: the defaults, or the profile's), independently of
// the scheduler that tried to keep them. A deliberately plain recount: for each attempt, every
// limit's window is counted again from the log, and every earlier decline of the credential is
// checked against the never-retry rules.
#pragma once

#include <recoup/network_rules.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace recoupd::simulation {

// One charge the issuer answered (or the platform's own failed charge that started the invoice).
struct attempt_entry {
    std::int64_t at = 0;
    std::string invoice_id;
    std::string method_id; // the credential: (invoice_id, method_id)
    std::string network;   // as the population spells it: visa, mastercard, ...
    bool approved = false;
    std::string decline;      // the decline code when declined ("insufficient_funds")
    std::string network_code; // the issuer's response code ("51")
    std::string advice_code;  // Mastercard's Merchant Advice Code, "" when none
    bool platform = false;    // the platform's own attempt, reported by its failure webhook
};

struct violation {
    std::size_t attempt = 0; // index into the log
    std::string rule;        // the rule broken: a limit's name, or a never_retry rule's name
};

// Every attempt that breaks a rule, once per attempt (the first rule found): an attempt breaks a
// limit when its window (at - window, at] then holds more counted attempts of its credential than
// the limit allows, counting itself (declines: declined attempts; reattempts: attempts that follow
// a decline of the credential with no approval between); it breaks a never-retry rule when an
// earlier decline of the credential since its last approval matches the rule. All attempts are
// merchant-initiated (the platform's renewal charge too). The log may be in any order.
std::vector<violation> find_violations(std::span<const attempt_entry> log, const recoup::network_rules& rules);

} // namespace recoupd::simulation
