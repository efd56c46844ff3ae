-- The platform's time (unix seconds) of the newest event applied to amount and status; NULL: none known.
ALTER TABLE payment_intent ADD COLUMN last_event_at BIGINT;
