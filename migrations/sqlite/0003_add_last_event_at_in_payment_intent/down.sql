ALTER TABLE payment_intent DROP COLUMN last_event_at;
