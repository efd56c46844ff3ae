// recoupd: the scheduler's side of the network rules and payment-method switching (docs/recovery.md
// "In the scheduler"): it gathers what recoup::plan_charge() and recoup::decide_after_decline()
// need from the profile and the store, and applies a plan that ends the run before a charge. The
// decisions themselves are the library's (<recoup/method_choice.hpp>).
#pragma once

#include "store/soci_store.hpp"

#include <recoup/method_choice.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace recoupd {

// How a profile retries: its algorithm and its network rules (a stored table that does not parse
// any more: the defaults, and a warning in the log).
struct retry_policy {
    recoup::retry_algorithm algorithm = recoup::retry_algorithm::cascading;
    recoup::network_rules rules = recoup::default_network_rules();
};

retry_policy retry_policy_of(const std::optional<profile_record>& profile);

// The plan for the claimed EXECUTE task, in one transaction; a wait re-arms the task and a finish
// finishes it there (no attempt is recorded, nothing is charged). `claim_lost` is set when the
// task is no longer ours.
struct planned {
    recoup::charge_plan plan;
    bool claim_lost = false;
};
planned plan_execute(soci_store& store, const recoup::task_record& claimed, const recoup::intent_record& intent,
                     const std::vector<recoup::charge_method>& methods, const retry_policy& policy,
                     std::int64_t now);

// What decide_after_decline() needs after `method` was declined: the credential's history and
// the invoice's attempts, with attempt `attempt_id` as the decline `charge` makes it, and whether
// another method is left.
recoup::decline_context decline_context_of(soci_store& store, const recoup::intent_record& intent,
                                           const std::string& attempt_id, const recoup::charge_result& charge,
                                           const recoup::charge_method& method,
                                           const std::vector<recoup::charge_method>& methods,
                                           const retry_policy& policy, std::int64_t now);

// The method attempt `attempt_id` of the intent charged (its recorded payment_method_id among
// `methods`); the default when it recorded none or one no longer listed.
recoup::charge_method method_of_attempt(soci_store& store, const recoup::intent_record& intent,
                                        const std::string& attempt_id,
                                        const std::vector<recoup::charge_method>& methods);

} // namespace recoupd
