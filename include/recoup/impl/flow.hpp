#pragma once

#include <openssl/rand.h>

RECOUP_BEGIN_NAMESPACE

namespace detail {

// Deterministic ids: the same invoice in the same profile is the same intent everywhere.
inline std::string derive_id(std::string_view prefix, std::string_view a, std::string_view b)
{
    std::string material;
    material.reserve(a.size() + b.size() + 1);
    material.append(a).push_back('\x1f');
    material.append(b);
    const auto digest = sha256(material);
    return std::string(prefix) + hex_encode(std::span(digest.data(), 12));
}

inline std::string random_id(std::string_view prefix)
{
    unsigned char bytes[12];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
    return std::string(prefix) + hex_encode(bytes);
}

inline std::string attempt_feature_metadata(triggered_by by)
{
    boost::json::object rr{{"attempt_triggered_by", to_string(by)}};
    return boost::json::serialize(boost::json::object{{"revenue_recovery", std::move(rr)}});
}

constexpr intent_status status_after(attempt_status s) noexcept
{
    switch (s) {
    case attempt_status::charged: return intent_status::succeeded;
    case attempt_status::failure: return intent_status::failed;
    case attempt_status::pending:
    case attempt_status::started: return intent_status::processing;
    }
    return intent_status::processing;
}

// An event the platform dated before the one the intent was last updated from. Unknown times on
// either side are never stale: such an event applies as it always did.
constexpr bool is_stale(std::optional<std::int64_t> event_at, std::optional<std::int64_t> last_event_at) noexcept
{
    return event_at && last_event_at && *event_at < *last_event_at;
}

inline webhook_outcome conflict(recovery_result& out, intent_status s)
{
    out.conflicting_status = s;
    return webhook_outcome::conflict;
}

inline intent_record proposed_intent(const recovery_invoice& invoice, const recovery_account& account,
                                     std::int64_t now)
{
    intent_record r;
    r.id = derive_id("pay_", account.profile_id, invoice.merchant_reference_id.str());
    r.profile_id = account.profile_id;
    r.merchant_reference_id = invoice.merchant_reference_id.str();
    r.billing_mca_id = account.mca_id;
    r.amount = invoice.amount;
    r.currency = invoice.currency;
    r.billing_address = invoice.billing_address;
    r.created_at = r.modified_at = now;
    return r;
}

inline attempt_record external_attempt(const recovery_attempt& a, const intent_record& intent, std::int64_t now)
{
    attempt_record r;
    r.id = derive_id("att_", intent.id, a.connector_transaction_id);
    r.payment_id = intent.id;
    r.status = a.status;
    r.amount = a.amount;
    r.currency = a.currency;
    r.connector_payment_id = a.connector_transaction_id;
    r.charge_id = a.charge_id;
    r.error_code = a.error_code;
    r.error_message = a.error_message;
    r.triggered_by = triggered_by::external;
    r.feature_metadata = attempt_feature_metadata(triggered_by::external);
    r.details = boost::json::serialize(boost::json::value_from(a));
    r.created_at = r.modified_at = now;
    // The platform's attempt counts against the credential's network budget like ours (docs/recovery.md).
    if (a.processor_payment_method_token && !a.processor_payment_method_token->empty()) {
        r.payment_method_id = a.processor_payment_method_token;
        r.credential_id = credential_id(intent.profile_id, *a.processor_payment_method_token);
        r.network = std::string(to_string(network_of_method(a.card_network, a.payment_method_subtype)));
    }
    if (a.status == attempt_status::failure)
        if (auto cls = class_of_platform_code(a.error_code)) r.decline_class = std::string(to_string(*cls));
    return r;
}

// Records the reported attempt (or finds it) and says who triggered it. A new attempt on a
// finished intent leaves it as it is and sets `conflict_with` to its status.
template <recovery_transaction Tx>
std::optional<triggered_by> record_attempt(Tx& tx, const recovery_attempt& a, intent_record& intent,
                                           std::int64_t now, std::optional<intent_status>& conflict_with)
{
    if (auto existing = tx.find_attempt(intent.id, a.connector_transaction_id)) {
        // A later report of the same attempt (pending, then charged) updates its status only.
        if (existing->status != a.status && existing->status != attempt_status::charged) {
            existing->status = a.status;
            existing->error_code = a.error_code;
            existing->error_message = a.error_message;
            if (a.status == attempt_status::failure)
                if (auto cls = class_of_platform_code(a.error_code)) existing->decline_class = std::string(to_string(*cls));
            existing->modified_at = now;
            tx.update_attempt(*existing);
        }
        return existing->triggered_by;
    }
    tx.insert_attempt(external_attempt(a, intent, now));
    if (is_terminal(intent.status)) conflict_with = intent.status;
    else intent.status = status_after(a.status);
    return triggered_by::external;
}

template <recovery_transaction Tx>
webhook_outcome arm_task(Tx& tx, const intent_record& intent, const recovery_account& account, std::int64_t now,
                         recovery_result& out)
{
    if (account.algorithm == retry_algorithm::monitoring) return webhook_outcome::monitoring_only;
    const auto id = task_id(task_kind::execute, intent.id);
    if (auto existing = tx.find_task(id)) {
        if (existing->is_open()) return webhook_outcome::task_already_armed;
        out.earlier_business_status = existing->business_status;
        return webhook_outcome::task_finished_earlier;
    }
    const auto delay = retry_delay(account.schedule, 0, account.max_retry_count);
    if (!delay) return webhook_outcome::retries_disabled;
    task_record t;
    t.id = id;
    t.name = execute_workflow_task;
    t.runner = passive_recovery_runner;
    t.business_status = business_status::pending;
    t.retry_count = 0;
    t.schedule_time = now + delay->count();
    out.next_retry_at = t.schedule_time;
    t.tracking_data = tracking_text(execute_tracking{intent.id, intent.profile_id, account.mca_id});
    t.payment_id = intent.id;
    t.created_at = t.updated_at = now;
    tx.upsert_task(t);
    return webhook_outcome::task_armed;
}

template <recovery_transaction Tx>
webhook_outcome apply_action(Tx& tx, recovery_action action, intent_record& intent,
                             const recovery_account& account, std::int64_t now, recovery_result& out)
{
    switch (action) {
    case recovery_action::schedule_failed_payment:
        if (is_terminal(intent.status)) return conflict(out, intent.status);
        ++intent.total_retry_count;
        if (intent.total_retry_count <= account.retry_threshold) return webhook_outcome::below_retry_threshold;
        return arm_task(tx, intent, account, now, out);
    case recovery_action::success_payment_external:
        if (intent.status == intent_status::cancelled) return conflict(out, intent.status);
        intent.status = intent_status::succeeded;
        tx.finish_tasks(intent.id, std::string(business_status::external_payment), now);
        return webhook_outcome::intent_succeeded;
    case recovery_action::cancel_invoice:
        if (intent.status == intent_status::succeeded) return conflict(out, intent.status);
        intent.status = intent_status::cancelled;
        tx.finish_tasks(intent.id, std::string(business_status::invoice_cancelled), now);
        return webhook_outcome::intent_cancelled;
    case recovery_action::pending_payment:
        if (is_terminal(intent.status)) return conflict(out, intent.status);
        intent.status = intent_status::processing;
        return webhook_outcome::intent_processing;
    case recovery_action::no_action:
    case recovery_action::invalid_action: return webhook_outcome::recorded;
    }
    return webhook_outcome::recorded;
}

// What the merchant hears of a webhook's change (merchant_event.hpp): the intent as it now is.
template <class Tx>
void emit_webhook_events(Tx& tx, const normalized_webhook& w, const intent_record& before, const intent_record& intent,
                         const recovery_result& out, std::int64_t now)
{
    if constexpr (merchant_event_sink<Tx>) {
        std::optional<attempt_record> attempt;
        if (w.attempt) attempt = external_attempt(*w.attempt, intent, now);
        const auto event = [&](merchant_event_type type) {
            auto e = make_merchant_event(type, intent, now);
            if (attempt) {
                e.attempt = merchant_attempt_of(*attempt);
                e.decline_class = decline_class_of(*attempt);
            }
            return e;
        };
        if (out.outcome == webhook_outcome::task_armed) {
            tx.emit(event(merchant_event_type::started));
            auto scheduled = event(merchant_event_type::retry_scheduled);
            scheduled.next_retry_at = out.next_retry_at;
            tx.emit(scheduled);
        }
        if (intent.status != before.status && intent.status == intent_status::succeeded)
            tx.emit(event(merchant_event_type::succeeded));
        if (intent.status != before.status && intent.status == intent_status::cancelled)
            tx.emit(event(merchant_event_type::cancelled));
    }
}

} // namespace detail

inline std::string outcome_text(const recovery_result& r)
{
    std::string text(to_string(r.outcome));
    if (r.outcome == webhook_outcome::conflict && r.conflicting_status)
        text.append(": intent is ").append(to_string(*r.conflicting_status));
    else if (r.outcome == webhook_outcome::task_finished_earlier)
        text.append(": ").append(r.earlier_business_status);
    if (r.stale) text.append(" (stale event: amount and status kept)");
    return text;
}

template <recovery_transaction Tx>
recovery_result apply_webhook(Tx& tx, const normalized_webhook& w, const recovery_account& account,
                              std::string_view raw_body, std::int64_t now)
{
    recovery_result out;
    out.http_status = w.response.status;
    out.body = w.response.body;
    out.event_type = w.event_type;
    // An empty event id is no id: the body digest is the dedup key, as when it is missing.
    if (w.event_id && !w.event_id->empty()) out.event_id = w.event_id;

    event_record ev;
    ev.id = detail::random_id("evt_");
    ev.profile_id = account.profile_id;
    ev.merchant_connector_id = account.mca_id;
    ev.connector_event_id = out.event_id;
    ev.body_digest = hex_encode(sha256(raw_body));
    ev.dedup_key = out.event_id ? *out.event_id : "sha256:" + ev.body_digest;
    ev.event_type = to_string(w.event_type);
    ev.http_status = out.http_status;
    ev.received_at = now;
    if (account.keep_raw_body) ev.body = std::string(raw_body);

    if (!tx.claim_delivery(account.mca_id, ev.dedup_key)) {
        out.duplicate = true;
        out.action = recovery_action::no_action;
        out.outcome = webhook_outcome::duplicate;
    } else if (w.event_type == incoming_webhook_event::event_not_supported || !w.invoice) {
        out.action = decide(w.event_type, std::nullopt);
        out.outcome = webhook_outcome::ignored;
    } else {
        auto proposed = detail::proposed_intent(*w.invoice, account, now);
        proposed.last_event_at = w.event_at;
        auto intent = tx.lock_or_create_intent(proposed);
        const auto before = intent;
        out.stale = detail::is_stale(w.event_at, intent.last_event_at);
        std::optional<triggered_by> by;
        std::optional<intent_status> attempt_conflict;
        if (w.attempt) by = detail::record_attempt(tx, *w.attempt, intent, now, attempt_conflict);
        out.action = decide(w.event_type, by);
        out.outcome = detail::apply_action(tx, out.action, intent, account, now, out);
        // The action's own conflict names the status it met; otherwise the attempt's conflict wins.
        if (attempt_conflict && out.outcome != webhook_outcome::conflict) {
            out.outcome = detail::conflict(out, *attempt_conflict);
            out.earlier_business_status.clear();
        }
        if (out.stale) {
            // A late delivery: the newer event's status stands, unless this one ends the intent
            // (paid or cancelled is final whenever it was said), and so does its amount.
            if (!is_terminal(intent.status)) intent.status = before.status;
        } else {
            if (!is_terminal(intent.status)) intent.amount = w.invoice->amount; // still to collect
            if (w.event_at && !is_terminal(before.status)) intent.last_event_at = w.event_at;
        }
        if (intent.status != before.status || intent.total_retry_count != before.total_retry_count ||
            intent.amount != before.amount || intent.last_event_at != before.last_event_at) {
            intent.modified_at = now;
            tx.update_intent(intent);
        }
        detail::emit_webhook_events(tx, w, before, intent, out, now);
        out.payment_id = intent.id;
    }
    ev.action = to_string(out.action);
    ev.outcome = outcome_text(out);
    ev.payment_id = out.payment_id;
    tx.append_event(ev);
    return out;
}

template <billing_connector C, class SyncClient>
result<normalized_webhook> prepare_webhook(const C& connector, const webhook_request& req,
                                           const recovery_account& account, SyncClient&& sync, time_point now)
{
    if (auto verified = connector.verify_source(req, account.config, now); !verified) return verified.error();

    std::vector<sync_exchange> exchanges;
    auto w = normalize(connector, req, account.config, exchanges);
    for (int round = 0; w && !w->sync_requests.empty(); ++round) {
        if (round == max_sync_rounds)
            return fail(error::sync_response_failed, "", "the connector kept asking for sync requests");
        for (const auto& request : w->sync_requests) {
            auto response = sync(request);
            if (!response) return response.error();
            exchanges.push_back({request, std::move(*response)});
        }
        w = normalize(connector, req, account.config, exchanges);
    }
    if (!w) return w.error();
    // Before any store call; the body is checked only when the event log keeps it.
    const auto kept_body = account.keep_raw_body ? std::optional<std::string_view>(req.body) : std::nullopt;
    if (auto storable = check_storable(*w, kept_body); !storable) return storable.error();
    return w;
}

template <recovery_store S, billing_connector C, class SyncClient, class Clock>
result<recovery_result> recover(S& store, const C& connector, const webhook_request& req,
                                const recovery_account& account, SyncClient&& sync, const Clock& clock)
{
    const auto now = clock.now();
    auto w = prepare_webhook(connector, req, account, std::forward<SyncClient>(sync), now);
    if (!w) return w.error();
    try {
        auto tx = store.begin();
        auto out = apply_webhook(tx, *w, account, req.body, to_unix_seconds(now));
        tx.commit();
        return out;
    } catch (const exception& e) {
        return e.get();
    } catch (const storage_error& e) {
        return fail(error::storage_unavailable, "", e.what());
    } catch (const std::exception& e) {
        return fail(error::internal_fault, "", e.what()); // retrying the same request cannot mend it
    }
}

inline int status_for(const failure& f) noexcept
{
    const int code = static_cast<int>(f.code);
    if (code >= 100 && code < 200) return 401;
    if (f.code == error::sync_response_missing || f.code == error::sync_response_failed) return 503;
    if (code >= 200 && code < 300) return 400;
    if (f.code == error::not_found) return 404;
    if (f.code == error::storage_unavailable || f.code == error::storage_conflict) return 503;
    return 500;
}

inline api_response error_response(const failure& f)
{
    const int status = status_for(f);
    std::string_view type = status >= 500 ? "api" : "invalid_request";
    std::string_view code = "HE_00";
    switch (status) {
    case 401: code = "WE_01"; break;
    case 400: code = "WE_02"; break;
    case 404: code = "WE_04"; break;
    case 503: code = f.code == error::storage_unavailable || f.code == error::storage_conflict ? "HE_03" : "WE_03"; break;
    default: break;
    }
    // A 4xx names the caller's mistake; a 5xx says only its fixed text (the cause is for the log).
    const std::string message = status >= 500 ? std::string(api_error::public_message(code)) : f.what();
    boost::json::object err{{"type", type}, {"code", code}, {"message", message}};
    return {status, boost::json::serialize(boost::json::object{{"error", std::move(err)}})};
}

RECOUP_END_NAMESPACE
