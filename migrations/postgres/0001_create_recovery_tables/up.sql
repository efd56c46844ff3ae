-- The revenue-recovery tables (docs/behaviour.md §6). Times are unix seconds (BIGINT) on both backends, so
-- the store reads and writes them the same way; JSON columns are JSONB here, TEXT on SQLite.

CREATE TABLE business_profile (
    id VARCHAR(255) PRIMARY KEY,
    retry_algorithm VARCHAR(32) NOT NULL DEFAULT 'cascading'
        CHECK (retry_algorithm IN ('cascading', 'monitoring')),
    retry_schedule JSONB,
    created_at BIGINT NOT NULL
);

-- secrets (a JSON list, for rotation) and api_key are AES-256-GCM sealed by the host.
CREATE TABLE merchant_connector_account (
    id VARCHAR(255) NOT NULL,
    profile_id VARCHAR(255) NOT NULL REFERENCES business_profile (id),
    connector VARCHAR(255) NOT NULL,
    secrets TEXT NOT NULL,
    secret_count INTEGER NOT NULL DEFAULT 0,
    api_key TEXT,
    base_url TEXT,
    settings JSONB NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX merchant_connector_account_profile_idx ON merchant_connector_account (profile_id);

CREATE TABLE payment_intent (
    id VARCHAR(255) PRIMARY KEY,
    profile_id VARCHAR(255) NOT NULL,
    merchant_reference_id VARCHAR(255) NOT NULL,
    billing_mca_id VARCHAR(255),
    amount BIGINT NOT NULL,
    currency VARCHAR(3) NOT NULL,
    status VARCHAR(32) NOT NULL,
    billing_address JSONB,
    total_retry_count INTEGER NOT NULL DEFAULT 0,
    feature_metadata JSONB,
    created_at BIGINT NOT NULL,
    modified_at BIGINT NOT NULL
);
-- Two concurrent first deliveries for one invoice converge on one intent.
CREATE UNIQUE INDEX payment_intent_profile_reference_idx
    ON payment_intent (profile_id, merchant_reference_id);

-- feature_metadata arrives in its own migration, as in the reference.
CREATE TABLE payment_attempt (
    id VARCHAR(255) PRIMARY KEY,
    payment_id VARCHAR(255) NOT NULL REFERENCES payment_intent (id),
    status VARCHAR(32) NOT NULL,
    amount BIGINT NOT NULL,
    currency VARCHAR(3) NOT NULL,
    connector_payment_id VARCHAR(255) NOT NULL,
    charge_id VARCHAR(255),
    error_code VARCHAR(255),
    error_message TEXT,
    triggered_by VARCHAR(16) NOT NULL,
    details JSONB,
    created_at BIGINT NOT NULL,
    modified_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX payment_attempt_payment_connector_idx
    ON payment_attempt (payment_id, connector_payment_id);

CREATE TABLE process_tracker (
    id VARCHAR(255) PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    runner VARCHAR(255) NOT NULL,
    status VARCHAR(32) NOT NULL,
    business_status VARCHAR(255) NOT NULL DEFAULT '',
    retry_count INTEGER NOT NULL DEFAULT 0,
    schedule_time BIGINT NOT NULL,
    tracking_data JSONB,
    payment_id VARCHAR(255),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- The scheduler's question: which open tasks are due.
CREATE INDEX process_tracker_status_schedule_idx ON process_tracker (status, schedule_time);
CREATE INDEX process_tracker_payment_idx ON process_tracker (payment_id);

-- One row per delivery, duplicates included.
CREATE TABLE webhook_event (
    id VARCHAR(255) PRIMARY KEY,
    profile_id VARCHAR(255) NOT NULL,
    merchant_connector_id VARCHAR(255) NOT NULL,
    connector_event_id VARCHAR(255),
    dedup_key VARCHAR(255) NOT NULL,
    event_type VARCHAR(255) NOT NULL,
    action VARCHAR(255) NOT NULL,
    outcome TEXT NOT NULL,
    http_status INTEGER NOT NULL,
    payment_id VARCHAR(255),
    body_digest VARCHAR(255) NOT NULL,
    body TEXT,
    received_at BIGINT NOT NULL
);
CREATE INDEX webhook_event_mca_received_idx ON webhook_event (merchant_connector_id, received_at);

-- Deliveries already processed: the primary key is the dedup.
CREATE TABLE webhook_delivery (
    merchant_connector_id VARCHAR(255) NOT NULL,
    dedup_key VARCHAR(255) NOT NULL,
    PRIMARY KEY (merchant_connector_id, dedup_key)
);
