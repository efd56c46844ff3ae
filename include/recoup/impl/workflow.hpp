#pragma once

RECOUP_BEGIN_NAMESPACE

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

inline charge_result psync_timed_out(const charge_result& pending)
{
    return {charge_status::failed, decline_kind::soft, "psync_timeout", "the charge stayed pending",
            pending.processor_transaction_id};
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
        return detail::after_failure(retry_count, psync_timed_out(charge), schedule, max_retry_count, now);
    }
    workflow_decision d = decide_after_charge(retry_count, charge, schedule, max_retry_count, now);
    d.schedule_time = now + delay->count();
    return d;
}

inline bool still_claimed(const std::optional<task_record>& current, const task_record& claimed) noexcept
{
    return current && current->status == task_status_started && current->schedule_time == claimed.schedule_time;
}

inline std::int32_t processor_faults(const task_record& task)
{
    if (task.name == psync_workflow_task) return tracking_of<psync_tracking>(task.tracking_data).processor_faults;
    if (task.name == execute_workflow_task) return tracking_of<execute_tracking>(task.tracking_data).processor_faults;
    return 0;
}

namespace detail {

// The task's tracking_data with its processor_faults count set to `faults`.
inline std::string with_processor_faults(const task_record& task, std::int32_t faults)
{
    const auto set = [&](auto data) {
        data.processor_faults = faults;
        return tracking_text(data);
    };
    if (task.name == psync_workflow_task) return set(tracking_of<psync_tracking>(task.tracking_data));
    if (task.name == execute_workflow_task) return set(tracking_of<execute_tracking>(task.tracking_data));
    return task.tracking_data;
}

} // namespace detail

namespace detail {

// The claimed task as it is now, changed by `change`; false, and nothing written, when not ours.
template <recovery_transaction Tx, class Change>
bool change_claimed(Tx& tx, const task_record& claimed, std::int64_t now, Change&& change)
{
    auto current = tx.find_task(claimed.id);
    if (!still_claimed(current, claimed)) return false;
    change(*current);
    current->updated_at = now;
    tx.upsert_task(*current);
    return true;
}

} // namespace detail

template <recovery_transaction Tx>
bool finish_claimed(Tx& tx, const task_record& claimed, std::string_view business_status, std::int64_t now)
{
    return detail::change_claimed(tx, claimed, now, [&](task_record& t) {
        t.status = task_status_finish;
        t.business_status = business_status;
    });
}

template <recovery_transaction Tx>
bool rearm_claimed(Tx& tx, const task_record& claimed, std::int64_t at, std::int64_t now)
{
    return detail::change_claimed(tx, claimed, now, [&](task_record& t) {
        t.status = task_status_new;
        t.schedule_time = at;
    });
}

template <recovery_transaction Tx>
bool renew_claimed(Tx& tx, const task_record& claimed, std::int64_t until, std::int64_t now)
{
    return detail::change_claimed(tx, claimed, now, [&](task_record& t) { t.schedule_time = until; });
}

namespace detail {

template <workflow_transaction Tx>
std::optional<attempt_record> attempt_by_id(Tx& tx, const std::string& payment_id, const std::string& attempt_id)
{
    for (auto& a : tx.attempts_of(payment_id))
        if (a.id == attempt_id) return a;
    return std::nullopt;
}

inline attempt_record internal_attempt(const intent_record& intent, const std::string& id, std::int32_t retry_count,
                                       const internal_charge& charge, std::int64_t now)
{
    namespace json = boost::json;
    attempt_record a;
    a.id = id;
    a.payment_id = intent.id;
    a.status = attempt_status::started;
    a.amount = intent.amount;
    a.currency = intent.currency;
    a.connector_payment_id = id; // until the processor names its transaction
    a.triggered_by = triggered_by::internal;
    a.feature_metadata = json::serialize(json::object{
        {"revenue_recovery", json::object{{"attempt_triggered_by", to_string(triggered_by::internal)},
                                          {"retry_count", retry_count},
                                          {"processor_mca_id", charge.processor_mca_id}}}});
    a.details = json::serialize(
        json::object{{"payment_method_token", charge.payment_method_token}, {"processor", charge.processor}});
    a.created_at = a.modified_at = now;
    if (!charge.payment_method_token.empty()) a.payment_method_id = charge.payment_method_token;
    a.network = charge.network;
    a.credential_id = charge.credential_id;
    return a;
}

constexpr task_result result_of(workflow_decision::next step) noexcept
{
    switch (step) {
    case workflow_decision::next::finish_succeeded: return task_result::succeeded;
    case workflow_decision::next::rearm: return task_result::rearmed;
    case workflow_decision::next::finish_failed: return task_result::failed;
    case workflow_decision::next::await_psync: return task_result::awaiting_psync;
    }
    return task_result::failed;
}

// The PSYNC task that polls the pending charge: the claimed one (`current`) again, or a new one.
template <workflow_transaction Tx>
task_record psync_task(Tx& tx, const charge_report& r, const task_record& current, std::int64_t now)
{
    const auto& pid = r.claimed.payment_id;
    task_record p;
    p.id = task_id(task_kind::psync, pid);
    if (r.claimed.name == psync_workflow_task) p = current;
    else if (auto existing = tx.find_task(p.id)) p = *existing;
    else p.created_at = now;
    p.id = task_id(task_kind::psync, pid);
    p.name = psync_workflow_task;
    p.runner = passive_recovery_runner;
    p.status = task_status_new;
    p.business_status = business_status::pending;
    p.retry_count = r.poll_count;
    p.schedule_time = r.decision.schedule_time;
    p.payment_id = pid;
    p.updated_at = now;
    p.tracking_data = tracking_text(
        psync_tracking{pid, r.attempt_id, r.charge.processor_transaction_id.value_or(""), r.poll_count});
    return p;
}

// The task that reports the outcome to the billing platform, due at once.
inline task_record record_back_task(const intent_record& intent, const charge_report& r, recovery_outcome outcome,
                                    std::int64_t now)
{
    task_record rb;
    rb.id = task_id(task_kind::record_back, intent.id);
    rb.name = record_back_workflow_task;
    rb.runner = passive_recovery_runner;
    rb.status = task_status_new;
    rb.business_status = business_status::pending;
    rb.retry_count = 0;
    rb.schedule_time = now;
    rb.payment_id = intent.id;
    rb.created_at = rb.updated_at = now;
    rb.tracking_data = tracking_text(record_back_tracking{
        intent.id, intent.profile_id, intent.billing_mca_id, outcome, intent.merchant_reference_id, intent.amount,
        intent.currency, r.attempt_id, now, r.charge.processor_transaction_id});
    return rb;
}

// What the merchant hears of an applied decision (merchant_event.hpp); `intent` as it now is.
template <class Tx>
void emit_decision_events(Tx& tx, const charge_report& r, const intent_record& intent,
                          const std::optional<attempt_record>& attempt, std::int64_t now)
{
    if constexpr (merchant_event_sink<Tx>) {
        const auto& d = r.decision;
        const auto event = [&](merchant_event_type type) {
            auto e = make_merchant_event(type, intent, now);
            if (attempt) {
                e.attempt = merchant_attempt_of(*attempt, d.retry_count);
                e.decline_class = decline_class_of(*attempt);
            }
            return e;
        };
        switch (d.step) {
        case workflow_decision::next::finish_succeeded: tx.emit(event(merchant_event_type::succeeded)); break;
        case workflow_decision::next::rearm: {
            tx.emit(event(merchant_event_type::attempt_failed));
            auto scheduled = event(merchant_event_type::retry_scheduled);
            scheduled.next_retry_at = d.schedule_time;
            tx.emit(scheduled);
            break;
        }
        case workflow_decision::next::finish_failed: {
            tx.emit(event(merchant_event_type::attempt_failed));
            auto exhausted = event(merchant_event_type::retries_exhausted);
            exhausted.reason = r.business_status.value_or(d.business_status);
            tx.emit(exhausted);
            break;
        }
        case workflow_decision::next::await_psync: break;
        }
    }
}

} // namespace detail

template <workflow_transaction Tx>
std::optional<task_result> start_internal_attempt(Tx& tx, const task_record& claimed, const internal_charge& charge,
                                                  std::int64_t now)
{
    auto intent = tx.find_intent(claimed.payment_id);
    if (!still_claimed(tx.find_task(claimed.id), claimed)) return task_result::claim_lost;
    if (!intent || is_terminal(intent->status)) {
        finish_claimed(tx, claimed, intent ? business_status::intent_terminal : business_status::intent_not_found, now);
        return task_result::finished;
    }
    const auto attempt_id = internal_attempt_id(intent->id, claimed.retry_count);
    if (!detail::attempt_by_id(tx, intent->id, attempt_id))
        tx.insert_attempt(detail::internal_attempt(*intent, attempt_id, claimed.retry_count, charge, now));
    if (intent->status != intent_status::processing) {
        intent->status = intent_status::processing;
        intent->modified_at = now;
        tx.update_intent(*intent);
    }
    return std::nullopt;
}

template <recovery_transaction Tx>
std::optional<std::int32_t> start_poll(Tx& tx, const task_record& claimed, std::int64_t now)
{
    const auto exec = tx.find_task(task_id(task_kind::execute, claimed.payment_id));
    if (exec && exec->is_open()) return exec->retry_count;
    finish_claimed(tx, claimed, exec ? std::string_view(exec->business_status) : business_status::unknown_task, now);
    return std::nullopt;
}

template <workflow_transaction Tx>
task_result apply_decision(Tx& tx, const charge_report& r, std::int64_t now)
{
    const auto& pid = r.claimed.payment_id;
    const auto& d = r.decision;
    auto intent = tx.find_intent(pid);
    const bool is_psync = r.claimed.name == psync_workflow_task;
    auto exec = tx.find_task(task_id(task_kind::execute, pid));
    auto current = tx.find_task(r.claimed.id);
    const bool ours = intent && still_claimed(current, r.claimed) && exec && exec->is_open();

    auto attempt = detail::attempt_by_id(tx, pid, r.attempt_id);
    if (attempt) {
        attempt->status = d.attempt;
        if (r.charge.processor_transaction_id) attempt->connector_payment_id = *r.charge.processor_transaction_id;
        attempt->error_code = r.charge.error_code;
        attempt->error_message = r.charge.error_message;
        // The decline as the processor classified it (the network stays the method's, as counted).
        if (r.charge.decline_class) attempt->decline_class = std::string(to_string(*r.charge.decline_class));
        else if (r.charge.status == charge_status::failed && r.charge.decline == decline_kind::hard)
            attempt->decline_class = std::string(to_string(decline_class::hard)); // a processor without the taxonomy
        if (r.charge.network_decline_code) attempt->network_decline_code = r.charge.network_decline_code;
        if (r.charge.network_advice_code) attempt->network_advice_code = r.charge.network_advice_code;
        if (!attempt->network && r.charge.network) attempt->network = std::string(to_string(*r.charge.network));
        attempt->modified_at = now;
        tx.update_attempt(*attempt);
    }
    if (!ours) return task_result::claim_lost; // the attempt's outcome is kept; the tasks moved on without us

    const bool failed = d.step == workflow_decision::next::rearm || d.step == workflow_decision::next::finish_failed;
    if (!is_terminal(intent->status)) {
        intent->status = d.intent;
        if (failed) ++intent->total_retry_count;
        intent->modified_at = now;
        tx.update_intent(*intent);
        detail::emit_decision_events(tx, r, *intent, attempt, now);
    }
    exec->updated_at = now;
    exec->retry_count = d.retry_count;
    if (processor_faults(*exec) != 0) exec->tracking_data = detail::with_processor_faults(*exec, 0); // an answer came
    switch (d.step) {
    case workflow_decision::next::rearm:
        exec->status = task_status_new;
        exec->schedule_time = d.schedule_time;
        exec->business_status = r.business_status.value_or(d.business_status);
        break;
    case workflow_decision::next::finish_succeeded:
    case workflow_decision::next::finish_failed:
        exec->status = task_status_finish;
        exec->business_status = r.business_status.value_or(d.business_status);
        break;
    case workflow_decision::next::await_psync:
        exec->status = task_status_new;
        exec->schedule_time = far_future;
        exec->business_status = business_status::awaiting_psync;
        tx.upsert_task(detail::psync_task(tx, r, *current, now));
        break;
    }
    tx.upsert_task(*exec);
    if (is_psync && d.step != workflow_decision::next::await_psync) {
        current->status = task_status_finish;
        current->business_status = business_status::psync_complete;
        current->updated_at = now;
        tx.upsert_task(*current);
    }
    if (d.record_back) tx.upsert_task(detail::record_back_task(*intent, r, *d.record_back, now));
    return detail::result_of(d.step);
}

inline fault_decision decide_after_fault(std::int32_t faults_before, http_fault fault, std::int32_t max_tries,
                                        std::int64_t now) noexcept
{
    fault_decision d;
    d.faults = faults_before + 1;
    switch (fault) {
    case http_fault::auth: d.business_status = business_status::processor_auth_failed; break;
    case http_fault::conflict: d.business_status = business_status::processor_conflict; break;
    case http_fault::rejected: d.business_status = business_status::charge_rejected; break;
    case http_fault::transient:
        if (d.faults >= max_tries) {
            d.business_status = business_status::processor_retries_exhausted;
            break;
        }
        d.schedule_time = now + processor_fault_delay(d.faults).count();
        return d;
    }
    d.finish = true;
    return d;
}

template <recovery_transaction Tx>
task_result apply_fault(Tx& tx, const task_record& claimed, const fault_decision& d, std::int64_t now)
{
    // The intent first, locked before the tasks as everywhere else, for the merchant's event.
    std::optional<intent_record> intent;
    if constexpr (merchant_event_sink<Tx> && requires { tx.find_intent(claimed.payment_id); })
        if (d.finish) intent = tx.find_intent(claimed.payment_id);
    const bool ours = detail::change_claimed(tx, claimed, now, [&](task_record& t) {
        if (d.finish) {
            t.status = task_status_finish;
            t.business_status = d.business_status;
        } else {
            t.status = task_status_new;
            t.schedule_time = d.schedule_time;
            t.tracking_data = detail::with_processor_faults(t, d.faults);
        }
    });
    if (!ours) return task_result::claim_lost;
    if (!d.finish) return task_result::transport_error;
    if (claimed.name == psync_workflow_task) // its EXECUTE task waits for it in the far future
        if (auto exec = tx.find_task(task_id(task_kind::execute, claimed.payment_id)); exec && exec->is_open()) {
            exec->status = task_status_finish;
            exec->business_status = d.business_status;
            exec->updated_at = now;
            tx.upsert_task(*exec);
        }
    if constexpr (merchant_event_sink<Tx>)
        if (intent && !is_terminal(intent->status)) {
            auto e = make_merchant_event(merchant_event_type::retries_exhausted, *intent, now);
            e.reason = std::string(d.business_status);
            tx.emit(e);
        }
    return task_result::failed;
}

template <recovery_transaction Tx>
task_result retry_record_back(Tx& tx, const task_record& claimed, std::int32_t max_tries, std::int64_t now)
{
    const bool ours = detail::change_claimed(tx, claimed, now, [&](task_record& t) {
        t.retry_count += 1;
        if (t.retry_count >= max_tries) {
            t.status = task_status_finish;
            t.business_status = business_status::record_back_failed;
        } else {
            t.status = task_status_new;
            t.schedule_time = now + record_back_delay(t.retry_count).count();
        }
    });
    return ours ? task_result::retry : task_result::claim_lost;
}

RECOUP_END_NAMESPACE
