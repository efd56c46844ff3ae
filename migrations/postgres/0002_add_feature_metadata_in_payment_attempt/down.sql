ALTER TABLE payment_attempt DROP COLUMN IF EXISTS feature_metadata;
