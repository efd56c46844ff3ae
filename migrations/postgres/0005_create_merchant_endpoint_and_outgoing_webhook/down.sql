DROP TABLE IF EXISTS outgoing_webhook;
DROP TABLE IF EXISTS merchant_endpoint;
