// recoup: the retry workflow's decisions (SPEC.md §5), pure. The host's scheduler claims a due
// task, records an internal attempt, charges through the payment processor, and then asks
// decide_after_charge() what the charge means for the attempt, the intent, the task and the
// billing platform. No I/O here.
#pragma once

#include <recoup/connector.hpp>
#include <recoup/crypto.hpp>
#include <recoup/detail/config.hpp>
#include <recoup/domain.hpp>
#include <recoup/processor.hpp>
#include <recoup/retry.hpp>

#include <cstdint>
#include <optional>
#include <string>

RECOUP_BEGIN_NAMESPACE

inline constexpr std::string_view psync_workflow_task = "PSYNC_WORKFLOW";

// business_status values of finished tasks.
namespace business_status {
inline constexpr std::string_view pending = "Pending";
inline constexpr std::string_view awaiting_psync = "AWAITING_PSYNC";
inline constexpr std::string_view succeeded = "EXECUTE_WORKFLOW_COMPLETE";
inline constexpr std::string_view retries_exhausted = "RETRIES_EXHAUSTED";
inline constexpr std::string_view hard_decline = "HARD_DECLINE";
inline constexpr std::string_view psync_complete = "PSYNC_WORKFLOW_COMPLETE";
inline constexpr std::string_view external_payment = "COMPLETED_BY_EXTERNAL_PAYMENT";
inline constexpr std::string_view invoice_cancelled = "INVOICE_CANCELLED";
} // namespace business_status

// "PASSIVE_RECOVERY_WORKFLOW_PSYNC_WORKFLOW_{payment_id}"
std::string psync_task_id(std::string_view payment_id);

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
workflow_decision decide_after_poll(std::int32_t retry_count, std::int32_t poll_count, const charge_result& charge,
                                    const retry_schedule& schedule, std::int32_t max_retry_count,
                                    std::int64_t now);

RECOUP_END_NAMESPACE

#include <recoup/impl/workflow.hpp>
