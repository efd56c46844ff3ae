#!/bin/sh
# ./dev run's demo script end to end: a fresh directory gets a database, a profile and one MCA
# per bundled connector; the printed curl command gets a 200; a second run reuses the database
# and prints the same secrets. Each run ends with a whole recovery through the simulator: the
# failed-invoice webhook, the retry, the record-back and the merchant webhooks, whose signatures
# the demo's receiver verified; then the dashboard URL. Usage: http_demo.sh BUILD_DIR SOURCE_DIR
set -eu
BUILD=$1
SRC=$2
command -v curl >/dev/null 2>&1 || { echo "curl is not installed: skipped"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "python3 is not installed: skipped"; exit 77; }

# shellcheck source=tests/host/transcript.sh
. "$(dirname "$0")/transcript.sh"

T=$(mktemp -d /tmp/recoup-demo-test.XXXXXX)
PID=""
cleanup() {
    if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT
cd "$T"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

start_demo() { # $1: log file
    RECOUP_DEMO_LISTEN=127.0.0.1:$port "$SRC/host/run-demo.sh" "$BUILD" > "$1" 2>&1 &
    PID=$!
    i=0
    until grep -q "^listening on 127.0.0.1:$port" "$1"; do
        i=$((i + 1))
        if [ "$i" -gt 200 ]; then echo "FAIL: the demo did not start"; cat "$1"; exit 1; fi
        sleep 0.1
    done
}
# The recovery at the end of each run, in order, within a bounded wait.
check_recovery() { # $1: log file
    i=0
    until grep -q "^Dashboard: http://127.0.0.1:$port/dashboard" "$1"; do
        i=$((i + 1))
        if [ "$i" -gt 400 ]; then echo "FAIL: the demo's recovery did not finish"; cat "$1"; exit 1; fi
        sleep 0.1
    done
    grep -q "failed-invoice webhook: HTTP 200" "$1" || { echo "FAIL: the failed-invoice webhook was refused"; cat "$1"; exit 1; }
    for e in recovery.started recovery.retry_scheduled recovery.succeeded; do
        grep -q "merchant webhook $e msg_[0-9a-f]* invoice inv_demo_[0-9a-f]* amount 2500 USD: signature verified" "$1" \
            || { echo "FAIL: no verified $e"; cat "$1"; exit 1; }
    done
    grep -q "billing platform: POST /v2/invoices/inv_demo_[0-9a-f]*/record_payment (the record-back)" "$1" \
        || { echo "FAIL: no record-back"; cat "$1"; exit 1; }
    grep -q "INVALID" "$1" && { echo "FAIL: a merchant webhook did not verify"; cat "$1"; exit 1; }
    # Each webhook-id once: the receiver answered 200 to each.
    dups=$(grep -o "merchant webhook [a-z._]* msg_[0-9a-f]*" "$1" | sort | uniq -d)
    [ -z "$dups" ] || { echo "FAIL: delivered twice: $dups"; exit 1; }
    return 0
}
stop_demo() { # $1: log file
    kill -TERM "$PID"
    wait "$PID" || true
    # For secret_leaks: the secrets the demo generated, and what `recoupd serve` (which the demo
    # script execs, so same pid) logged after the banner. The banner shows the secrets by design:
    # it is `recoupd demo-info`'s stdout, not a log line, so it is left out.
    grep "secret(s):" "$1" | sed 's/.*secret(s): *//' | tr ' ' '\n' | while IFS= read -r s; do transcript_secret "$s"; done
    transcript_secret "$(cat var/recoup.db.key)"
    sed -n '/(Ctrl-C stops)$/,$p' "$1" | sed 1d >"$1.serve"
    transcript_save "http_demo.sh-$PID.log" "$1.serve"
    PID=""
}
# send_demo_event: runs the printed command, keeps the response for secret_leaks; prints the status.
send_demo_event() {
    sh -c "$cmd"
    echo >>response.json
    transcript_save "http_demo.sh-$$.responses" response.head response.json
}

start_demo first.log
for c in chargebee recurly stripe_billing; do
    grep -q "webhook URL: http://127.0.0.1:$port/v2/webhooks/revenue_recovery/demo_profile/demo_$c" first.log \
        || { echo "FAIL: no webhook URL for $c"; cat first.log; exit 1; }
done
# The printed command, as a person would paste it, asked only for the status code.
cmd=$(sed -n '/^  curl -i/,/--data-binary/p' first.log | sed 's/\\$//' | tr -d '\n' \
    | sed "s/curl -i/curl -s -D response.head -o response.json -w '%{http_code}'/")
[ -n "$cmd" ] || { echo "FAIL: no curl command printed"; cat first.log; exit 1; }
status=$(send_demo_event)
[ "$status" = 200 ] || { echo "FAIL: the printed command got $status: $(cat response.json)"; exit 1; }
check_recovery first.log
stop_demo first.log
[ -f var/recoup.db ] || { echo "FAIL: var/recoup.db was not created"; exit 1; }

start_demo second.log
grep "secret(s)" first.log > first.secrets
grep "secret(s)" second.log > second.secrets
cmp -s first.secrets second.secrets || { echo "FAIL: the second run did not reuse the database"; exit 1; }
status=$(send_demo_event)
[ "$status" = 200 ] || { echo "FAIL: the command got $status on the second run"; exit 1; }
check_recovery second.log
stop_demo second.log
echo "1 passed, 0 failed"
