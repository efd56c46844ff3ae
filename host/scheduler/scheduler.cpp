#include "scheduler/scheduler.hpp"

#include "scheduler/method_plan.hpp"

#include "log.hpp"
#include "settings.hpp"

#include <recoup/flow.hpp>
#include <recoup/json.hpp>
#include <recoup/storable.hpp>
#include <recoup/workflow.hpp>

#include <algorithm>
#include <thread>
#include <type_traits>
#include <variant>

namespace recoupd {

namespace {

namespace json = boost::json;
using recoup::task_record;

std::optional<std::string> string_of(const json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->as_string());
}

// Everything a charge needs, looked up outside any transaction.
struct resolved {
    recoup::intent_record intent;
    mca_record billing;
    json::object billing_settings;
    recoup::retry_schedule schedule;
    std::int32_t max_retry_count = recoup::default_max_retry_count;
    mca_record payment;
    json::object payment_settings;
    const recoup::plugin::dynamic_processor* processor = nullptr;
    recoup::charge_request charge;
    std::vector<recoup::charge_method> methods; // the default first, then the alternates
    retry_policy policy;

    recoup::mca_config payment_config() const { return plugin_config(payment, payment_settings); }
};

// Runs `change` in one transaction and commits it; a throw rolls it back.
template <class Change>
auto in_transaction(soci_store& store, Change&& change)
{
    auto tx = store.begin();
    if constexpr (std::is_void_v<decltype(change(tx))>) {
        change(tx);
        tx.commit();
    } else {
        auto out = change(tx);
        tx.commit();
        return out;
    }
}

void finish_claimed(soci_store& store, const task_record& claimed, std::string_view business_status, std::int64_t now)
{
    in_transaction(store, [&](auto& tx) { recoup::finish_claimed(tx, claimed, business_status, now); });
}

std::string charge_label(const recoup::charge_result& c)
{
    if (c.status == recoup::charge_status::failed)
        return c.decline == recoup::decline_kind::hard ? "hard_decline" : "soft_decline";
    return std::string(recoup::to_string(c.status));
}

// One JSON line per decision, in the webhook log's style; `task` may be empty (a failed drain).
void log_decision(const task_record* task, std::string_view outcome, const scheduler::note& n)
{
    json::object o;
    o["decision_id"] = next_request_id();
    o["level"] = n.error ? "error" : "info";
    o["task_id"] = task ? json::value(task->id) : json::value(nullptr);
    o["task"] = task ? json::value(task->name) : json::value(nullptr);
    o["payment_id"] = task ? json::value(task->payment_id) : json::value(nullptr);
    o["retry_count"] = task ? json::value(task->retry_count) : json::value(nullptr);
    o["outcome"] = outcome;
    o["business_status"] = n.business_status ? json::value(*n.business_status) : json::value(nullptr);
    o["status"] = n.status ? json::value(*n.status) : json::value(nullptr);
    if (n.fault) o["fault"] = *n.fault;
    if (n.detail) o["detail"] = *n.detail;
    log_json(o);
}

} // namespace

scheduler::scheduler(soci_store& store, const recoupd::plugins& plugins, const outbound::client& client,
                     recoupd::metrics* metrics, scheduler_options options)
    : store_(store), plugins_(plugins), client_(client), metrics_(metrics), options_(options),
      outbox_(store, client, metrics)
{
}

std::vector<task_record> scheduler::claim(std::int64_t now)
{
    auto tx = store_.begin();
    auto tasks = tx.due_tasks(now, options_.batch);
    for (auto& t : tasks) {
        t.status = std::string(recoup::task_status_started);
        t.schedule_time = now + options_.lease_seconds;
        t.updated_at = now;
        tx.upsert_task(t);
    }
    tx.commit();
    return tasks;
}

std::size_t scheduler::run_once(std::int64_t now)
{
    return run_batch([now] { return now; });
}

std::size_t scheduler::drain(std::int64_t now)
{
    return drain([now] { return now; });
}

std::size_t scheduler::drain(const clock_fn& clock)
{
    std::size_t total = 0;
    while (const auto n = run_batch(clock)) total += n;
    deliveries_ += outbox_.drain(clock());
    return total;
}

std::size_t scheduler::run_batch(const clock_fn& clock)
{
    const auto claimed_at = clock();
    auto tasks = claim(claimed_at);
    for (auto& t : tasks) {
        const auto now = clock();
        // A lease taken for the whole batch may have run out while the earlier tasks ran.
        if (now != claimed_at && !renew_claim(t, now)) continue;
        run_task(t, now);
    }
    return tasks.size();
}

bool scheduler::renew_claim(task_record& task, std::int64_t now)
{
    const auto until = now + options_.lease_seconds;
    const bool ours = in_transaction(store_, [&](auto& tx) { return recoup::renew_claimed(tx, task, until, now); });
    if (!ours) {
        if (metrics_) metrics_->count_task(task.name, std::string(recoup::to_string(recoup::task_result::claim_lost)));
        log_decision(&task, recoup::to_string(recoup::task_result::claim_lost), note{});
        return false;
    }
    task.schedule_time = until;
    task.updated_at = now;
    return true;
}

void scheduler::loop(const clock_fn& clock, const std::atomic<bool>& stop, std::chrono::milliseconds interval)
{
    while (!stop.load()) {
        try {
            drain(clock);
        } catch (const std::exception& e) {
            log_decision(nullptr, "error", note{std::nullopt, std::nullopt, std::nullopt, e.what(), true});
        }
        for (auto waited = std::chrono::milliseconds(0); waited < interval && !stop.load();
             waited += std::chrono::milliseconds(50))
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

void scheduler::run_task(const task_record& task, std::int64_t now)
{
    auto outcome = recoup::task_result::unknown_task;
    note n;
    try {
        if (task.name == recoup::execute_workflow_task) outcome = run_execute(task, now, n);
        else if (task.name == recoup::psync_workflow_task) outcome = run_psync(task, now, n);
        else if (task.name == recoup::record_back_workflow_task) outcome = run_record_back(task, now, n);
        else {
            finish_claimed(store_, task, recoup::business_status::unknown_task, now);
            n.business_status = std::string(recoup::business_status::unknown_task);
        }
    } catch (const std::exception& e) {
        // Storage errors included: left claimed, the task is due again when the lease expires.
        outcome = recoup::task_result::error;
        n.detail = e.what();
        n.error = true;
    }
    if (metrics_) metrics_->count_task(task.name, std::string(recoup::to_string(outcome)));
    log_decision(&task, recoup::to_string(outcome), n);
}

namespace {

// The intent and what is needed to charge it again, or the business status to finish with.
std::variant<resolved, std::string> resolve(soci_store& store, const recoupd::plugins& plugins,
                                            const std::string& payment_id)
{
    resolved r;
    std::vector<recoup::attempt_record> attempts;
    {
        auto tx = store.begin();
        auto intent = tx.find_intent(payment_id);
        if (!intent) return std::string(recoup::business_status::intent_not_found);
        r.intent = std::move(*intent);
        attempts = tx.attempts_of(payment_id);
    }
    if (recoup::is_terminal(r.intent.status)) return std::string(recoup::business_status::intent_terminal);

    // The latest external attempt carries the stored payment method.
    std::optional<recoup::recovery_attempt> source;
    for (auto it = attempts.rbegin(); it != attempts.rend() && !source; ++it) {
        if (it->triggered_by != recoup::triggered_by::external || it->details.empty()) continue;
        try {
            source = json::value_to<recoup::recovery_attempt>(json::parse(it->details));
        } catch (const std::exception&) {
        }
    }
    if (!source || !source->processor_payment_method_token || source->processor_payment_method_token->empty())
        return std::string(recoup::business_status::no_payment_method);

    const auto profile = store.find_profile(r.intent.profile_id);
    if (profile) r.schedule = retry_schedule_of(profile->retry_schedule);
    r.policy = retry_policy_of(profile);
    r.methods = recoup::methods_of(r.intent.profile_id, *source);
    auto billing = store.find_mca(r.intent.profile_id, r.intent.billing_mca_id);
    if (!billing) return std::string(recoup::business_status::no_processor_mapping);
    r.billing = std::move(*billing);
    r.billing_settings = settings_of(r.billing.settings);
    r.max_retry_count = int_setting(r.billing_settings, "max_retry_count", recoup::default_max_retry_count);

    // billing_account_reference {"<gateway account id>": "<payment MCA id>"}; an attempt that
    // names no gateway account uses the only mapping there is.
    const auto* mapping = r.billing_settings.if_contains("billing_account_reference");
    std::optional<std::string> payment_mca;
    if (mapping && mapping->is_object()) {
        const auto& m = mapping->as_object();
        if (source->connector_account_reference_id) payment_mca = string_of(m, *source->connector_account_reference_id);
        else if (m.size() == 1 && m.begin()->value().is_string())
            payment_mca = std::string(m.begin()->value().as_string());
    }
    if (!payment_mca) return std::string(recoup::business_status::no_processor_mapping);
    auto payment = store.find_mca(r.intent.profile_id, *payment_mca);
    if (!payment) return std::string(recoup::business_status::no_processor_mapping);
    r.payment = std::move(*payment);
    r.payment_settings = settings_of(r.payment.settings);
    r.processor = plugins.processor(r.payment.connector);
    if (!r.processor) return std::string(recoup::business_status::processor_unavailable);

    r.charge.payment_id = r.intent.id;
    r.charge.amount = r.intent.amount;
    r.charge.currency = r.intent.currency;
    r.charge.payment_method_token = *source->processor_payment_method_token;
    r.charge.customer_id = source->connector_customer_id;
    r.charge.description = "Recovery of invoice " + r.intent.merchant_reference_id;
    return r;
}

// A processor step's outcome: a charge result, or why there is none.
struct step_answer {
    std::optional<recoup::charge_result> charge;
    std::optional<int> status; // the processor's HTTP status, when it answered
    std::string detail;
};

// Performs a processor step: its immediate result, or the request against the MCA's base URL.
template <class Parse>
step_answer perform_step(const outbound::client& client, const resolved& r, const recoup::charge_step& step,
                         Parse&& parse)
{
    // An answer whose strings cannot be stored as they are (a NUL, bad UTF-8, an over-long id) is
    // unusable, like one that does not parse.
    if (step.result) {
        if (auto storable = recoup::check_storable(*step.result); !storable)
            return {std::nullopt, std::nullopt, storable.error().what()};
        return {step.result, std::nullopt, {}};
    }
    if (!step.request || !r.payment.base_url || r.payment.base_url->empty())
        return {std::nullopt, std::nullopt, "the processor MCA has no base_url"};
    auto response = client.perform(*r.payment.base_url, *step.request);
    if (!response) return {std::nullopt, std::nullopt, response.error().what()};
    auto parsed = parse(*response);
    if (!parsed) return {std::nullopt, response->status, parsed.error().what()};
    // The same check for an answer parsed from the processor's response.
    if (auto storable = recoup::check_storable(*parsed); !storable)
        return {std::nullopt, response->status, storable.error().what()};
    return {std::move(*parsed), response->status, {}};
}

} // namespace

recoup::task_result scheduler::after_fault(const task_record& task, const std::string& processor,
                                           recoup::http_fault fault, std::int64_t now, note& n)
{
    n.fault = std::string(recoup::to_string(fault));
    const auto d = recoup::decide_after_fault(recoup::processor_faults(task), fault, options_.processor_fault_tries, now);
    const auto out = in_transaction(store_, [&](auto& tx) { return recoup::apply_fault(tx, task, d, now); });
    if (metrics_) {
        metrics_->count_charge(processor, "transport_error");
        metrics_->count_fault(processor, *n.fault);
    }
    if (d.finish && out != recoup::task_result::claim_lost) {
        n.business_status = std::string(d.business_status);
        n.error = true; // given up: the charge's outcome needs a person
        if (metrics_) metrics_->count_abandoned(task.name, *n.business_status);
    }
    return out;
}

// Whatever ends the run before a charge: the task finishes with that business status.
static recoup::task_result finish_unresolved(soci_store& store, const task_record& task, const std::string& why,
                                      std::int64_t now, scheduler::note& n)
{
    finish_claimed(store, task, why, now);
    n.business_status = why;
    return recoup::task_result::finished;
}

recoup::task_result scheduler::run_execute(const task_record& task, std::int64_t now, note& n)
{
    auto found = resolve(store_, plugins_, task.payment_id);
    if (auto* why = std::get_if<std::string>(&found)) return finish_unresolved(store_, task, *why, now, n);
    auto& r = std::get<resolved>(found);
    const auto attempt_id = recoup::internal_attempt_id(r.intent.id, task.retry_count);
    r.charge.attempt_id = attempt_id;
    r.charge.idempotency_key = attempt_id;

    // 0. the method, and whether the card network's rules allow charging it now (method_plan.hpp)
    const auto planned = plan_execute(store_, task, r.intent, r.methods, r.policy, now);
    if (planned.claim_lost) return recoup::task_result::claim_lost;
    n.detail = planned.plan.reason.empty() ? std::nullopt : std::optional<std::string>(planned.plan.reason);
    if (planned.plan.what == recoup::charge_plan::step::wait) {
        n.business_status = std::string(recoup::business_status::pending);
        return recoup::task_result::rearmed;
    }
    if (planned.plan.what == recoup::charge_plan::step::finish) {
        n.business_status = planned.plan.business_status;
        return recoup::task_result::finished;
    }
    const auto& method = *planned.plan.method;
    r.charge.payment_method_token = method.token;

    // 1. the internal attempt, recorded before the charge (the same one when a crashed run is rerun)
    const recoup::internal_charge used{r.payment.id, r.payment.connector, r.charge.payment_method_token,
                                       std::string(recoup::to_string(method.network)), method.credential_id};
    auto start = [&](auto& tx) { return recoup::start_internal_attempt(tx, task, used, now); };
    if (auto ended = in_transaction(store_, start)) return *ended;

    // 2. the charge, outside any transaction
    const auto config = r.payment_config();
    std::optional<recoup::charge_result> charge;
    std::optional<std::string> business_override;
    auto step = r.processor->build_charge(r.charge, config);
    if (!step) {
        // The processor refuses the request itself: retrying the same request cannot help.
        charge = recoup::charge_result{recoup::charge_status::failed, recoup::decline_kind::hard,
                                       std::string(recoup::to_string(step.error().code)), step.error().what(),
                                       std::nullopt};
        business_override = std::string(recoup::business_status::charge_rejected);
    } else {
        auto answer = perform_step(client_, r, *step, [&](const recoup::http_response& res) {
            return r.processor->parse_charge(r.charge, res);
        });
        n.status = answer.status;
        if (!answer.charge) {
            n.detail = answer.detail;
            return after_fault(task, r.payment.connector, recoup::classify_http_fault(answer.status), now, n);
        }
        charge = std::move(answer.charge);
    }
    if (metrics_) metrics_->count_charge(r.payment.connector, charge_label(*charge));

    // 3. its consequences, in one transaction; a decline as the network rules and the methods left allow
    auto decision = recoup::decide_after_charge(task.retry_count, *charge, r.schedule, r.max_retry_count, now);
    if (charge->status == recoup::charge_status::failed && !business_override)
        decision = recoup::decide_after_decline(
            decision, *charge, decline_context_of(store_, r.intent, attempt_id, *charge, method, r.methods, r.policy, now),
            r.intent.id, now);
    const recoup::charge_report report{task, attempt_id, *charge, decision, 0, business_override};
    n.business_status = report.business_status.value_or(report.decision.business_status);
    const auto out = in_transaction(store_, [&](auto& tx) { return recoup::apply_decision(tx, report, now); });
    if (out == recoup::task_result::claim_lost && charge->status == recoup::charge_status::succeeded) {
        // Someone else (a webhook, another worker after our lease) moved the task on: maybe charged twice.
        n.error = true;
        n.detail = "the charge " + charge->processor_transaction_id.value_or(attempt_id) +
                   " succeeded after the claim was lost: possible double charge";
        if (metrics_) metrics_->count_possible_double_charge(r.payment.connector);
    }
    return out;
}

recoup::task_result scheduler::run_psync(const task_record& task, std::int64_t now, note& n)
{
    const auto data = recoup::tracking_of<recoup::psync_tracking>(task.tracking_data);
    auto found = resolve(store_, plugins_, task.payment_id);
    if (auto* why = std::get_if<std::string>(&found)) return finish_unresolved(store_, task, *why, now, n);
    auto& r = std::get<resolved>(found);
    const auto retry_count = in_transaction(store_, [&](auto& tx) { return recoup::start_poll(tx, task, now); });
    if (!retry_count) return recoup::task_result::finished;
    r.charge.attempt_id = data.attempt_id;
    r.charge.idempotency_key = data.attempt_id;
    recoup::status_request s{data.processor_transaction_id, r.charge};

    const auto config = r.payment_config();
    step_answer answer;
    if (auto step = r.processor->build_status(s, config))
        answer = perform_step(client_, r, *step, [&](const recoup::http_response& res) {
            return r.processor->parse_status(s, res);
        });
    else answer.detail = step.error().what();
    n.status = answer.status;
    if (!answer.charge) {
        // A poll's unusable answer says nothing about the charge: only retrying can tell.
        n.detail = answer.detail;
        return after_fault(task, r.payment.connector, recoup::http_fault::transient, now, n);
    }
    auto& charge = answer.charge;
    if (!charge->processor_transaction_id) charge->processor_transaction_id = s.processor_transaction_id;
    if (metrics_) metrics_->count_charge(r.payment.connector, charge_label(*charge));
    auto decision =
        recoup::decide_after_poll(*retry_count, data.poll_count, *charge, r.schedule, r.max_retry_count, now);
    // A decline settled by the poll, as the network rules and the methods left allow (as in run_execute).
    if (const auto declined = recoup::polled_decline(decision, *charge); declined && !r.methods.empty()) {
        const auto method = method_of_attempt(store_, r.intent, data.attempt_id, r.methods);
        decision = recoup::decide_after_decline(
            decision, *declined,
            decline_context_of(store_, r.intent, data.attempt_id, *declined, method, r.methods, r.policy, now),
            r.intent.id, now);
    }
    const recoup::charge_report report{task, data.attempt_id, *charge, decision, data.poll_count + 1, std::nullopt};
    n.business_status = report.decision.business_status;
    return in_transaction(store_, [&](auto& tx) { return recoup::apply_decision(tx, report, now); });
}

recoup::task_result scheduler::run_record_back(const task_record& task, std::int64_t now, note& n)
{
    const auto data = recoup::tracking_of<recoup::record_back_tracking>(task.tracking_data);
    auto billing = store_.find_mca(data.profile_id, data.billing_mca_id);
    const auto* connector = billing ? plugins_.connector(billing->connector) : nullptr;
    if (!connector || !connector->info().can_record_back()) {
        finish_claimed(store_, task, recoup::business_status::record_back_not_supported, now);
        n.business_status = std::string(recoup::business_status::record_back_not_supported);
        return recoup::task_result::not_supported;
    }
    recoup::record_back_request req;
    req.outcome = data.outcome;
    req.invoice_id = data.invoice_id;
    req.amount = data.amount;
    req.currency = data.currency;
    req.connector_transaction_id = data.connector_transaction_id;
    req.occurred_at = data.occurred_at != 0 ? data.occurred_at : now;

    const auto settings = settings_of(billing->settings);
    auto out = connector->record_back(req, plugin_config(*billing, settings));
    if (!out) {
        const bool unsupported = out.error().code == recoup::error::not_supported;
        const auto why = unsupported ? recoup::business_status::record_back_not_supported
                                     : recoup::business_status::record_back_failed;
        finish_claimed(store_, task, why, now);
        n.business_status = std::string(why);
        if (!unsupported) {
            n.detail = out.error().what();
            n.error = true;
        }
        return unsupported ? recoup::task_result::not_supported : recoup::task_result::failed;
    }
    std::optional<int> status;
    if (!billing->base_url || billing->base_url->empty()) n.detail = "the billing MCA has no base_url";
    else if (auto res = client_.perform(*billing->base_url, *out)) status = res->status;
    else n.detail = res.error().what();
    n.status = status;
    if (status && *status >= 200 && *status < 300) {
        finish_claimed(store_, task, recoup::business_status::record_back_complete, now);
        n.business_status = std::string(recoup::business_status::record_back_complete);
        return recoup::task_result::succeeded;
    }
    const auto fault = recoup::classify_http_fault(status);
    n.fault = std::string(recoup::to_string(fault));
    if (metrics_) metrics_->count_fault(billing->connector, *n.fault);
    if (fault != recoup::http_fault::transient) {
        // The platform refuses this request itself (a 4xx but 408 and 429): sending it again cannot help.
        n.error = true;
        n.business_status = std::string(recoup::business_status::record_back_rejected);
        if (!in_transaction(store_, [&](auto& tx) { return recoup::finish_claimed(tx, task, *n.business_status, now); }))
            return recoup::task_result::claim_lost;
        if (metrics_) metrics_->count_abandoned(task.name, *n.business_status);
        return recoup::task_result::failed;
    }
    return in_transaction(store_, [&](auto& tx) {
        return recoup::retry_record_back(tx, task, options_.record_back_attempts, now);
    });
}

} // namespace recoupd
