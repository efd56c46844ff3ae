// recoupd: delivering the outbox, the merchant's outgoing webhooks (docs/merchant-webhooks.md).
// The scheduler loop runs it after its tasks (serve, and `recoupd scheduler --once`): it claims
// the pending outgoing_webhook rows that are due with a lease (FOR UPDATE SKIP LOCKED on
// PostgreSQL), POSTs each body through the outbound client signed the Standard Webhooks way
// (webhook-id, webhook-timestamp, webhook-signature), and records what came of it with
// recoup::decide_after_delivery(): a 2xx delivers, anything else backs off for up to three days;
// an endpoint that kept failing is disabled (recoup::should_disable_endpoint()). At least once:
// a worker that dies after sending sends again, under the same webhook-id, when its lease expires.
#pragma once

#include "metrics.hpp"
#include "outbound/client.hpp"
#include "store/soci_store.hpp"

#include <recoup/connector.hpp>

#include <cstddef>
#include <cstdint>

namespace recoupd {

struct outbox_options {
    std::size_t batch = 50;
    std::int64_t lease_seconds = 60; // longer than one POST's total timeout
};

class outbox {
public:
    outbox(soci_store& store, const outbound::client& client, recoupd::metrics* metrics, outbox_options options = {});

    // Claims up to `batch` webhooks due at `now` and sends them. Returns how many were sent.
    std::size_t deliver_once(std::int64_t now);
    // deliver_once() until nothing is due at `now` (a failed one is due again later, never at `now`).
    std::size_t drain(std::int64_t now);

    // The request that delivers `webhook` at `timestamp` (for the tests and the log).
    static recoup::outbound_request request_for(const outgoing_delivery& webhook, std::int64_t timestamp);

private:
    void deliver(const outgoing_delivery& webhook, std::int64_t now);

    soci_store& store_;
    const outbound::client& client_;
    recoupd::metrics* metrics_;
    outbox_options options_;
};

} // namespace recoupd
