-- The recovery API's questions (docs/api.md): invoices newest first (keyset on created_at, id), in
-- all profiles or one, and an invoice's webhook events for its timeline.
CREATE INDEX payment_intent_created_idx ON payment_intent (created_at, id);
CREATE INDEX payment_intent_profile_created_idx ON payment_intent (profile_id, created_at, id);
CREATE INDEX webhook_event_payment_idx ON webhook_event (payment_id);
