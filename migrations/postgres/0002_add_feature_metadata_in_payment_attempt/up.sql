ALTER TABLE payment_attempt ADD COLUMN feature_metadata JSONB;
