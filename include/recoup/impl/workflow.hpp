#pragma once

RECOUP_BEGIN_NAMESPACE

inline std::string psync_task_id(std::string_view payment_id)
{
    return "PASSIVE_RECOVERY_WORKFLOW_PSYNC_WORKFLOW_" + std::string(payment_id);
}

inline std::string internal_attempt_id(std::string_view payment_id, std::int32_t retry_count)
{
    const std::string material = std::string(payment_id) + "\x1finternal\x1f" + std::to_string(retry_count);
    const auto digest = sha256(material);
    return "att_" + hex_encode(std::span(digest.data(), 12));
}

inline retry_schedule default_psync_schedule()
{
    retry_schedule s;
    s.start_after = 60;
    s.frequencies = {{300, 4}, {3600, 6}};
    return s;
}

namespace detail {

// A failed charge: soft declines wait for the next slot of the schedule, hard ones stop.
inline workflow_decision after_failure(std::int32_t retry_count, const charge_result& charge,
                                       const retry_schedule& schedule, std::int32_t max_retry_count,
                                       std::int64_t now)
{
    workflow_decision d;
    d.attempt = attempt_status::failure;
    d.intent = intent_status::failed;
    d.retry_count = retry_count + 1;
    const bool hard = charge.decline == decline_kind::hard;
    const auto delay = hard ? std::nullopt : retry_delay(schedule, d.retry_count, max_retry_count);
    if (delay) {
        d.step = workflow_decision::next::rearm;
        d.schedule_time = now + delay->count();
        d.business_status = std::string(business_status::pending);
        return d;
    }
    d.step = workflow_decision::next::finish_failed;
    d.business_status = std::string(hard ? business_status::hard_decline : business_status::retries_exhausted);
    d.record_back = recovery_outcome::failed;
    return d;
}

} // namespace detail

inline workflow_decision decide_after_charge(std::int32_t retry_count, const charge_result& charge,
                                             const retry_schedule& schedule, std::int32_t max_retry_count,
                                             std::int64_t now)
{
    workflow_decision d;
    switch (charge.status) {
    case charge_status::succeeded:
        d.step = workflow_decision::next::finish_succeeded;
        d.attempt = attempt_status::charged;
        d.intent = intent_status::succeeded;
        d.retry_count = retry_count + 1;
        d.business_status = std::string(business_status::succeeded);
        d.record_back = recovery_outcome::succeeded;
        return d;
    case charge_status::pending:
        d.step = workflow_decision::next::await_psync;
        d.attempt = attempt_status::pending;
        d.intent = intent_status::processing;
        d.retry_count = retry_count;
        d.schedule_time = now + default_psync_schedule().start_after;
        d.business_status = std::string(business_status::awaiting_psync);
        return d;
    case charge_status::failed: return detail::after_failure(retry_count, charge, schedule, max_retry_count, now);
    }
    return detail::after_failure(retry_count, charge, schedule, max_retry_count, now);
}

inline workflow_decision decide_after_poll(std::int32_t retry_count, std::int32_t poll_count,
                                           const charge_result& charge, const retry_schedule& schedule,
                                           std::int32_t max_retry_count, std::int64_t now)
{
    if (charge.status != charge_status::pending)
        return decide_after_charge(retry_count, charge, schedule, max_retry_count, now);
    const auto delay = retry_delay(default_psync_schedule(), poll_count + 1);
    if (!delay) {
        // The processor never settled: count it as a soft failure of this retry.
        charge_result timed_out{charge_status::failed, decline_kind::soft, "psync_timeout",
                                "the charge stayed pending", charge.processor_transaction_id};
        return detail::after_failure(retry_count, timed_out, schedule, max_retry_count, now);
    }
    workflow_decision d = decide_after_charge(retry_count, charge, schedule, max_retry_count, now);
    d.schedule_time = now + delay->count();
    return d;
}

RECOUP_END_NAMESPACE
