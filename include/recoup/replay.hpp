// recoup: running a stored webhook through the flow again (`recoupd events replay ID
// --reprocess`). The stored delivery has its body but no headers, so it cannot be verified again;
// it was verified when it arrived (a delivery that fails verification is never stored), so the
// replay trusts it. It is applied under a dedup key of its own, replay_dedup_key(), so the
// original's dedup entry does not swallow it and every replay is one more delivery in the event log.
#pragma once

#include <recoup/connector.hpp>
#include <recoup/detail/config.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

RECOUP_BEGIN_NAMESPACE

// "replay:<original dedup key>:<n>", n counting from 1.
inline std::string replay_dedup_key(std::string_view original_dedup_key, std::int64_t n)
{
    return "replay:" + std::string(original_dedup_key) + ":" + std::to_string(n);
}

// The prefix every replay of that delivery starts with: "replay:<original dedup key>:".
inline std::string replay_dedup_prefix(std::string_view original_dedup_key)
{
    return "replay:" + std::string(original_dedup_key) + ":";
}

// A connector as a replay sees it: verification is skipped, and the event id (the dedup key) is
// `event_id`; everything else is the wrapped connector's.
template <billing_connector C>
class replayed_connector {
public:
    using webhook = typename C::webhook;

    replayed_connector(const C& connector, std::string event_id) : c_(connector), event_id_(std::move(event_id)) {}

    result<void> verify_source(const webhook_request&, const mca_config&, time_point) const { return {}; }
    result<webhook> parse(const webhook_request& req, const mca_config& mca, std::span<const sync_exchange> sync) const
    {
        return c_.parse(req, mca, sync);
    }
    incoming_webhook_event event_type(const webhook& w) const { return c_.event_type(w); }
    std::optional<std::string> event_id(const webhook&) const { return event_id_; }
    result<std::string> object_reference_id(const webhook& w) const { return c_.object_reference_id(w); }
    result<recovery_invoice> invoice_details(const webhook& w) const { return c_.invoice_details(w); }
    result<recovery_attempt> attempt_details(const webhook& w) const { return c_.attempt_details(w); }

    std::vector<outbound_request> sync_requests(const webhook& w, const mca_config& mca) const
        requires has_sync_requests<C>
    {
        return c_.sync_requests(w, mca);
    }
    std::optional<std::int64_t> event_time(const webhook& w) const
        requires has_event_time<C>
    {
        return c_.event_time(w);
    }
    recoup::api_response api_response(const webhook& w) const
        requires has_api_response<C>
    {
        return c_.api_response(w);
    }

private:
    const C& c_;
    std::string event_id_;
};

RECOUP_END_NAMESPACE
