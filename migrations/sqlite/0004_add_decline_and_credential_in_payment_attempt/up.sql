-- SQLite flavour of migrations/postgres/0004. SQLite cannot change a CHECK constraint in place, and
-- a migration runs inside a transaction, where foreign keys cannot be switched off: so the one
-- table that references business_profile (merchant_connector_account) is kept aside, both are
-- rebuilt (create, copy, drop, rename), and it is put back with its index.
CREATE TABLE merchant_connector_account_keep AS SELECT * FROM merchant_connector_account;
DROP TABLE merchant_connector_account;
CREATE TABLE business_profile_new (
    id VARCHAR(255) PRIMARY KEY,
    retry_algorithm VARCHAR(32) NOT NULL DEFAULT 'cascading'
        CHECK (retry_algorithm IN ('cascading', 'monitoring', 'smart')),
    retry_schedule TEXT,
    created_at BIGINT NOT NULL,
    network_rules TEXT
);
INSERT INTO business_profile_new (id, retry_algorithm, retry_schedule, created_at)
    SELECT id, retry_algorithm, retry_schedule, created_at FROM business_profile;
DROP TABLE business_profile;
ALTER TABLE business_profile_new RENAME TO business_profile;
CREATE TABLE merchant_connector_account (
    id VARCHAR(255) NOT NULL,
    profile_id VARCHAR(255) NOT NULL REFERENCES business_profile (id),
    connector VARCHAR(255) NOT NULL,
    secrets TEXT NOT NULL,
    secret_count INTEGER NOT NULL DEFAULT 0,
    api_key TEXT,
    base_url TEXT,
    settings TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    PRIMARY KEY (id)
);
INSERT INTO merchant_connector_account
        (id, profile_id, connector, secrets, secret_count, api_key, base_url, settings, created_at, modified_at)
    SELECT id, profile_id, connector, secrets, secret_count, api_key, base_url, settings, created_at, modified_at
    FROM merchant_connector_account_keep;
DROP TABLE merchant_connector_account_keep;
CREATE INDEX merchant_connector_account_profile_idx ON merchant_connector_account (profile_id);

ALTER TABLE payment_attempt ADD COLUMN decline_class VARCHAR(32);
ALTER TABLE payment_attempt ADD COLUMN network VARCHAR(32);
ALTER TABLE payment_attempt ADD COLUMN network_decline_code VARCHAR(16);
ALTER TABLE payment_attempt ADD COLUMN network_advice_code VARCHAR(16);
ALTER TABLE payment_attempt ADD COLUMN payment_method_id VARCHAR(255);
ALTER TABLE payment_attempt ADD COLUMN credential_id VARCHAR(64);
CREATE INDEX payment_attempt_credential_idx ON payment_attempt (credential_id, network, created_at);
