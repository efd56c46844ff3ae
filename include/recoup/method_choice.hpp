// recoup: the network rules and payment-method switching in the retry workflow (docs/recovery.md
// "In the scheduler"). Before each charge plan_charge() picks the method (the default, or the next
// alternate once one is barred) and asks the network budget whether it may be charged now; after a
// failed charge decide_after_decline() chooses what follows under every algorithm: the next
// method, the smart algorithm's time, or the cascading ladder, never an attempt a rule forbids.
// Pure decisions; plan_charge only reads the transaction.
#pragma once

#include <recoup/credential.hpp>
#include <recoup/decline.hpp>
#include <recoup/detail/config.hpp>
#include <recoup/domain.hpp>
#include <recoup/network_rules.hpp>
#include <recoup/processor.hpp>
#include <recoup/retry.hpp>
#include <recoup/smart_retry.hpp>
#include <recoup/store.hpp>
#include <recoup/task.hpp>
#include <recoup/workflow.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

RECOUP_BEGIN_NAMESPACE

// A payment method the scheduler may charge for an invoice.
struct charge_method {
    std::string token;
    card_network network = card_network::other;
    std::string credential_id; // credential_id(profile, token)
    friend bool operator==(const charge_method&, const charge_method&) = default;
};

// The invoice's methods: the attempt's own (the default) first, then the alternates the platform
// reported, each token once. Empty when the attempt names no token.
std::vector<charge_method> methods_of(std::string_view profile_id, const recovery_attempt& source);

// How far back the budget reads a credential's history: past the longest rule window, and far
// enough that a never-retry decline is not forgotten while the card is still retried.
inline constexpr std::int64_t credential_history_span = 400 * 86400;

// The wait before trying the next method after one is barred.
inline constexpr std::int64_t method_switch_delay = 3600;

// Stored attempts as the budget sees them (every attempt the merchant side made is merchant-initiated).
std::vector<past_attempt> past_attempts_of(std::span<const attempt_record> attempts);

// check_budget() for a method; a network without rules of its own (other: unknown brands
// included) is held to the strictest defaults, Visa's and Mastercard's both.
budget_verdict check_method_budget(const network_rules& rules, card_network network,
                                   std::span<const past_attempt> history, std::int64_t at);

// Whether this invoice must not charge the method again: a never-retry rule bars the credential, or
// one of the invoice's own attempts on it was declined with a class that says switch (should_switch_method).
bool method_barred(const network_rules& rules, const charge_method& method, std::span<const past_attempt> history,
                   std::span<const attempt_record> invoice_attempts, std::int64_t now);

struct charge_plan {
    enum class step { charge, wait, finish } what = step::finish;
    std::optional<charge_method> method; // charge: the method to charge
    std::int64_t at = 0;                 // wait: when the rules first allow it
    std::string business_status;         // finish: NEVER_RETRY or NETWORK_BUDGET_EXHAUSTED
    std::string reason;                  // the rule or decline that decided, for the log
};

// Before the charge of the claimed EXECUTE task (retry `retry_count`): the first method not barred,
// charged now when the budget allows, else a wait until it does (finish NETWORK_BUDGET_EXHAUSTED
// when that is past `horizon_end`); finish NEVER_RETRY when every method is barred. Under `smart`
// "first" is the one this invoice has seen declined the fewest times (ties: the default first), so
// a soft decline of the default moves to the customer's backup method and the methods then take
// turns. A crashed run's attempt is charged again with the method it recorded (the same idempotency key).
template <workflow_transaction Tx>
charge_plan plan_charge(Tx& tx, const intent_record& intent, std::int32_t retry_count,
                        std::span<const charge_method> methods, const network_rules& rules, std::int64_t horizon_end,
                        std::int64_t now, retry_algorithm algorithm = retry_algorithm::cascading);

// The invoice's declines of a method (its failed attempts on the method's credential).
std::int32_t declines_of(const charge_method& method, std::span<const attempt_record> invoice_attempts);

// What the profile and the invoice say about the next retry after a failed charge.
struct decline_context {
    retry_algorithm algorithm = retry_algorithm::cascading;
    network_rules rules = default_network_rules();
    charge_method method;                           // the method just declined
    std::vector<past_attempt> credential_history;   // the credential's, the declined charge included
    std::vector<attempt_record> invoice_attempts;   // the invoice's, the declined charge included
    bool alternate_left = false;                    // another of its methods is not barred
    bool fresher_alternate = false;                 // ... and declined fewer times on this invoice than `method`
    std::optional<std::string> country;             // the customer's, when known (smart's morning)
};

// After a failed charge, under every algorithm: a decline that says switch (or a never-retry rule)
// moves to the next method after method_switch_delay when one is left, else finishes (NEVER_RETRY
// for a never-retry decline, HARD_DECLINE); under smart a soft decline moves to a fresher method
// (`fresher_alternate`) after method_switch_delay, else the next time is next_smart_attempt's
// (NETWORK_BUDGET_EXHAUSTED or RETRIES_EXHAUSTED when it says stop); under cascading the ladder's
// time, moved later to the first time the budget allows. `cascading`: decide_after_charge()'s decision.
workflow_decision decide_after_decline(const workflow_decision& cascading, const charge_result& charge,
                                       const decline_context& ctx, std::string_view jitter_seed, std::int64_t now);

// After a poll of a pending charge (`polled`: decide_after_poll()'s decision on the processor's
// `answer`): the decline decide_after_decline() must see when the poll ended the charge in a
// failure (the answer itself, or psync_timed_out() for one that stayed pending), so that a
// charge settled through the payment-sync task is treated as an immediate decline is (the same
// method switch, smart time and budget); nullopt when the poll did not end in a failure.
std::optional<charge_result> polled_decline(const workflow_decision& polled, const charge_result& answer);

RECOUP_END_NAMESPACE

#include <recoup/impl/method_choice.hpp>
