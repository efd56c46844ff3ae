DROP INDEX IF EXISTS payment_attempt_credential_idx;
ALTER TABLE payment_attempt DROP COLUMN IF EXISTS credential_id;
ALTER TABLE payment_attempt DROP COLUMN IF EXISTS payment_method_id;
ALTER TABLE payment_attempt DROP COLUMN IF EXISTS network_advice_code;
ALTER TABLE payment_attempt DROP COLUMN IF EXISTS network_decline_code;
ALTER TABLE payment_attempt DROP COLUMN IF EXISTS network;
ALTER TABLE payment_attempt DROP COLUMN IF EXISTS decline_class;
ALTER TABLE business_profile DROP COLUMN IF EXISTS network_rules;
UPDATE business_profile SET retry_algorithm = 'cascading' WHERE retry_algorithm = 'smart';
ALTER TABLE business_profile DROP CONSTRAINT IF EXISTS business_profile_retry_algorithm_check;
ALTER TABLE business_profile ADD CONSTRAINT business_profile_retry_algorithm_check
    CHECK (retry_algorithm IN ('cascading', 'monitoring'));
