"""--rows-preload N: N rows in every table the webhook path touches, loaded with one INSERT ...
SELECT generate_series per table (then ANALYZE), shaped like the rows the load itself writes:
invoice references `pre_<i>` (which the row checks leave out), one attempt, one finished task and
one delivery each."""

NOW = "extract(epoch from now())::bigint"
KIND_STATUS = "CASE WHEN g % 10 < 7 THEN '{f}' WHEN g % 10 < 9 THEN '{s}' ELSE '{c}' END"
REF = "'pre_' || lpad(g::text, 8, '0')"
# a stored Stripe event body of the load's size (webhook_event keeps the raw body by default)
BODY = ("format('{\"id\":\"evt_pre_%1$s\",\"object\":\"event\",\"api_version\":\"2024-06-20\",\"created\":%2$s,"
        "\"type\":\"invoice.payment_failed\",\"livemode\":false,\"pending_webhooks\":1,\"data\":{\"object\":"
        "{\"id\":\"pre_%1$s\",\"object\":\"invoice\",\"amount_due\":%3$s,\"amount_paid\":0,\"currency\":\"usd\","
        "\"customer\":\"cus_%4$s\",\"status\":\"open\",\"payment_intent\":\"pi_pre_%1$s\",\"charge\":\"ch_pre_%1$s\","
        "\"attempt_count\":1,\"billing_reason\":\"subscription_cycle\",\"subscription\":\"sub_%4$s\","
        "\"last_finalization_error\":null,\"created\":%2$s}}}', lpad(g::text, 8, '0'), "
        f"{NOW}, 1000 + g % 5000, lpad((g % 997)::text, 6, '0'))")

RECOUPD = [
    f"""INSERT INTO payment_intent (id, profile_id, merchant_reference_id, billing_mca_id, amount, currency, status,
            total_retry_count, feature_metadata, created_at, modified_at, last_event_at)
        SELECT 'pay_' || substr(md5('pay' || g), 1, 24), 'pro_bench', {REF}, 'mca_bench', 1000 + g % 5000, 'USD',
            {KIND_STATUS.format(f='failed', s='succeeded', c='cancelled')}, 1, '{{}}', {NOW}, {NOW}, {NOW}
        FROM generate_series(1, __N__) g ORDER BY 1""",
    f"""INSERT INTO payment_attempt (id, payment_id, status, amount, currency, connector_payment_id, charge_id,
            triggered_by, details, feature_metadata, created_at, modified_at)
        SELECT 'att_' || substr(md5('att' || g), 1, 24), 'pay_' || substr(md5('pay' || g), 1, 24),
            CASE WHEN g % 10 BETWEEN 7 AND 8 THEN 'charged' ELSE 'failure' END, 1000 + g % 5000, 'USD',
            'pi_pre_' || g, 'ch_pre_' || g, 'external',
            jsonb_build_object('amount', 1000 + g % 5000, 'currency', 'USD', 'charge_id', 'ch_pre_' || g,
                'retry_count', 1, 'connector_customer_id', 'cus_' || g % 997, 'merchant_reference_id', {REF},
                'connector_transaction_id', 'pi_pre_' || g),
            '{{"revenue_recovery": {{"attempt_triggered_by": "external"}}}}', {NOW}, {NOW}
        FROM generate_series(1, __N__) g ORDER BY 1""",
    f"""INSERT INTO process_tracker (id, name, runner, status, business_status, retry_count, schedule_time,
            tracking_data, payment_id, created_at, updated_at)
        SELECT 'PASSIVE_RECOVERY_WORKFLOW_EXECUTE_WORKFLOW_pay_' || substr(md5('pay' || g), 1, 24), 'EXECUTE_WORKFLOW',
            'PASSIVE_RECOVERY_WORKFLOW', CASE WHEN g % 10 < 7 THEN 'new' ELSE 'finish' END,
            {KIND_STATUS.format(f='Pending', s='COMPLETED_BY_EXTERNAL_PAYMENT', c='INVOICE_CANCELLED')}, 0,
            {NOW} + 86400, jsonb_build_object('payment_id', 'pay_' || substr(md5('pay' || g), 1, 24),
                'profile_id', 'pro_bench', 'billing_mca_id', 'mca_bench'),
            'pay_' || substr(md5('pay' || g), 1, 24), {NOW}, {NOW}
        FROM generate_series(1, __N__) g ORDER BY 1""",
    f"""INSERT INTO webhook_event (id, profile_id, merchant_connector_id, connector_event_id, dedup_key, event_type,
            action, outcome, http_status, payment_id, body_digest, body, received_at)
        SELECT 'evt_' || substr(md5('evt' || g), 1, 24), 'pro_bench', 'mca_bench', 'evt_pre_' || g, 'evt_pre_' || g,
            'RecoveryPaymentFailure', 'ScheduleFailedPayment', 'task armed', 200,
            'pay_' || substr(md5('pay' || g), 1, 24), md5('body' || g) || md5('digest' || g), {BODY}, {NOW}
        FROM generate_series(1, __N__) g ORDER BY 1""",
    """INSERT INTO webhook_delivery (merchant_connector_id, dedup_key)
        SELECT 'mca_bench', 'evt_pre_' || g FROM generate_series(1, __N__) g""",
]

PEER = [
    f"""INSERT INTO payment_intent (profile_id, merchant_reference_id, amount, currency, status)
        SELECT 'pro_bench', {REF}, 1000 + g % 5000, 'usd',
            {KIND_STATUS.format(f='requires_payment_method', s='succeeded', c='cancelled')}
        FROM generate_series(1, __N__) g ORDER BY 2""",
    """INSERT INTO payment_attempt (intent_id, connector_transaction_id, status, amount, feature_metadata)
        SELECT id, 'pi_' || merchant_reference_id, CASE WHEN status = 'succeeded' THEN 'charged' ELSE 'failure' END,
            amount, '{"revenue_recovery": {"triggered_by": "external"}}'
        FROM payment_intent WHERE merchant_reference_id LIKE 'pre_%'""",
    """INSERT INTO process_tracker (intent_id, name, status, schedule_time)
        SELECT id, 'EXECUTE_WORKFLOW', CASE WHEN status = 'requires_payment_method' THEN 'pending' ELSE 'finish' END,
            now() + interval '1 day'
        FROM payment_intent WHERE merchant_reference_id LIKE 'pre_%'""",
]


def fill(cluster, db, server, n):
    # No checkpoint in the middle of the load (each would make the next writes full-page images):
    # the cluster's checkpoint settings are raised for the load only, and restored after it.
    cluster.sql("postgres", "ALTER SYSTEM SET max_wal_size = '32GB'")
    cluster.sql("postgres", "ALTER SYSTEM SET checkpoint_timeout = '1h'")
    cluster.sql("postgres", "SELECT pg_reload_conf()")
    try:
        for statement in RECOUPD if server == "recoupd" else PEER:
            cluster.sql(db, statement.replace("__N__", str(int(n))))
        cluster.sql(db, "ANALYZE")
    finally:
        cluster.sql("postgres", "ALTER SYSTEM RESET max_wal_size")
        cluster.sql("postgres", "ALTER SYSTEM RESET checkpoint_timeout")
        cluster.sql("postgres", "SELECT pg_reload_conf()")
        cluster.sql("postgres", "CHECKPOINT")
