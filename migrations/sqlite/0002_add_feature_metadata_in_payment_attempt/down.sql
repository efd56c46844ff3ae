ALTER TABLE payment_attempt DROP COLUMN feature_metadata;
