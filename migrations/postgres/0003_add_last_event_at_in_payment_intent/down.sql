ALTER TABLE payment_intent DROP COLUMN IF EXISTS last_event_at;
