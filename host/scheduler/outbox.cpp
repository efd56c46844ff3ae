#include "scheduler/outbox.hpp"

#include "log.hpp"
#include "mca_checks.hpp"

#include <recoup/merchant_delivery.hpp>

#include <boost/json.hpp>

namespace recoupd {

namespace {

namespace json = boost::json;
using state = recoup::delivery_decision::state;

std::string_view outcome_of(state s)
{
    switch (s) {
    case state::delivered: return "delivered";
    case state::pending: return "retry";
    case state::failed: return "failed";
    }
    return "failed";
}

// One JSON line per attempt: ids and outcome only, never the body or the signature.
void log_delivery(const outgoing_record& w, const delivery_result& r, bool disabled)
{
    json::object o;
    o["decision_id"] = next_request_id();
    o["level"] = r.decision.next == state::delivered ? "info" : "warning";
    o["webhook_id"] = w.id;
    o["endpoint_id"] = w.endpoint_id;
    o["event_type"] = w.event_type;
    o["payment_id"] = w.payment_id ? json::value(*w.payment_id) : json::value(nullptr);
    o["attempt"] = r.decision.attempts;
    o["outcome"] = outcome_of(r.decision.next);
    o["status"] = r.status ? json::value(*r.status) : json::value(nullptr);
    if (r.error) o["detail"] = *r.error;
    if (disabled) o["endpoint_disabled"] = true;
    log_json(o);
}

} // namespace

outbox::outbox(soci_store& store, const outbound::client& client, recoupd::metrics* metrics, outbox_options options)
    : store_(store), client_(client), metrics_(metrics), options_(options)
{
}

recoup::outbound_request outbox::request_for(const outgoing_delivery& w, std::int64_t timestamp)
{
    recoup::outbound_request r;
    r.method = "POST";
    // The endpoint URL is the client's base: its path is the prefix, and "/" when it has none.
    const auto url = outbound::base_url::parse(w.url);
    r.path = url && url->prefix.empty() ? "/" : "";
    const auto key = recoup::endpoint_secret_key(w.secret).value_or("");
    r.headers = {
        {"content-type", "application/json"},
        {"webhook-id", w.webhook.id},
        {"webhook-timestamp", std::to_string(timestamp)},
        {"webhook-signature", recoup::standard_webhook_signature(key, w.webhook.id, timestamp, w.webhook.body)},
    };
    r.body = w.webhook.body;
    return r;
}

std::size_t outbox::deliver_once(std::int64_t now)
{
    const auto due = store_.claim_outgoing(now, options_.batch, options_.lease_seconds);
    for (const auto& w : due) {
        try {
            deliver(w, now);
        } catch (const std::exception& e) {
            // Left leased: it is due again when the lease expires.
            log_json(json::object{{"decision_id", next_request_id()}, {"level", "error"}, {"webhook_id", w.webhook.id},
                                  {"outcome", "error"}, {"detail", e.what()}});
        }
    }
    return due.size();
}

std::size_t outbox::drain(std::int64_t now)
{
    std::size_t total = 0;
    // Bounded: every claimed row is due later than `now` afterwards, so this ends; the bound is a guard.
    for (int round = 0; round < 1000; ++round) {
        const auto n = deliver_once(now);
        if (n == 0) break;
        total += n;
    }
    return total;
}

void outbox::deliver(const outgoing_delivery& w, std::int64_t now)
{
    delivery_result r;
    r.at = now;
    // The URL was checked when the endpoint was added; checked again, as the rules may have grown.
    if (auto problem = mca_checks::base_url_problem(w.url, false)) {
        r.error = "the endpoint URL is refused: " + *problem;
    } else if (!recoup::endpoint_secret_key(w.secret)) {
        r.error = "the endpoint secret is not whsec_ + base64";
    } else if (auto res = client_.perform(w.url, request_for(w, now))) {
        r.status = res->status;
        if (res->status < 200 || res->status > 299) r.error = "HTTP " + std::to_string(res->status);
    } else {
        r.error = res.error().what();
    }
    const bool ok = r.status && *r.status >= 200 && *r.status <= 299;
    r.decision = recoup::decide_after_delivery(w.webhook.attempts, w.webhook.created_at, now, ok);
    const bool disabled = store_.record_delivery(w.webhook, r);
    if (metrics_) {
        metrics_->count_merchant_delivery(std::string(outcome_of(r.decision.next)));
        if (disabled) metrics_->count_endpoint_disabled();
    }
    log_delivery(w.webhook, r, disabled);
}

} // namespace recoupd
