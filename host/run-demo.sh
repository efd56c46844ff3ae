#!/bin/sh
# ./dev run: the local demo. Creates var/recoup.db (SQLite) if absent, migrates it, and on a new
# database adds a demo profile with one MCA per bundled connector (generated secrets); then prints
# each webhook URL with its secrets and a copy-paste command that sends a correctly signed Stripe
# test event, and serves on 127.0.0.1:8080 until Ctrl-C. Later runs reuse the database.
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
echo
echo "Also: $base/health  $base/ready  $base/metrics      (Ctrl-C stops)"
echo
exec "$RECOUPD" serve --listen "$LISTEN"
