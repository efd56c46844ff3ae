#!/usr/bin/env bash
# The storage commands end to end on a SQLite file: migrate, profile add, mca add with a real
# bundled plugin, mca list without secrets, rotate-secret, demo-info only on the demo's MCAs, events,
# errors and --help.
# With `postgresql` as third argument the same runs in a fresh schema of RECOUP_TEST_PG_URL
# (exit 77, skipped, when it is unset).
# usage: cli_storage.sh RECOUPD PLUGIN_DIR [sqlite|postgresql]
set -u
RECOUPD=$1
PLUGIN_DIR=$2
BACKEND=${3:-sqlite}
T=$(mktemp -d)
unset RECOUP_MASTER_KEY RECOUP_PLUGIN_DIR
if [ "$BACKEND" = postgresql ]; then
    [ -n "${RECOUP_TEST_PG_URL:-}" ] || exit 77
    SCHEMA="t_cli_$$_$RANDOM"
    psql -q "$RECOUP_TEST_PG_URL" -c "CREATE SCHEMA $SCHEMA" >/dev/null || exit 1
    case "$RECOUP_TEST_PG_URL" in *\?*) sep='&' ;; *) sep='?' ;; esac
    export RECOUP_DATABASE_URL="$RECOUP_TEST_PG_URL${sep}options=-csearch_path%3D$SCHEMA"
    export RECOUP_MASTER_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
    trap 'psql -q "$RECOUP_TEST_PG_URL" -c "DROP SCHEMA $SCHEMA CASCADE" >/dev/null 2>&1; rm -rf "$T"' EXIT
else
    export RECOUP_DATABASE_URL="sqlite:$T/var/recoup.db"
    trap 'rm -rf "$T"' EXIT
fi
failures=0
ran=0
# shellcheck source=tests/host/transcript.sh
. "$(dirname "$0")/transcript.sh"

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run EXPECTED_STATUS ARGS...: runs recoupd, keeps stdout in $out and stderr in $err (and both,
# with the secrets it was given, for secret_leaks).
run() {
    local expected=$1; shift
    transcript_secrets_of "$@"
    "$RECOUPD" "$@" >"$T/out" 2>"$T/err"
    local status=$?
    ran=$((ran + 1))
    # demo-info prints the demo's secrets on stdout by design (its output, not a log line): only its
    # stderr goes to the transcript; the refusals below check that its stdout stays empty.
    case " $* " in
        *" demo-info "*) transcript_save "cli_storage.sh-$BACKEND-$$-$ran.log" "$T/err" ;;
        *) transcript_save "cli_storage.sh-$BACKEND-$$-$ran.log" "$T/out" "$T/err" ;;
    esac
    out=$(cat "$T/out"); err=$(cat "$T/err")
    if [ "$status" -ne "$expected" ]; then
        fail "recoupd $* exited $status, expected $expected; stdout: $out; stderr: $err"
    fi
}
contains() { case "$1" in *"$2"*) return 0 ;; esac; return 1; }
expect_out() { contains "$out" "$1" || fail "stdout lacks \"$1\": $out"; }
expect_err() { contains "$err" "$1" || fail "stderr lacks \"$1\": $err"; }
one_line_err() { [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "error is not one line: $err"; }

run 0 migrate status
expect_out "0001_create_recovery_tables"
expect_out "pending"
run 0 migrate
expect_out "applied 0001_create_recovery_tables"
if [ "$BACKEND" = sqlite ]; then transcript_secret "$(cat "$T/var/recoup.db.key")"; fi
expect_out "applied 0002_add_feature_metadata_in_payment_attempt"
expect_out "applied 0003_add_last_event_at_in_payment_intent"
expect_out "applied 0004_add_decline_and_credential_in_payment_attempt"
expect_out "applied 0005_create_merchant_endpoint_and_outgoing_webhook"
expect_out "applied 0006_add_recovery_query_indexes"
expect_out "applied 0007_create_config_version"
run 0 migrate up
expect_out "already up to date"

run 0 profile add --id prof_1
expect_out "added profile prof_1"
run 1 profile add --id prof_1
expect_err 'profile "prof_1" already exists'; one_line_err
run 0 profile add --id prof_2 --retry-algorithm monitoring --retry-schedule '{"start_after":60}'
run 2 profile add
expect_err "--id is required"

# Smart retries: the algorithm by name, the network rule table from a file (bad JSON: one line,
# exit 2, nothing written), and profile update changing only what it is given.
run 0 profile add --id prof_smart --retry-algorithm smart
expect_out "added profile prof_smart (retry algorithm smart)"
printf '{"visa": ' > "$T/bad_rules.json"
run 2 profile add --id prof_bad --network-rules "$T/bad_rules.json"
expect_err "--network-rules $T/bad_rules.json: "; one_line_err
run 1 profile update --id prof_bad --retry-algorithm smart
expect_err 'unknown profile "prof_bad"'; one_line_err
run 2 profile add --id prof_bad --network-rules "$T/missing.json"
expect_err "--network-rules: cannot read $T/missing.json"; one_line_err
run 2 profile update --id prof_2 --retry-algorithm sometimes
expect_err "--retry-algorithm must be one of cascading, monitoring, smart"; one_line_err
run 2 profile update --id prof_2 --network-rules "$T/bad_rules.json"
one_line_err
run 0 profile update --id prof_2 --retry-algorithm smart
expect_out "updated profile prof_2 (retry algorithm smart)"
printf '{"limits":[{"name":"visa_15","network":"visa","window_seconds":2592000,"max_attempts":15,"counts":"reattempts"}],"never_retry":[]}' > "$T/rules.json"
run 0 profile update --id prof_2 --network-rules "$T/rules.json"
printf '{"limits":[{"name":"x","window_seconds":-1,"max_attempts":1,"counts":"declines"}],"never_retry":[]}' > "$T/bad_shape.json"
run 2 profile add --id prof_bad --network-rules "$T/bad_shape.json"
expect_err "window_seconds"; one_line_err

run 0 mca add --profile prof_1 --id mca_cb --connector chargebee --secret 'cbuser:plain-secret-one' \
    --secret 'cbuser:plain-secret-two' --api-key plain-api-key --base-url https://acme.chargebee.com/api \
    --setting retry_threshold=2 --setting 'billing_account_reference={"gw_1":"mca_pay"}' --setting note=hello \
    --plugin-dir "$PLUGIN_DIR"
expect_out "added MCA mca_cb"
expect_out "/v2/webhooks/revenue_recovery/prof_1/mca_cb"
contains "$out$err" "plain-secret" && fail "mca add printed a secret"
expect_err "recoupd: warning: --secret puts the value on the command line"
if [ "$BACKEND" = sqlite ]; then
    [ "$(stat -c %a "$T/var/recoup.db.key")" = 600 ] || fail "the key file is not mode 0600"
fi

# RECOUP_PLUGIN_DIR is read too; an unknown connector is one clear line. (The secret from the
# environment: the argv form would add its warning line.)
export TEST_SECRET=cbuser:s
RECOUP_PLUGIN_DIR="$PLUGIN_DIR" run 1 mca add --profile prof_1 --id mca_x --connector nope --secret-env TEST_SECRET
expect_err 'unknown connector "nope"'; one_line_err
run 1 mca add --profile prof_1 --id mca_x --connector chargebee --secret-env TEST_SECRET --plugin-dir "$T/nowhere"
expect_err 'unknown connector "chargebee"'
run 1 mca add --profile prof_missing --id mca_x --connector chargebee --secret-env TEST_SECRET --plugin-dir "$PLUGIN_DIR"
expect_err 'unknown profile "prof_missing"'; one_line_err
run 2 mca add --profile prof_1 --id mca_x --connector chargebee --plugin-dir "$PLUGIN_DIR"
expect_err "--secret is required"

run 0 mca list
expect_out "mca_cb"
expect_out "chargebee"
expect_out '"billing_account_reference":{"gw_1":"mca_pay"}'
expect_out '"retry_threshold":2'
contains "$out" "plain-" && fail "mca list printed a secret: $out"
printf '%s\n' "$out" | grep -q 'mca_cb  *chargebee  *2  *yes' || fail "mca list does not show 2 secrets and an API key: $out"
run 0 mca list --profile prof_2
expect_out "no MCA"

run 0 mca rotate-secret --profile prof_1 --id mca_cb --secret 'cbuser:plain-secret-three' --keep-old
expect_out "rotated the webhook secret of MCA mca_cb"
run 0 mca list
printf '%s\n' "$out" | grep -q 'mca_cb  *chargebee  *3 ' || fail "rotate --keep-old should keep 3 secrets: $out"
run 0 mca rotate-secret --profile prof_1 --id mca_cb --secret 'cbuser:plain-secret-four'
run 0 mca list
printf '%s\n' "$out" | grep -q 'mca_cb  *chargebee  *1 ' || fail "rotate without --keep-old should keep 1 secret: $out"
run 1 mca rotate-secret --profile prof_1 --id mca_missing --secret x
expect_err 'unknown MCA "mca_missing"'

# demo-info prints secrets: only for a profile whose MCAs all carry the demo's mark.
run 1 demo-info --profile prof_1
expect_err "demo-info prints secrets, so it runs only on the database ./dev run created"
expect_err 'MCA "mca_cb" of profile "prof_1" was not created by the demo'; one_line_err
[ -z "$out" ] || fail "a refused demo-info printed: $out"
contains "$out$err" "plain-secret" && fail "a refused demo-info printed a secret"
run 1 demo-info --profile prof_2
expect_err 'profile "prof_2" has no MCA'
run 0 profile add --id prof_demo
DEMO_SECRET='cbuser:plain-demo-secret' run 0 mca add --profile prof_demo --id mca_demo --connector chargebee \
    --secret-env DEMO_SECRET --setting recoup_demo=true --plugin-dir "$PLUGIN_DIR"
contains "$err" "warning" && fail "mca add --secret-env warned: $err"
run 0 demo-info --profile prof_demo
expect_out "mca_demo chargebee /v2/webhooks/revenue_recovery/prof_demo/mca_demo cbuser:plain-demo-secret"
printf 'cbuser:plain-other-secret\n' > "$T/other.secret"
run 0 mca add --profile prof_demo --id mca_other --connector chargebee --secret-file "$T/other.secret" \
    --plugin-dir "$PLUGIN_DIR"
run 1 demo-info --profile prof_demo
expect_err 'MCA "mca_other" of profile "prof_demo" was not created by the demo'
contains "$out$err" "plain-" && fail "a refused demo-info printed a secret: $out$err"
rm -f "$T/other.secret"

# Merchant endpoints (docs/merchant-webhooks.md): a generated secret is printed once, list never
# shows it, a given one is never printed, bad URLs and unknown profiles are one line and exit 2.
run 0 endpoint add --profile prof_1 --url https://merchant.example/hooks/recoup --id ep_gen
expect_out "added endpoint ep_gen for profile prof_1: https://merchant.example/hooks/recoup"
generated=$(printf '%s\n' "$out" | sed -n 's/^secret \(whsec_[A-Za-z0-9+/=]*\) .*/\1/p')
[ -n "$generated" ] || fail "endpoint add printed no whsec_ secret: $out"
python3 -c 'import base64,sys; k=base64.b64decode(sys.argv[1][6:], validate=True); sys.exit(0 if len(k) == 32 else 1)' \
    "$generated" || fail "the generated secret is not whsec_ + base64 of 32 bytes: $generated"
printf 'whsec_%s\n' "$(printf 'plain-endpoint-key-0123456789' | base64)" > "$T/endpoint.secret"
run 0 endpoint add --profile prof_1 --url http://127.0.0.1:9/hooks --id ep_file --secret-file "$T/endpoint.secret"
contains "$out$err" "whsec_" && fail "endpoint add printed a secret it was given: $out$err"
run 0 endpoint list
expect_out "ep_gen  profile=prof_1  status=enabled  failures=0  url=https://merchant.example/hooks/recoup"
expect_out "ep_file"
contains "$out" "whsec_" && fail "endpoint list printed a secret: $out"
contains "$out" "$generated" && fail "endpoint list printed the generated secret"
run 2 endpoint add --profile prof_1 --url ftp://merchant.example/hooks
expect_err "is refused"; one_line_err
run 2 endpoint add --profile prof_1 --url http://169.254.169.254/latest
expect_err "link-local or cloud metadata"; one_line_err
run 2 endpoint add --profile prof_missing --url https://merchant.example/hooks
expect_err 'unknown profile "prof_missing"'; one_line_err
printf 'not-a-whsec\n' > "$T/bad.secret"
run 2 endpoint add --profile prof_1 --url https://merchant.example/hooks --secret-file "$T/bad.secret"
expect_err "whsec_"; one_line_err
run 0 endpoint disable ep_gen --reason "moving house"
expect_out "disabled endpoint ep_gen"
run 0 endpoint list --profile prof_1
expect_out 'status=disabled  failures=0  url=https://merchant.example/hooks/recoup  reason="moving house"'
run 0 endpoint enable ep_gen
run 0 endpoint list --profile prof_1
printf '%s\n' "$out" | grep -q 'ep_gen .*status=enabled' || fail "endpoint enable did not enable: $out"
run 1 endpoint disable ep_missing
expect_err 'unknown endpoint "ep_missing"'; one_line_err
run 1 endpoint resend msg_missing
expect_err 'unknown outgoing webhook "msg_missing"'
run 0 endpoint resend ep_gen --failed
expect_out "queued 0 failed webhooks of ep_gen again"
run 0 endpoint list --profile prof_2
expect_out "no endpoints"
if [ "$BACKEND" = sqlite ]; then
    for f in "$T"/var/recoup.db*; do
        grep -aq "$generated\|plain-endpoint-key" "$f" && fail "$f holds an endpoint secret in clear"
    done
else
    stored=$(psql -qtA "$RECOUP_TEST_PG_URL" -c "SELECT string_agg(secret, ',') FROM $SCHEMA.merchant_endpoint")
    [ -n "$stored" ] || fail "no endpoint row found in $SCHEMA"
    contains "$stored" "whsec_" && fail "merchant_endpoint holds a secret in clear"
fi
rm -f "$T/endpoint.secret" "$T/bad.secret"

# Nothing stored is a plaintext secret.
if [ "$BACKEND" = sqlite ]; then
    for f in "$T"/var/recoup.db*; do
        grep -aq "plain-secret\|plain-api-key" "$f" && fail "$f holds a plaintext secret"
    done
else
    stored=$(psql -qtA "$RECOUP_TEST_PG_URL" -c "SELECT secrets || coalesce(api_key, '') FROM $SCHEMA.merchant_connector_account")
    [ -n "$stored" ] || fail "no MCA row found in $SCHEMA"
    contains "$stored" "plain-" && fail "merchant_connector_account holds a plaintext secret"
fi

run 0 events list
expect_out "no event"
run 1 events replay evt_missing
expect_err 'unknown event "evt_missing"'

for cmd in "migrate" "profile add" "mca add" "mca list" "mca rotate-secret" "events list" "events replay" "demo-info" \
    "endpoint add" "endpoint list" "endpoint disable" "endpoint enable" "endpoint resend"; do
    # shellcheck disable=SC2086
    run 0 $cmd --help
    expect_out "usage: recoupd $cmd"
    expect_out "--database"
done

run 1 mca list --database mysql://nope
expect_err 'invalid database URL "mysql://nope"'; one_line_err
RECOUP_DATABASE_URL="sqlite:$T/empty/recoup.db" run 1 mca list
expect_err "run: recoupd migrate up"
run 2 migrate sideways
run 2 migrate down

run 0 migrate down 1
expect_out "reverted 0007_create_config_version"
run 0 migrate down 1
expect_out "reverted 0006_add_recovery_query_indexes"
run 0 migrate down 2
expect_out "reverted 0005_create_merchant_endpoint_and_outgoing_webhook"
expect_out "reverted 0004_add_decline_and_credential_in_payment_attempt"
run 0 migrate down 1
expect_out "reverted 0003_add_last_event_at_in_payment_intent"
run 0 migrate down all
expect_out "reverted 0001_create_recovery_tables"
run 0 migrate status
expect_out "pending"
run 0 migrate up
expect_out "applied 0001_create_recovery_tables"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all storage CLI checks passed"
