#include "scheduler/method_plan.hpp"

#include <recoup/workflow.hpp>

namespace recoupd {

retry_policy retry_policy_of(const std::optional<profile_record>& profile)
{
    retry_policy p;
    if (!profile) return p;
    if (auto a = recoup::enum_from_string<recoup::retry_algorithm>(profile->retry_algorithm)) p.algorithm = *a;
    if (profile->network_rules)
        if (auto rules = recoup::parse_network_rules(*profile->network_rules)) p.rules = std::move(*rules);
    return p;
}

planned plan_execute(soci_store& store, const recoup::task_record& claimed, const recoup::intent_record& intent,
                     const std::vector<recoup::charge_method>& methods, const retry_policy& policy,
                     std::int64_t now)
{
    planned out;
    auto tx = store.begin();
    const auto horizon_end = intent.created_at + recoup::smart_options{}.horizon_seconds;
    out.plan = recoup::plan_charge(tx, intent, claimed.retry_count, methods, policy.rules, horizon_end, now,
                                  policy.algorithm);
    using step = recoup::charge_plan::step;
    if (out.plan.what == step::wait) out.claim_lost = !recoup::rearm_claimed(tx, claimed, out.plan.at, now);
    else if (out.plan.what == step::finish)
        out.claim_lost = !recoup::finish_claimed(tx, claimed, out.plan.business_status, now);
    tx.commit();
    return out;
}

namespace {

// The attempt `id` in `attempts` as the declined charge leaves it (its row is written afterwards).
void as_declined(std::vector<recoup::attempt_record>& attempts, const std::string& id, const recoup::charge_result& c)
{
    for (auto& a : attempts) {
        if (a.id != id) continue;
        a.status = recoup::attempt_status::failure;
        if (c.decline_class) a.decline_class = std::string(recoup::to_string(*c.decline_class));
        else if (c.decline == recoup::decline_kind::hard) a.decline_class = "hard";
        a.network_decline_code = c.network_decline_code;
        a.network_advice_code = c.network_advice_code;
    }
}

} // namespace

recoup::decline_context decline_context_of(soci_store& store, const recoup::intent_record& intent,
                                           const std::string& attempt_id, const recoup::charge_result& charge,
                                           const recoup::charge_method& method,
                                           const std::vector<recoup::charge_method>& methods,
                                           const retry_policy& policy, std::int64_t now)
{
    recoup::decline_context ctx;
    ctx.algorithm = policy.algorithm;
    ctx.rules = policy.rules;
    ctx.method = method;
    if (intent.billing_address && intent.billing_address->country) ctx.country = intent.billing_address->country;
    auto tx = store.begin();
    ctx.invoice_attempts = tx.attempts_of(intent.id);
    as_declined(ctx.invoice_attempts, attempt_id, charge);
    const auto since = now - recoup::credential_history_span;
    const auto network = [](const recoup::charge_method& m) { return std::string(recoup::to_string(m.network)); };
    auto history = tx.credential_history(method.credential_id, network(method), since);
    as_declined(history, attempt_id, charge);
    ctx.credential_history = recoup::past_attempts_of(history);
    const auto declined = recoup::declines_of(method, ctx.invoice_attempts);
    for (const auto& m : methods) {
        if (m == method) continue;
        const auto history = recoup::past_attempts_of(tx.credential_history(m.credential_id, network(m), since));
        if (!recoup::method_barred(policy.rules, m, history, ctx.invoice_attempts, now)) {
            ctx.alternate_left = true;
            if (recoup::declines_of(m, ctx.invoice_attempts) < declined) ctx.fresher_alternate = true;
        }
    }
    return ctx; // read only: rolled back
}

recoup::charge_method method_of_attempt(soci_store& store, const recoup::intent_record& intent,
                                        const std::string& attempt_id,
                                        const std::vector<recoup::charge_method>& methods)
{
    auto tx = store.begin();
    for (const auto& a : tx.attempts_of(intent.id)) {
        if (a.id != attempt_id || !a.payment_method_id) continue;
        for (const auto& m : methods)
            if (m.token == *a.payment_method_id) return m;
    }
    return methods.empty() ? recoup::charge_method{} : methods.front(); // read only: rolled back
}

} // namespace recoupd
