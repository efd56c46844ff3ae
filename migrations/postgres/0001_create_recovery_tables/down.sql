DROP TABLE IF EXISTS webhook_delivery;
DROP TABLE IF EXISTS webhook_event;
DROP TABLE IF EXISTS process_tracker;
DROP TABLE IF EXISTS payment_attempt;
DROP TABLE IF EXISTS payment_intent;
DROP TABLE IF EXISTS merchant_connector_account;
DROP TABLE IF EXISTS business_profile;
