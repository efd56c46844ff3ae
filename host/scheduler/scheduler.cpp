#include "scheduler/scheduler.hpp"

#include <recoup/flow.hpp>
#include <recoup/json.hpp>
#include <recoup/workflow.hpp>

#include <algorithm>
#include <iostream>
#include <thread>
#include <variant>

namespace recoupd {

namespace {

namespace json = boost::json;
using recoup::task_record;
using recoup::workflow_decision;

json::object object_of(std::string_view text)
{
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) return {};
    return std::move(v.as_object());
}

std::optional<std::string> string_of(const json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->as_string());
}

std::int64_t int64_of(const json::object& o, std::string_view key, std::int64_t fallback)
{
    const auto* v = o.if_contains(key);
    if (v && v->is_int64()) return v->as_int64();
    if (v && v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
    return fallback;
}

// Everything a charge needs, looked up outside any transaction.
struct resolved {
    recoup::intent_record intent;
    mca_record billing;
    json::object billing_settings;
    recoup::retry_schedule schedule;
    std::int32_t max_retry_count = 15;
    mca_record payment;
    json::object payment_settings;
    const recoup::plugin::dynamic_processor* processor = nullptr;
    recoup::charge_request charge;

    recoup::mca_config payment_config() const
    {
        recoup::mca_config c;
        c.secrets = payment.secrets;
        c.api_key = payment.api_key ? std::string_view(*payment.api_key) : std::string_view{};
        c.settings = &payment_settings;
        return c;
    }
};

// A task is still ours when nobody changed it since we claimed it (a webhook may have finished
// it, or our lease expired and another worker took it).
bool still_claimed(const std::optional<task_record>& now, const task_record& claimed)
{
    return now && now->status == recoup::task_status_started && now->schedule_time == claimed.schedule_time;
}

std::string label_of(workflow_decision::next step)
{
    switch (step) {
    case workflow_decision::next::finish_succeeded: return "succeeded";
    case workflow_decision::next::rearm: return "rearmed";
    case workflow_decision::next::finish_failed: return "failed";
    case workflow_decision::next::await_psync: return "awaiting_psync";
    }
    return "failed";
}

std::string charge_label(const recoup::charge_result& c)
{
    if (c.status == recoup::charge_status::failed)
        return c.decline == recoup::decline_kind::hard ? "hard_decline" : "soft_decline";
    return std::string(recoup::to_string(c.status));
}

} // namespace

// ---- the scheduler ------------------------------------------------------------------------------

scheduler::scheduler(soci_store& store, const recoupd::plugins& plugins, const outbound::client& client,
                     recoupd::metrics* metrics, scheduler_options options)
    : store_(store), plugins_(plugins), client_(client), metrics_(metrics), options_(options)
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
    const auto tasks = claim(now);
    for (const auto& t : tasks) run_task(t, now);
    return tasks.size();
}

std::size_t scheduler::drain(std::int64_t now)
{
    std::size_t total = 0;
    while (const auto n = run_once(now)) total += n;
    return total;
}

void scheduler::loop(const std::function<std::int64_t()>& clock, const std::atomic<bool>& stop,
                     std::chrono::milliseconds interval)
{
    while (!stop.load()) {
        try {
            drain(clock());
        } catch (const std::exception& e) {
            std::cerr << "recoupd: scheduler: " << e.what() << std::endl;
        }
        for (auto waited = std::chrono::milliseconds(0); waited < interval && !stop.load();
             waited += std::chrono::milliseconds(50))
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

void scheduler::run_task(const task_record& task, std::int64_t now)
{
    std::string outcome;
    try {
        if (task.name == recoup::execute_workflow_task) outcome = run_execute(task, now);
        else if (task.name == recoup::psync_workflow_task) outcome = run_psync(task, now);
        else if (task.name == record_back_workflow_task) outcome = run_record_back(task, now);
        else {
            auto tx = store_.begin();
            auto t = task;
            t.status = std::string(recoup::task_status_finish);
            t.business_status = std::string(host_business_status::unknown_task);
            tx.upsert_task(t);
            tx.commit();
            outcome = "unknown_task";
        }
    } catch (const std::exception& e) {
        // Left claimed: due again when the lease expires.
        std::cerr << "recoupd: scheduler: task " << task.id << ": " << e.what() << std::endl;
        outcome = "error";
    }
    if (metrics_) metrics_->count_task(task.name, outcome);
}

namespace {

// The task as it is, with a new state.
void finish_claimed(soci_store& store, const task_record& claimed, std::string_view business_status,
                    std::int64_t now)
{
    auto tx = store.begin();
    auto current = tx.find_task(claimed.id);
    if (!still_claimed(current, claimed)) return;
    current->status = std::string(recoup::task_status_finish);
    current->business_status = std::string(business_status);
    current->updated_at = now;
    tx.upsert_task(*current);
    tx.commit();
}

void rearm_claimed(soci_store& store, const task_record& claimed, std::int64_t at, std::int64_t now)
{
    auto tx = store.begin();
    auto current = tx.find_task(claimed.id);
    if (!still_claimed(current, claimed)) return;
    current->status = std::string(recoup::task_status_new);
    current->schedule_time = at;
    current->updated_at = now;
    tx.upsert_task(*current);
    tx.commit();
}

// The intent and what is needed to charge it again, or the business status to finish with.
std::variant<resolved, std::string> resolve(soci_store& store, const recoupd::plugins& plugins,
                                            const std::string& payment_id)
{
    resolved r;
    std::vector<recoup::attempt_record> attempts;
    {
        auto tx = store.begin();
        auto intent = tx.find_intent(payment_id);
        if (!intent) return std::string(host_business_status::intent_not_found);
        r.intent = std::move(*intent);
        attempts = tx.attempts_of(payment_id);
    }
    if (recoup::is_terminal(r.intent.status)) return std::string(host_business_status::intent_terminal);

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
        return std::string(host_business_status::no_payment_method);

    if (auto profile = store.find_profile(r.intent.profile_id); profile && profile->retry_schedule)
        r.schedule = parse_retry_schedule(*profile->retry_schedule).value_or(recoup::retry_schedule{});
    auto billing = store.find_mca(r.intent.profile_id, r.intent.billing_mca_id);
    if (!billing) return std::string(host_business_status::no_processor_mapping);
    r.billing = std::move(*billing);
    r.billing_settings = object_of(r.billing.settings);
    r.max_retry_count = int_setting(r.billing_settings, "max_retry_count", 15);

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
    if (!payment_mca) return std::string(host_business_status::no_processor_mapping);
    auto payment = store.find_mca(r.intent.profile_id, *payment_mca);
    if (!payment) return std::string(host_business_status::no_processor_mapping);
    r.payment = std::move(*payment);
    r.payment_settings = object_of(r.payment.settings);
    r.processor = plugins.processor(r.payment.connector);
    if (!r.processor) return std::string(host_business_status::processor_unavailable);

    r.charge.payment_id = r.intent.id;
    r.charge.amount = r.intent.amount;
    r.charge.currency = r.intent.currency;
    r.charge.payment_method_token = *source->processor_payment_method_token;
    r.charge.customer_id = source->connector_customer_id;
    r.charge.description = "Recovery of invoice " + r.intent.merchant_reference_id;
    return r;
}

std::optional<recoup::attempt_record> attempt_by_id(soci_store::transaction& tx, const std::string& payment_id,
                                                    const std::string& attempt_id)
{
    for (auto& a : tx.attempts_of(payment_id))
        if (a.id == attempt_id) return a;
    return std::nullopt;
}

// Performs a processor step: its immediate result, or the request against the MCA's base URL.
// nullopt: no usable answer (transport failure, or an answer the plugin could not read).
template <class Parse>
std::optional<recoup::charge_result> perform_step(const outbound::client& client, const resolved& r,
                                                  const recoup::charge_step& step, Parse&& parse)
{
    if (step.result) return step.result;
    if (!step.request || !r.payment.base_url || r.payment.base_url->empty()) return std::nullopt;
    auto response = client.perform(*r.payment.base_url, *step.request);
    if (!response) return std::nullopt;
    auto parsed = parse(*response);
    if (!parsed) return std::nullopt;
    return std::move(*parsed);
}

} // namespace

// One transaction: the attempt, the intent, the EXECUTE task, the PSYNC task and the record-back
// task, as the decision says. `claimed` is the task this run holds (EXECUTE or PSYNC).
static std::string apply_decision(soci_store& store, const resolved& r, const std::string& attempt_id,
                                  const task_record& claimed, const recoup::charge_result& charge,
                                  const workflow_decision& d, std::int32_t poll_count, std::int64_t now,
                                  std::optional<std::string> business_override = std::nullopt)
{
    const auto& pid = r.intent.id;
    auto tx = store.begin();
    auto intent = tx.lock_or_create_intent(r.intent);
    const bool is_psync = claimed.name == recoup::psync_workflow_task;
    auto exec = tx.find_task(recoup::execute_workflow_task_id(pid));
    auto current = tx.find_task(claimed.id);
    const bool ours = still_claimed(current, claimed) && exec && exec->is_open();

    if (auto attempt = attempt_by_id(tx, pid, attempt_id)) {
        attempt->status = d.attempt;
        if (charge.processor_transaction_id) attempt->connector_payment_id = *charge.processor_transaction_id;
        attempt->error_code = charge.error_code;
        attempt->error_message = charge.error_message;
        attempt->modified_at = now;
        tx.update_attempt(*attempt);
    }
    if (!ours) {
        tx.commit(); // the attempt's outcome is kept; the tasks moved on without us
        return "claim_lost";
    }
    const bool failed = d.step == workflow_decision::next::rearm || d.step == workflow_decision::next::finish_failed;
    if (!recoup::is_terminal(intent.status)) {
        intent.status = d.intent;
        if (failed) ++intent.total_retry_count;
        intent.modified_at = now;
        tx.update_intent(intent);
    }
    const std::string business = business_override.value_or(d.business_status);
    exec->updated_at = now;
    exec->retry_count = d.retry_count;
    switch (d.step) {
    case workflow_decision::next::rearm:
        exec->status = std::string(recoup::task_status_new);
        exec->schedule_time = d.schedule_time;
        exec->business_status = business;
        break;
    case workflow_decision::next::finish_succeeded:
    case workflow_decision::next::finish_failed:
        exec->status = std::string(recoup::task_status_finish);
        exec->business_status = business;
        break;
    case workflow_decision::next::await_psync: {
        exec->status = std::string(recoup::task_status_new);
        exec->schedule_time = far_future;
        exec->business_status = std::string(recoup::business_status::awaiting_psync);
        task_record p;
        p.id = recoup::psync_task_id(pid);
        if (is_psync) p = *current;
        else if (auto existing = tx.find_task(p.id)) p = *existing;
        else p.created_at = now;
        p.id = recoup::psync_task_id(pid);
        p.name = recoup::psync_workflow_task;
        p.runner = recoup::passive_recovery_runner;
        p.status = std::string(recoup::task_status_new);
        p.business_status = std::string(recoup::business_status::pending);
        p.retry_count = poll_count;
        p.schedule_time = d.schedule_time;
        p.payment_id = pid;
        p.updated_at = now;
        p.tracking_data = json::serialize(json::object{
            {"payment_id", pid},
            {"attempt_id", attempt_id},
            {"processor_transaction_id", charge.processor_transaction_id.value_or("")},
            {"poll_count", poll_count}});
        tx.upsert_task(p);
        break;
    }
    }
    tx.upsert_task(*exec);
    if (is_psync && d.step != workflow_decision::next::await_psync) {
        current->status = std::string(recoup::task_status_finish);
        current->business_status = std::string(recoup::business_status::psync_complete);
        current->updated_at = now;
        tx.upsert_task(*current);
    }
    if (d.record_back) {
        task_record rb;
        rb.id = record_back_task_id(pid);
        rb.name = std::string(record_back_workflow_task);
        rb.runner = recoup::passive_recovery_runner;
        rb.status = std::string(recoup::task_status_new);
        rb.business_status = std::string(recoup::business_status::pending);
        rb.retry_count = 0;
        rb.schedule_time = now;
        rb.payment_id = pid;
        rb.created_at = rb.updated_at = now;
        json::object data{{"payment_id", pid},
                          {"profile_id", r.intent.profile_id},
                          {"billing_mca_id", r.intent.billing_mca_id},
                          {"outcome", recoup::to_string(*d.record_back)},
                          {"invoice_id", r.intent.merchant_reference_id},
                          {"amount", r.intent.amount},
                          {"currency", r.intent.currency.str()},
                          {"attempt_id", attempt_id},
                          {"occurred_at", now}};
        if (charge.processor_transaction_id) data["connector_transaction_id"] = *charge.processor_transaction_id;
        rb.tracking_data = json::serialize(data);
        tx.upsert_task(rb);
    }
    tx.commit();
    return label_of(d.step);
}

std::string scheduler::run_execute(const task_record& task, std::int64_t now)
{
    auto found = resolve(store_, plugins_, task.payment_id);
    if (auto* why = std::get_if<std::string>(&found)) {
        finish_claimed(store_, task, *why, now);
        return "finished";
    }
    auto& r = std::get<resolved>(found);
    const auto attempt_id = recoup::internal_attempt_id(r.intent.id, task.retry_count);
    r.charge.attempt_id = attempt_id;
    r.charge.idempotency_key = attempt_id;

    // 1. the internal attempt, recorded before the charge (the same one when a crashed run is rerun)
    {
        auto tx = store_.begin();
        auto intent = tx.lock_or_create_intent(r.intent);
        if (!still_claimed(tx.find_task(task.id), task)) return "claim_lost";
        if (recoup::is_terminal(intent.status)) {
            auto t = *tx.find_task(task.id);
            t.status = std::string(recoup::task_status_finish);
            t.business_status = std::string(host_business_status::intent_terminal);
            t.updated_at = now;
            tx.upsert_task(t);
            tx.commit();
            return "finished";
        }
        if (!attempt_by_id(tx, r.intent.id, attempt_id)) {
            recoup::attempt_record a;
            a.id = attempt_id;
            a.payment_id = r.intent.id;
            a.status = recoup::attempt_status::started;
            a.amount = r.intent.amount;
            a.currency = r.intent.currency;
            a.connector_payment_id = attempt_id;
            a.triggered_by = recoup::triggered_by::internal;
            a.feature_metadata = json::serialize(
                json::object{{"revenue_recovery", json::object{{"attempt_triggered_by", "internal"},
                                                               {"retry_count", task.retry_count},
                                                               {"processor_mca_id", r.payment.id}}}});
            a.details = json::serialize(json::object{{"payment_method_token", r.charge.payment_method_token},
                                                     {"processor", r.payment.connector}});
            a.created_at = a.modified_at = now;
            tx.insert_attempt(a);
        }
        if (intent.status != recoup::intent_status::processing) {
            intent.status = recoup::intent_status::processing;
            intent.modified_at = now;
            tx.update_intent(intent);
        }
        tx.commit();
        r.intent = intent;
    }

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
        business_override = std::string(host_business_status::charge_rejected);
    } else {
        charge = perform_step(client_, r, *step, [&](const recoup::http_response& res) {
            return r.processor->parse_charge(r.charge, res);
        });
    }
    if (!charge) {
        if (metrics_) metrics_->count_charge(r.payment.connector, "transport_error");
        rearm_claimed(store_, task, now + options_.transport_retry_seconds, now);
        return "transport_error";
    }
    if (metrics_) metrics_->count_charge(r.payment.connector, charge_label(*charge));

    // 3. its consequences, in one transaction
    const auto d = recoup::decide_after_charge(task.retry_count, *charge, r.schedule, r.max_retry_count, now);
    return apply_decision(store_, r, attempt_id, task, *charge, d, 0, now, business_override);
}

std::string scheduler::run_psync(const task_record& task, std::int64_t now)
{
    const auto data = object_of(task.tracking_data);
    auto found = resolve(store_, plugins_, task.payment_id);
    if (auto* why = std::get_if<std::string>(&found)) {
        finish_claimed(store_, task, *why, now);
        return "finished";
    }
    auto& r = std::get<resolved>(found);
    const auto attempt_id = string_of(data, "attempt_id").value_or("");
    const std::int32_t poll_count = static_cast<std::int32_t>(int64_of(data, "poll_count", 0));
    std::int32_t retry_count = 0;
    {
        auto tx = store_.begin();
        auto exec = tx.find_task(recoup::execute_workflow_task_id(task.payment_id));
        if (!exec || !exec->is_open()) {
            auto current = tx.find_task(task.id);
            if (still_claimed(current, task)) {
                current->status = std::string(recoup::task_status_finish);
                current->business_status = exec ? exec->business_status : std::string(host_business_status::unknown_task);
                current->updated_at = now;
                tx.upsert_task(*current);
                tx.commit();
            }
            return "finished";
        }
        retry_count = exec->retry_count;
    }
    r.charge.attempt_id = attempt_id;
    r.charge.idempotency_key = attempt_id;
    recoup::status_request s{string_of(data, "processor_transaction_id").value_or(""), r.charge};

    const auto config = r.payment_config();
    std::optional<recoup::charge_result> charge;
    if (auto step = r.processor->build_status(s, config))
        charge = perform_step(client_, r, *step, [&](const recoup::http_response& res) {
            return r.processor->parse_status(s, res);
        });
    if (!charge) {
        if (metrics_) metrics_->count_charge(r.payment.connector, "transport_error");
        rearm_claimed(store_, task, now + options_.transport_retry_seconds, now);
        return "transport_error";
    }
    if (!charge->processor_transaction_id) charge->processor_transaction_id = s.processor_transaction_id;
    if (metrics_) metrics_->count_charge(r.payment.connector, charge_label(*charge));
    const auto d = recoup::decide_after_poll(retry_count, poll_count, *charge, r.schedule, r.max_retry_count, now);
    return apply_decision(store_, r, attempt_id, task, *charge, d, poll_count + 1, now);
}

std::string scheduler::run_record_back(const task_record& task, std::int64_t now)
{
    const auto data = object_of(task.tracking_data);
    const auto profile = string_of(data, "profile_id").value_or("");
    const auto billing_id = string_of(data, "billing_mca_id").value_or("");
    auto billing = store_.find_mca(profile, billing_id);
    const auto* connector = billing ? plugins_.connector(billing->connector) : nullptr;
    if (!connector || !connector->info().can_record_back()) {
        finish_claimed(store_, task, host_business_status::record_back_not_supported, now);
        return "not_supported";
    }
    recoup::record_back_request req;
    req.outcome = string_of(data, "outcome") == std::optional<std::string>("succeeded") ? recoup::recovery_outcome::succeeded
                                                                                      : recoup::recovery_outcome::failed;
    req.invoice_id = string_of(data, "invoice_id").value_or("");
    req.amount = int64_of(data, "amount", 0);
    if (auto c = recoup::find_currency(string_of(data, "currency").value_or(""))) req.currency = *c;
    req.connector_transaction_id = string_of(data, "connector_transaction_id");
    req.occurred_at = int64_of(data, "occurred_at", now);

    const auto settings = object_of(billing->settings);
    recoup::mca_config config;
    config.secrets = billing->secrets;
    config.api_key = billing->api_key ? std::string_view(*billing->api_key) : std::string_view{};
    config.settings = &settings;
    auto out = connector->record_back(req, config);
    if (!out) {
        const bool unsupported = out.error().code == recoup::error::not_supported;
        finish_claimed(store_, task,
                       unsupported ? host_business_status::record_back_not_supported
                                   : host_business_status::record_back_failed,
                       now);
        if (!unsupported) std::cerr << "recoupd: record-back " << task.payment_id << ": " << out.error().what() << std::endl;
        return unsupported ? "not_supported" : "failed";
    }
    std::optional<int> status;
    if (billing->base_url && !billing->base_url->empty())
        if (auto res = client_.perform(*billing->base_url, *out)) status = res->status;
    if (status && *status >= 200 && *status < 300) {
        finish_claimed(store_, task, host_business_status::record_back_complete, now);
        return "succeeded";
    }
    // Retry with backoff: 60 s, 120 s, 240 s, ... then give up.
    auto tx = store_.begin();
    auto current = tx.find_task(task.id);
    if (!still_claimed(current, task)) return "claim_lost";
    current->retry_count += 1;
    current->updated_at = now;
    if (current->retry_count >= options_.record_back_attempts) {
        current->status = std::string(recoup::task_status_finish);
        current->business_status = std::string(host_business_status::record_back_failed);
    } else {
        current->status = std::string(recoup::task_status_new);
        current->schedule_time = now + (std::int64_t{60} << std::min(current->retry_count - 1, 10));
    }
    tx.upsert_task(*current);
    tx.commit();
    return "retry";
}

} // namespace recoupd
