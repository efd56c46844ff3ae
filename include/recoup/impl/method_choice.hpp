#pragma once

#include <algorithm>

RECOUP_BEGIN_NAMESPACE

inline std::vector<charge_method> methods_of(std::string_view profile_id, const recovery_attempt& source)
{
    std::vector<charge_method> out;
    const auto add = [&](const std::string& token, card_network network) {
        if (token.empty()) return;
        for (const auto& m : out)
            if (m.token == token) return;
        out.push_back({token, network, credential_id(profile_id, token)});
    };
    if (!source.processor_payment_method_token || source.processor_payment_method_token->empty()) return out;
    add(*source.processor_payment_method_token,
        network_of_method(source.card_network, source.payment_method_subtype));
    for (const auto& m : source.alternate_payment_methods) add(m.id, network_of_method(m.network));
    return out;
}

inline std::vector<past_attempt> past_attempts_of(std::span<const attempt_record> attempts)
{
    std::vector<past_attempt> out;
    out.reserve(attempts.size());
    for (const auto& a : attempts) {
        past_attempt p;
        p.at = a.created_at;
        p.declined = a.status == attempt_status::failure;
        if (a.decline_class) p.decline_class = enum_from_string<decline_class>(*a.decline_class);
        p.initiator = attempt_initiator::merchant;
        p.advice_code = a.network_advice_code;
        p.network_code = a.network_decline_code;
        out.push_back(std::move(p));
    }
    return out;
}

namespace detail {

// The stricter of two verdicts: never over later over allowed; of two waits, the longer.
inline budget_verdict stricter(budget_verdict a, budget_verdict b)
{
    const auto rank = [](const budget_verdict& v) {
        return v.outcome == budget_outcome::never ? 2 : v.outcome == budget_outcome::later ? 1 : 0;
    };
    if (rank(a) != rank(b)) return rank(a) > rank(b) ? a : b;
    if (a.outcome == budget_outcome::later && b.earliest.value_or(0) > a.earliest.value_or(0)) return b;
    return a;
}

} // namespace detail

inline budget_verdict check_method_budget(const network_rules& rules, card_network network,
                                          std::span<const past_attempt> history, std::int64_t at)
{
    if (network != card_network::other) return check_budget(rules, network, history, at);
    return detail::stricter(check_budget(rules, card_network::visa, history, at),
                            check_budget(rules, card_network::mastercard, history, at));
}

inline bool method_barred(const network_rules& rules, const charge_method& method,
                          std::span<const past_attempt> history, std::span<const attempt_record> invoice_attempts,
                          std::int64_t now)
{
    if (check_method_budget(rules, method.network, history, now).outcome == budget_outcome::never) return true;
    for (const auto& a : invoice_attempts) {
        if (a.credential_id != method.credential_id || a.status != attempt_status::failure || !a.decline_class)
            continue;
        if (auto cls = enum_from_string<decline_class>(*a.decline_class); cls && should_switch_method(*cls))
            return true;
    }
    return false;
}

inline std::int32_t declines_of(const charge_method& method, std::span<const attempt_record> invoice_attempts)
{
    std::int32_t n = 0;
    for (const auto& a : invoice_attempts)
        if (a.status == attempt_status::failure && a.credential_id == method.credential_id) ++n;
    return n;
}

template <workflow_transaction Tx>
charge_plan plan_charge(Tx& tx, const intent_record& intent, std::int32_t retry_count,
                        std::span<const charge_method> all_methods, const network_rules& rules,
                        std::int64_t horizon_end, std::int64_t now, retry_algorithm algorithm)
{
    charge_plan plan;
    const auto invoice_attempts = tx.attempts_of(intent.id);
    // A crashed run recorded its attempt and method: the same charge again, under the same key.
    const auto rerun_id = internal_attempt_id(intent.id, retry_count);
    for (const auto& a : invoice_attempts)
        if (a.id == rerun_id && a.payment_method_id)
            for (const auto& m : all_methods)
                if (m.token == *a.payment_method_id) {
                    plan.what = charge_plan::step::charge;
                    plan.method = m;
                    plan.reason = "the attempt's own method (a rerun)";
                    return plan;
                }
    // Suspected fraud on any of the invoice's attempts (the platform's own included) ends it.
    for (const auto& a : invoice_attempts)
        if (a.status == attempt_status::failure && a.decline_class &&
            enum_from_string<decline_class>(*a.decline_class) == decline_class::fraud_suspected) {
            plan.what = charge_plan::step::finish;
            plan.business_status = business_status::hard_decline;
            plan.reason = "fraud suspected on the invoice";
            return plan;
        }
    std::vector<charge_method> methods(all_methods.begin(), all_methods.end());
    if (algorithm == retry_algorithm::smart)
        std::stable_sort(methods.begin(), methods.end(), [&](const charge_method& a, const charge_method& b) {
            return declines_of(a, invoice_attempts) < declines_of(b, invoice_attempts);
        });
    std::string barred_by;
    for (const auto& m : methods) {
        const auto history = past_attempts_of(
            tx.credential_history(m.credential_id, std::string(to_string(m.network)), now - credential_history_span));
        if (method_barred(rules, m, history, invoice_attempts, now)) {
            barred_by = "method " + m.credential_id.substr(0, 12) + " barred";
            continue;
        }
        const auto verdict = check_method_budget(rules, m.network, history, now);
        plan.method = m;
        plan.reason = verdict.rule;
        if (verdict.allowed()) {
            plan.what = charge_plan::step::charge;
        } else if (verdict.earliest && *verdict.earliest <= horizon_end) {
            plan.what = charge_plan::step::wait;
            plan.at = std::max(*verdict.earliest, now + 1);
        } else {
            plan.what = charge_plan::step::finish;
            plan.business_status = business_status::network_budget_exhausted;
        }
        return plan;
    }
    plan.what = charge_plan::step::finish;
    plan.business_status = business_status::never_retry;
    plan.reason = barred_by.empty() ? "no payment method" : barred_by;
    return plan;
}

namespace detail {

inline workflow_decision finished_failed(workflow_decision d, std::string_view status)
{
    d.step = workflow_decision::next::finish_failed;
    d.attempt = attempt_status::failure;
    d.intent = intent_status::failed;
    d.business_status = std::string(status);
    d.record_back = recovery_outcome::failed;
    return d;
}

inline workflow_decision rearmed(workflow_decision d, std::int64_t at)
{
    d.step = workflow_decision::next::rearm;
    d.attempt = attempt_status::failure;
    d.intent = intent_status::failed;
    d.schedule_time = at;
    d.business_status = std::string(business_status::pending);
    d.record_back.reset();
    return d;
}

} // namespace detail

inline workflow_decision decide_after_decline(const workflow_decision& cascading, const charge_result& charge,
                                              const decline_context& ctx, std::string_view jitter_seed,
                                              std::int64_t now)
{
    if (charge.status != charge_status::failed) return cascading;
    const auto cls = charge.decline_class ? *charge.decline_class
                                          : (charge.decline == decline_kind::hard ? decline_class::hard
                                                                                  : decline_class::do_not_honor);
    // Suspected fraud ends the invoice's recovery: no other method either (card after card on one
    // invoice is what card testing looks like; docs/recovery.md).
    if (cls == decline_class::fraud_suspected)
        return detail::finished_failed(cascading, business_status::hard_decline);
    const bool never = check_method_budget(ctx.rules, ctx.method.network, ctx.credential_history, now).outcome ==
                       budget_outcome::never;
    if (never || should_switch_method(cls)) {
        if (ctx.alternate_left) return detail::rearmed(cascading, now + method_switch_delay);
        // HARD_DECLINE when the decline is hard by its class; NEVER_RETRY when a network rule bars a softer one.
        const bool hard_class = decline_kind_of(cls) == decline_kind::hard;
        return detail::finished_failed(cascading, never && !hard_class ? business_status::never_retry
                                                                       : business_status::hard_decline);
    }
    if (ctx.algorithm == retry_algorithm::smart) {
        std::int32_t failures = 0;
        std::int64_t first = now;
        for (const auto& a : ctx.invoice_attempts) {
            if (a.status == attempt_status::failure) ++failures;
            first = std::min(first, a.created_at);
        }
        smart_input in;
        // The customer's backup method before waiting for this one to clear (a billing platform
        // charges the backup payment source when the primary fails: docs/recovery.md).
        if (ctx.fresher_alternate && decline_kind_of(cls) == decline_kind::soft && failures < in.options.max_attempts)
            return detail::rearmed(cascading, now + method_switch_delay);
        in.now = now;
        in.decline = cls;
        in.advice_code = charge.network_advice_code;
        in.attempts_so_far = std::max(failures, 1);
        in.first_failure_at = first;
        in.credential_history = ctx.credential_history;
        in.network = ctx.method.network;
        in.rules = ctx.rules;
        in.country = ctx.country;
        in.jitter_seed = std::string(jitter_seed);
        const auto next = decide_smart(in);
        if (next.at) return detail::rearmed(cascading, *next.at);
        const bool budget = next.reason.rfind("budget", 0) == 0;
        return detail::finished_failed(cascading, budget ? business_status::network_budget_exhausted
                                                         : business_status::retries_exhausted);
    }
    if (cascading.step != workflow_decision::next::rearm) return cascading;
    // The ladder's time, unless the budget forbids it then: the first time it allows.
    const auto verdict = check_method_budget(ctx.rules, ctx.method.network, ctx.credential_history,
                                             cascading.schedule_time);
    if (verdict.outcome == budget_outcome::later && verdict.earliest)
        return detail::rearmed(cascading, *verdict.earliest);
    return cascading;
}

inline std::optional<charge_result> polled_decline(const workflow_decision& polled, const charge_result& answer)
{
    if (polled.attempt != attempt_status::failure) return std::nullopt;
    if (polled.step != workflow_decision::next::rearm && polled.step != workflow_decision::next::finish_failed)
        return std::nullopt;
    if (answer.status == charge_status::failed) return answer;
    if (answer.status == charge_status::pending) return psync_timed_out(answer);
    return std::nullopt;
}

RECOUP_END_NAMESPACE
