#include "cli/events_reprocess.hpp"

#include "outbound/client.hpp"
#include "settings.hpp"
#include "store/recovery_queries.hpp"

#include <recoup/clock.hpp>
#include <recoup/flow.hpp>
#include <recoup/replay.hpp>
#include <recoup/task.hpp>

#include <boost/json.hpp>

#include <ostream>

namespace recoupd::cli {

namespace {

namespace json = boost::json;

json::value task_state(const std::optional<recoup::task_record>& t)
{
    if (!t) return nullptr;
    return json::object{{"status", t->status},
                        {"business_status", t->business_status},
                        {"retry_count", t->retry_count},
                        {"schedule_time", t->schedule_time}};
}

const recoup::task_kind task_kinds[] = {recoup::task_kind::execute, recoup::task_kind::psync,
                                        recoup::task_kind::record_back};

workflow_rows workflow_of(soci_store& store, const std::optional<std::string>& payment_id)
{
    if (!payment_id) return {};
    std::vector<std::string> ids;
    for (const auto k : task_kinds) ids.push_back(recoup::task_id(k, *payment_id));
    return store.read_workflow(*payment_id, ids);
}

// What changed between two reads of one payment's rows.
json::object effects(const workflow_rows& before, const workflow_rows& after)
{
    auto status = [](const workflow_rows& w) {
        return w.intent ? json::value(recoup::to_string(w.intent->status)) : json::value(nullptr);
    };
    json::array tasks;
    for (std::size_t i = 0; i < after.tasks.size(); ++i) {
        const auto was = i < before.tasks.size() ? task_state(before.tasks[i]) : json::value(nullptr);
        const auto now = task_state(after.tasks[i]);
        if (was == now) continue;
        tasks.push_back(json::object{{"name", recoup::to_string(task_kinds[i])}, {"before", was}, {"after", now}});
    }
    return {{"intent_status", json::object{{"before", status(before)}, {"after", status(after)}}},
            {"attempts", json::object{{"before", before.attempts.size()}, {"after", after.attempts.size()}}},
            {"task_changes", std::move(tasks)}};
}

} // namespace

int reprocess_event(soci_store& store, const recoupd::plugins& plugins, const recoup::event_record& e, context& ctx)
{
    auto fail = [&](const std::string& why) {
        print_error(ctx.err, "cannot reprocess event \"" + e.id + "\": " + why);
        return exit_failure;
    };
    if (!e.body) return fail("its body was not stored (the host ran with --no-raw-body)");
    const recoup::system_clock clock;
    const auto profile = store.find_profile(e.profile_id);
    if (!profile) return fail("profile \"" + e.profile_id + "\" no longer exists");
    auto mca = store.find_mca(e.profile_id, e.merchant_connector_id, recoup::to_unix_seconds(clock.now()));
    if (!mca) return fail("merchant connector account \"" + e.merchant_connector_id + "\" no longer exists");
    const auto* connector = plugins.connector(mca->connector);
    if (!connector) return fail("connector plugin \"" + mca->connector + "\" is not loaded (see --plugin-dir)");

    // The account as the webhook path builds it; the body is stored already, so keep_raw_body stays on.
    const auto settings = settings_of(mca->settings);
    const auto account = recovery_account_of(*profile, *mca, settings, true);

    const auto dedup_key = recoup::replay_dedup_key(e.dedup_key, replays_of(store, mca->id, e.dedup_key) + 1);
    const recoup::replayed_connector replayed(*connector, dedup_key);
    const recoup::webhook_request request{.method = "POST", .path = {}, .query = {}, .headers = {}, .body = *e.body};
    outbound::client client;
    auto sync = [&](const recoup::outbound_request& out) -> recoup::result<recoup::http_response> {
        if (!mca->base_url || mca->base_url->empty())
            return recoup::fail(recoup::error::sync_response_failed, "base_url",
                                "the merchant connector account has no base URL for sync calls");
        return client.perform(*mca->base_url, out);
    };

    const auto before = workflow_of(store, e.payment_id);
    const auto outcome = recoup::recover(store, replayed, request, account, sync, clock);
    if (!outcome) return fail(outcome.error().what());
    const auto after = workflow_of(store, outcome->payment_id);
    json::object o{{"replayed", e.id},
                   {"dedup_key", dedup_key},
                   {"event_type", recoup::to_string(outcome->event_type)},
                   {"action", recoup::to_string(outcome->action)},
                   {"outcome", recoup::outcome_text(*outcome)},
                   {"http_status", outcome->http_status},
                   {"payment_id", outcome->payment_id ? json::value(*outcome->payment_id) : json::value(nullptr)}};
    // Another payment than the original's (or none before): everything after is a change.
    const auto changes = effects(outcome->payment_id == e.payment_id ? before : workflow_rows{}, after);
    for (const auto& [k, v] : changes) o[k] = v;
    ctx.out << json::serialize(o) << "\n";
    return exit_ok;
}

} // namespace recoupd::cli
