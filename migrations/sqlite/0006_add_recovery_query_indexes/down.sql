DROP INDEX IF EXISTS webhook_event_payment_idx;
DROP INDEX IF EXISTS payment_intent_profile_created_idx;
DROP INDEX IF EXISTS payment_intent_created_idx;
