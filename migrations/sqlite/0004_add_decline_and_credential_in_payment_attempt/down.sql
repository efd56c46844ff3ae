DROP INDEX IF EXISTS payment_attempt_credential_idx;
ALTER TABLE payment_attempt DROP COLUMN credential_id;
ALTER TABLE payment_attempt DROP COLUMN payment_method_id;
ALTER TABLE payment_attempt DROP COLUMN network_advice_code;
ALTER TABLE payment_attempt DROP COLUMN network_decline_code;
ALTER TABLE payment_attempt DROP COLUMN network;
ALTER TABLE payment_attempt DROP COLUMN decline_class;
CREATE TABLE merchant_connector_account_keep AS SELECT * FROM merchant_connector_account;
DROP TABLE merchant_connector_account;
CREATE TABLE business_profile_old (
    id VARCHAR(255) PRIMARY KEY,
    retry_algorithm VARCHAR(32) NOT NULL DEFAULT 'cascading'
        CHECK (retry_algorithm IN ('cascading', 'monitoring')),
    retry_schedule TEXT,
    created_at BIGINT NOT NULL
);
INSERT INTO business_profile_old (id, retry_algorithm, retry_schedule, created_at)
    SELECT id, CASE retry_algorithm WHEN 'smart' THEN 'cascading' ELSE retry_algorithm END,
           retry_schedule, created_at FROM business_profile;
DROP TABLE business_profile;
ALTER TABLE business_profile_old RENAME TO business_profile;
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
