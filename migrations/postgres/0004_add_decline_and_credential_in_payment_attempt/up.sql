-- Smart retries (docs/recovery.md): a third retry algorithm, the profile's network rule table,
-- and on every attempt the decline's class, the card network's own codes, the payment method
-- used and the credential it counts against (the network budgets count attempts per credential).
ALTER TABLE business_profile DROP CONSTRAINT IF EXISTS business_profile_retry_algorithm_check;
ALTER TABLE business_profile ADD CONSTRAINT business_profile_retry_algorithm_check
    CHECK (retry_algorithm IN ('cascading', 'monitoring', 'smart'));
-- The network rule table as JSON; NULL: the defaults of docs/recovery.md.
ALTER TABLE business_profile ADD COLUMN network_rules JSONB;

ALTER TABLE payment_attempt ADD COLUMN decline_class VARCHAR(32);
ALTER TABLE payment_attempt ADD COLUMN network VARCHAR(32);
ALTER TABLE payment_attempt ADD COLUMN network_decline_code VARCHAR(16);
ALTER TABLE payment_attempt ADD COLUMN network_advice_code VARCHAR(16);
ALTER TABLE payment_attempt ADD COLUMN payment_method_id VARCHAR(255);
-- hex SHA-256 of (profile id, payment method token): the card as the network counts it at this merchant.
ALTER TABLE payment_attempt ADD COLUMN credential_id VARCHAR(64);
-- The budget question: attempts on one credential and network within a window.
CREATE INDEX payment_attempt_credential_idx ON payment_attempt (credential_id, network, created_at);
