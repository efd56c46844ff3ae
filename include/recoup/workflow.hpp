// recoup: the retry workflow (docs/behaviour.md §5). The host's scheduler claims a due task, records an
// internal attempt (start_internal_attempt), charges through the payment processor, asks
// decide_after_charge() what the charge means, and writes that down with apply_decision(), the
// scheduler's counterpart of apply_webhook(). The decisions are pure; the state changes work on
// a transaction the caller commits. No I/O here.
#pragma once

#include <recoup/connector.hpp>
#include <recoup/crypto.hpp>
#include <recoup/decline.hpp>
#include <recoup/detail/config.hpp>
#include <recoup/domain.hpp>
#include <recoup/merchant_event.hpp>
#include <recoup/processor.hpp>
#include <recoup/retry.hpp>
#include <recoup/store.hpp>
#include <recoup/task.hpp>

#include <cstdint>
#include <optional>
#include <string>

RECOUP_BEGIN_NAMESPACE

// One internal attempt per (intent, retry): the same id and idempotency key when a crashed run
// is picked up again, so the processor never charges twice.
std::string internal_attempt_id(std::string_view payment_id, std::int32_t retry_count);

// Polling a pending charge: soon, then less often; exhausted polls leave the charge failed soft.
retry_schedule default_psync_schedule();

struct workflow_decision {
    enum class next { finish_succeeded, rearm, finish_failed, await_psync } step = next::finish_failed;
    attempt_status attempt = attempt_status::failure;
    intent_status intent = intent_status::failed;
    std::int32_t retry_count = 0;       // the EXECUTE_WORKFLOW task's retry_count afterwards
    std::int64_t schedule_time = 0;     // for rearm and await_psync (the PSYNC task's time)
    std::string business_status;        // for the finished task(s)
    std::optional<recovery_outcome> record_back; // report to the billing platform, if any
};

// After the charge of retry number `retry_count` (retries made before it).
workflow_decision decide_after_charge(std::int32_t retry_count, const charge_result& charge,
                                      const retry_schedule& schedule, std::int32_t max_retry_count,
                                      std::int64_t now);

// After a status poll of a pending charge (poll number `poll_count`).
// A charge still pending after the last poll counts as psync_timed_out(): a soft failure without
// a class.
charge_result psync_timed_out(const charge_result& pending);
workflow_decision decide_after_poll(std::int32_t retry_count, std::int32_t poll_count, const charge_result& charge,
                                    const retry_schedule& schedule, std::int32_t max_retry_count,
                                    std::int64_t now);

// ---- state changes, inside the caller's transaction (no commit; storage errors propagate) ----

// A task is still ours when nobody changed it since we claimed it (a webhook may have finished
// it, or our lease expired and another worker took it).
bool still_claimed(const std::optional<task_record>& current, const task_record& claimed) noexcept;

// The claimed task finished with that business status, or due again at `at`. False, and nothing
// written, when it is no longer ours.
template <recovery_transaction Tx>
bool finish_claimed(Tx& tx, const task_record& claimed, std::string_view business_status, std::int64_t now);
template <recovery_transaction Tx>
bool rearm_claimed(Tx& tx, const task_record& claimed, std::int64_t at, std::int64_t now);
// The claimed task's lease extended to `until` (it stays claimed); false when no longer ours.
template <recovery_transaction Tx>
bool renew_claimed(Tx& tx, const task_record& claimed, std::int64_t until, std::int64_t now);

// What the scheduler charges with, kept on the internal attempt.
struct internal_charge {
    std::string processor_mca_id;     // the payment MCA
    std::string processor;            // its connector
    std::string payment_method_token;
    // The method's network and credential (method_choice.hpp), kept on the attempt for the budget.
    std::optional<std::string> network{};
    std::optional<std::string> credential_id{};
};

// Before charging for the claimed EXECUTE task: locks the intent, records the internal attempt
// internal_attempt_id(payment_id, claimed.retry_count) unless a crashed run already did, and
// marks the intent processing. nullopt: go on and charge. Otherwise the run ends there:
// claim_lost, or finished (the intent is gone or already terminal; the task finishes so).
template <workflow_transaction Tx>
std::optional<task_result> start_internal_attempt(Tx& tx, const task_record& claimed, const internal_charge& charge,
                                                  std::int64_t now);

// Before polling for the claimed PSYNC task: the EXECUTE task's retry_count, or nullopt when that
// task has finished meanwhile (the PSYNC task then finishes with the same business status).
template <recovery_transaction Tx>
std::optional<std::int32_t> start_poll(Tx& tx, const task_record& claimed, std::int64_t now);

// A charge or a poll and what decide_after_charge() / decide_after_poll() made of it.
struct charge_report {
    task_record claimed;          // the task this run holds, EXECUTE or PSYNC, as claimed
    std::string attempt_id;       // the internal attempt that was charged
    charge_result charge;
    workflow_decision decision;
    std::int32_t poll_count = 0;  // polls made so far, kept on the PSYNC task when awaiting one
    std::optional<std::string> business_status; // replaces the decision's for the finished task
};

// Applies the decision: the attempt, the intent, the EXECUTE task, the PSYNC task and the
// record-back task. When the claim was lost only the attempt is updated (claim_lost); otherwise
// succeeded, rearmed, failed or awaiting_psync. A transaction that takes merchant events gets
// recovery.succeeded, or recovery.attempt_failed and then recovery.retry_scheduled or
// recovery.retries_exhausted (merchant_event.hpp); nothing while a charge is pending.
template <workflow_transaction Tx>
task_result apply_decision(Tx& tx, const charge_report& report, std::int64_t now);

// ---- processor faults: answers the plugin could not use, or none at all ----

// What to do with the claimed EXECUTE or PSYNC task after such a fault.
struct fault_decision {
    bool finish = false;
    std::int32_t faults = 0;          // of this retry (or poll) so far, kept on the re-armed task
    std::int64_t schedule_time = 0;   // when re-armed
    std::string_view business_status; // when finished
};

// Transient faults re-arm after processor_fault_delay() until `max_tries` were made, then finish
// PROCESSOR_RETRIES_EXHAUSTED; 401/403 finish PROCESSOR_AUTH_FAILED, 409 PROCESSOR_CONFLICT and
// another 4xx CHARGE_REQUEST_REJECTED at once. `faults_before`: processor_faults(claimed).
fault_decision decide_after_fault(std::int32_t faults_before, http_fault fault, std::int32_t max_tries,
                                  std::int64_t now) noexcept;

// The processor_faults count in the task's tracking_data (EXECUTE or PSYNC), 0 for other tasks.
std::int32_t processor_faults(const task_record& task);

// Applies it: the claimed task re-armed with its fault count, or finished without touching the
// attempt or the intent (whether the charge went through is unknown); a finished PSYNC task
// finishes the EXECUTE task waiting on it too. transport_error (re-armed), failed, or claim_lost.
// Finished, it emits recovery.retries_exhausted with that business status as the reason (a
// re-armed fault retries the same charge: no event).
template <recovery_transaction Tx>
task_result apply_fault(Tx& tx, const task_record& claimed, const fault_decision& decision, std::int64_t now);

// After a failed record-back try: due again after record_back_delay(), or finished
// RECORD_BACK_FAILED once `max_tries` were made. retry, or claim_lost.
template <recovery_transaction Tx>
task_result retry_record_back(Tx& tx, const task_record& claimed, std::int32_t max_tries, std::int64_t now);

RECOUP_END_NAMESPACE

#include <recoup/impl/workflow.hpp>
