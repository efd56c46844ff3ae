#!/bin/sh
# ./dev run: the local demo. Creates var/recoup.db (SQLite) if absent, migrates it, and on a new
# database adds a demo profile with one MCA per bundled connector (generated secrets); then prints
# each webhook URL with its secrets and a copy-paste command that sends a correctly signed Stripe
# test event, and serves on 127.0.0.1:8080 until Ctrl-C. Later runs reuse the database.
# Each run then shows a whole recovery through the simulator processor (with python3): a profile of
# its own with a 2-second retry schedule, a Chargebee MCA whose API is a local receiver
# (host/demo_receiver.py), a merchant endpoint at that receiver; a failed-invoice webhook, the
# scheduler's retry that succeeds, the record-back, and the signed merchant webhooks, each checked
# by the receiver; then the dashboard URL.
# Usage: host/run-demo.sh BUILD_DIR   (run from the repository root, as ./dev run does)
set -eu
BUILD=${1:?usage: host/run-demo.sh BUILD_DIR}
RECOUPD="$BUILD/host/recoupd"
[ -x "$RECOUPD" ] || { echo "run-demo: $RECOUPD is not built" >&2; exit 1; }

LISTEN=${RECOUP_DEMO_LISTEN:-127.0.0.1:8080}
PROFILE=demo_profile
EVENT_FILE=var/demo-stripe-event.json
export RECOUP_DATABASE_URL=sqlite:var/recoup.db
export RECOUP_PLUGIN_DIR="$BUILD/plugins"

# Random hex from the kernel (the openssl CLI may not be installed).
random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

mkdir -p var
new=0
[ -f var/recoup.db ] || new=1
"$RECOUPD" migrate up >/dev/null

if [ "$new" -eq 1 ]; then
    # Secrets through the environment, never on a command line (ps shows those to every user);
    # recoup_demo=true marks the MCAs as the demo's, the only ones demo-info prints secrets of.
    "$RECOUPD" profile add --id "$PROFILE" >/dev/null
    DEMO_SECRET="demo:$(random_hex 16)" "$RECOUPD" mca add --profile "$PROFILE" --id demo_chargebee \
        --connector chargebee --secret-env DEMO_SECRET --setting recoup_demo=true >/dev/null
    DEMO_SECRET="$(random_hex 32)" DEMO_API_KEY="$(random_hex 16)" "$RECOUPD" mca add --profile "$PROFILE" \
        --id demo_recurly --connector recurly --secret-env DEMO_SECRET --api-key-env DEMO_API_KEY \
        --base-url https://v3.recurly.com --setting recoup_demo=true >/dev/null
    DEMO_SECRET="whsec_$(random_hex 24)" "$RECOUPD" mca add --profile "$PROFILE" --id demo_stripe_billing \
        --connector stripe_billing --secret-env DEMO_SECRET --setting recoup_demo=true >/dev/null
fi

if [ ! -f "$EVENT_FILE" ]; then
    # A small Stripe invoice.payment_failed event (API version 2020-08-27 shape).
    printf '%s\n' "{\"id\":\"evt_demo_$(random_hex 8)\",\"object\":\"event\",\"type\":\"invoice.payment_failed\",\"data\":{\"object\":{\"id\":\"in_demo_$(random_hex 6)\",\"object\":\"invoice\",\"amount_due\":2500,\"amount_remaining\":2500,\"currency\":\"usd\",\"attempt_count\":1,\"customer\":\"cus_demo\",\"payment_intent\":\"pi_demo_$(random_hex 6)\",\"charge\":\"ch_demo_$(random_hex 6)\"}}}" > "$EVENT_FILE"
fi

base="http://$LISTEN"
echo
echo "recoup demo: database var/recoup.db, plugins $RECOUP_PLUGIN_DIR"
echo
stripe_path="" stripe_secret=""
if ! "$RECOUPD" demo-info --profile "$PROFILE" > var/.demo-info; then
    rm -f var/.demo-info
    echo "run-demo: var/recoup.db predates the demo's marks or is not the demo's; move it away to start afresh" >&2
    exit 1
fi
while read -r mca connector path secrets; do
    echo "  $connector ($mca)"
    echo "    webhook URL: $base$path"
    echo "    secret(s):   $secrets"
    if [ "$connector" = stripe_billing ]; then
        stripe_path=$path
        stripe_secret=${secrets%% *}
    fi
done < var/.demo-info
rm -f var/.demo-info

if [ -n "$stripe_path" ]; then
    echo
    echo "Send a signed Stripe test event (copy and paste into another terminal):"
    echo
    echo "  curl -i -X POST -H 'Content-Type: application/json' \\"
    echo "    -H \"Stripe-Signature: \$($RECOUPD sign stripe --secret '$stripe_secret' --body-file $EVENT_FILE)\" \\"
    echo "    --data-binary @$EVENT_FILE $base$stripe_path"
fi

command -v python3 >/dev/null 2>&1 || {
    echo
    echo "Also: $base/health  $base/ready  $base/metrics      (Ctrl-C stops)"
    echo
    exec "$RECOUPD" serve --listen "$LISTEN"
}

# ---- a whole recovery, end to end, through the simulator ----------------------------------------
here=$(dirname "$0")
run=$(random_hex 4)
rprofile="demo_recovery_$run"
endpoint_secret="whsec_$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')"
RECEIVER_PID="" SERVE_PID=""
stop_all() {
    [ -z "$SERVE_PID" ] || kill -TERM "$SERVE_PID" 2>/dev/null || true
    [ -z "$RECEIVER_PID" ] || kill -TERM "$RECEIVER_PID" 2>/dev/null || true
    [ -z "$SERVE_PID" ] || wait "$SERVE_PID" 2>/dev/null || true
    [ -z "$RECEIVER_PID" ] || wait "$RECEIVER_PID" 2>/dev/null || true
}
trap 'stop_all; exit 0' INT TERM
rm -f var/.demo-receiver.port var/demo-receiver.log
DEMO_ENDPOINT_SECRET="$endpoint_secret" python3 "$here/demo_receiver.py" var/.demo-receiver.port \
    > var/demo-receiver.log 2>&1 &
RECEIVER_PID=$!
i=0
until [ -s var/.demo-receiver.port ]; do
    i=$((i + 1)); [ "$i" -le 100 ] || { echo "run-demo: the receiver did not start" >&2; cat var/demo-receiver.log >&2; stop_all; exit 1; }
    sleep 0.1
done
receiver="http://127.0.0.1:$(cat var/.demo-receiver.port)"
cb_user=demo cb_password=$(random_hex 16)
"$RECOUPD" profile add --id "$rprofile" --retry-schedule '{"start_after":2,"frequencies":[[2,3]]}' >/dev/null
"$RECOUPD" mca add --profile "$rprofile" --id "sim_$run" --connector simulator --setting recoup_demo=true >/dev/null
DEMO_SECRET="$cb_user:$cb_password" DEMO_API_KEY="$(random_hex 16)" "$RECOUPD" mca add --profile "$rprofile" \
    --id "cb_$run" --connector chargebee --secret-env DEMO_SECRET --api-key-env DEMO_API_KEY --base-url "$receiver" \
    --setting "billing_account_reference={\"gw_demo\":\"sim_$run\"}" --setting recoup_demo=true >/dev/null
DEMO_ENDPOINT_SECRET="$endpoint_secret" "$RECOUPD" endpoint add --profile "$rprofile" --id "ep_$run" \
    --url "$receiver/merchant/webhooks" --secret-env DEMO_ENDPOINT_SECRET >/dev/null

echo
echo "Also: $base/health  $base/ready  $base/metrics      (Ctrl-C stops)"
echo
"$RECOUPD" serve --listen "$LISTEN" &
SERVE_PID=$!
i=0
until curl -s -o /dev/null "$base/health" 2>/dev/null; do
    i=$((i + 1)); [ "$i" -le 100 ] || { echo "run-demo: recoupd serve did not start" >&2; stop_all; exit 1; }
    sleep 0.1
done

# A Chargebee payment_failed for a new invoice, paid with the simulator's tok_success card.
invoice="inv_demo_$run"
python3 - "$invoice" "$run" > var/demo-payment-failed.json <<'PY'
import json, sys, time
invoice, run = sys.argv[1], sys.argv[2]
now = int(time.time())
card = {"object": "payment_method", "type": "card", "reference_id": "cus_demo/tok_success",
        "gateway": "stripe", "gateway_account_id": "gw_demo", "status": "valid"}
print(json.dumps({
    "id": "ev_demo_" + run, "occurred_at": now, "source": "scheduled_job", "object": "event",
    "api_version": "v2", "event_type": "payment_failed", "webhook_status": "scheduled",
    "content": {
        "transaction": {"id": "txn_demo_" + run, "customer_id": "cus_demo", "gateway_account_id": "gw_demo",
                        "payment_method": "card", "gateway": "stripe", "type": "payment", "date": now,
                        "amount": 2500, "id_at_gateway": "ch_demo_" + run, "status": "failure",
                        "error_code": "card_declined", "error_text": "Your card was declined.",
                        "updated_at": now, "deleted": False, "object": "transaction", "currency_code": "USD",
                        "linked_invoices": [{"invoice_id": invoice, "applied_amount": 2500, "applied_at": now,
                                             "invoice_total": 2500, "invoice_status": "payment_due"}]},
        "invoice": {"id": invoice, "customer_id": "cus_demo", "recurring": True, "status": "payment_due",
                    "date": now, "due_date": now, "total": 2500, "amount_paid": 0, "amount_due": 2500,
                    "updated_at": now, "deleted": False, "object": "invoice", "currency_code": "USD",
                    "sub_total": 2500},
        "customer": {"id": "cus_demo", "object": "customer", "auto_collection": "on", "payment_method": card},
    },
}))
PY
echo "A whole recovery through the simulator (profile $rprofile, invoice $invoice):"
status=$(curl -s -o var/.demo-answer -w '%{http_code}' -u "$cb_user:$cb_password" -H 'Content-Type: application/json' \
    --data-binary @var/demo-payment-failed.json "$base/v2/webhooks/revenue_recovery/$rprofile/cb_$run")
echo "  failed-invoice webhook: HTTP $status"
# The retry is due 2 s later; serve's scheduler charges, records back and sends the merchant webhooks.
i=0
until grep -q "recovery.succeeded" var/demo-receiver.log && grep -q "record_payment" var/demo-receiver.log; do
    i=$((i + 1))
    if [ "$i" -gt 300 ]; then echo "run-demo: the recovery did not complete in 30 s" >&2; break; fi
    sleep 0.1
done
sleep 0.5 # the last deliveries of the pass
cat var/demo-receiver.log
echo
echo "Dashboard: $base/dashboard"
echo
wait "$SERVE_PID"
