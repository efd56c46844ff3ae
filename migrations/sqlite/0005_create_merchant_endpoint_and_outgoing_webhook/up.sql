-- What the merchant's own systems hear (docs/merchant-webhooks.md): per profile, the endpoints that
-- receive signed recovery events (Standard Webhooks), and the outbox. An outgoing_webhook row is
-- written in the same transaction as the change it reports, so a change that rolled back sends
-- nothing; the scheduler loop delivers it, at least once, under its stable id (webhook-id).
CREATE TABLE merchant_endpoint (
    id VARCHAR(64) PRIMARY KEY,
    profile_id VARCHAR(255) NOT NULL REFERENCES business_profile (id),
    url TEXT NOT NULL,
    -- the whsec_ secret, AES-256-GCM sealed by the host like an MCA's secrets
    secret TEXT NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
    disabled_reason TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    modified_at BIGINT NOT NULL
);
CREATE INDEX merchant_endpoint_profile_idx ON merchant_endpoint (profile_id);

-- One row per event and endpoint. body: the exact bytes that are signed and sent.
CREATE TABLE outgoing_webhook (
    id VARCHAR(64) PRIMARY KEY,
    endpoint_id VARCHAR(64) NOT NULL REFERENCES merchant_endpoint (id),
    profile_id VARCHAR(255) NOT NULL,
    payment_id VARCHAR(255),
    event_type VARCHAR(64) NOT NULL,
    body TEXT NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT
);
-- The delivery loop's question: which pending rows are due.
CREATE INDEX outgoing_webhook_status_next_idx ON outgoing_webhook (status, next_attempt_at);
CREATE INDEX outgoing_webhook_payment_idx ON outgoing_webhook (payment_id);
