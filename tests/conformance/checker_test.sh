#!/bin/sh
# Tests the conformance checker itself: deliberately wrong expectations in _negative/ must FAIL
# with their JSON path and a non-zero exit, the controls must PASS, and the CLI must refuse bad
# command lines (status 2) and unloadable plugins (status 1) with one clear line.
# Usage: checker_test.sh RECOUPD CHARGEBEE_PLUGIN [RECURLY_PLUGIN]   (run from tests/conformance)
set -u

recoupd=$1
chargebee=$2
recurly=${3:-}
failures=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
    echo "checker_test: FAILED: $*"
    failures=$((failures + 1))
}

# expect_run NAME STATUS EXPECTED_STDOUT -- ARGS...: runs recoupd, compares status and stdout.
expect_run() {
    name=$1 status=$2 expected=$3
    shift 4
    "$recoupd" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    [ "$got" -eq "$status" ] || fail "$name: exit status $got, expected $status (stderr: $(cat "$tmp/err"))"
    printf '%s\n' "$expected" >"$tmp/expected"
    diff -u "$tmp/expected" "$tmp/out" >"$tmp/diff" || fail "$name: unexpected output:
$(cat "$tmp/diff")"
}

# expect_error NAME STATUS TEXT -- ARGS...: nothing on stdout, one error line containing TEXT.
expect_error() {
    name=$1 status=$2 text=$3
    shift 4
    "$recoupd" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    [ "$got" -eq "$status" ] || fail "$name: exit status $got, expected $status"
    [ ! -s "$tmp/out" ] || fail "$name: unexpected stdout: $(cat "$tmp/out")"
    head -n 1 "$tmp/err" | grep -q '^recoupd: error: ' || fail "$name: stderr does not start with 'recoupd: error: ': $(cat "$tmp/err")"
    grep -qF -- "$text" "$tmp/err" || fail "$name: stderr lacks '$text': $(cat "$tmp/err")"
}

expect_run "chargebee control" 0 "PASS _negative/pass
1 passed, 0 failed" -- plugin check "$chargebee" _negative/pass

expect_run "chargebee negatives" 1 'PASS _negative/pass
FAIL _negative/wrong_amount: invoice.amount: expected 999, got 4200
FAIL _negative/wrong_status: attempt.status: expected "charged", got "failure"
FAIL _negative/wrong_null: attempt.error_code: expected null, got "insufficient_funds"
FAIL _negative/wrong_verified: verified: expected false, got true
FAIL _negative/wrong_error: error: expected {"kind":"missing_field"}, got null
FAIL _negative/missing_body_file: request.json: body_file: cannot read "_negative/missing_body_file/absent_body.json": No such file or directory
FAIL _negative/bad_expected_json: expected.json: invalid JSON at line 3, column 17: syntax error
FAIL _negative/no_request: request.json: cannot read "_negative/no_request/request.json": No such file or directory
FAIL _negative/does_not_exist: "_negative/does_not_exist" is not a case directory
PASS _negative/pass
2 passed, 9 failed' -- plugin check "$chargebee" _negative/pass _negative/wrong_amount _negative/wrong_status \
    _negative/wrong_null _negative/wrong_verified _negative/wrong_error _negative/missing_body_file \
    _negative/bad_expected_json _negative/no_request _negative/does_not_exist _negative/pass

# The rejection and the parse failure name their reason; the exact wording is the plugin's.
"$recoupd" plugin check "$chargebee" _negative/unexpected_rejection _negative/unexpected_error >"$tmp/out" 2>&1
[ $? -eq 1 ] || fail "unexpected rejection/error: exit status is not 1"
grep -q '^FAIL _negative/unexpected_rejection: verified: expected true, got false (.*Authorization.*)$' "$tmp/out" ||
    fail "unexpected rejection: $(cat "$tmp/out")"
grep -q '^FAIL _negative/unexpected_error: error: expected null, got "body_not_json" (.*)$' "$tmp/out" ||
    fail "unexpected error: $(cat "$tmp/out")"

if [ -n "$recurly" ]; then
    expect_run "recurly sync loop" 1 'PASS _negative/recurly_pass
FAIL _negative/recurly_wrong_attempt: attempt.error_code: expected "insufficient_funds", got "do_not_honor"
FAIL _negative/recurly_missing_sync_response: sync_responses: no canned response for "GET /transactions/uuid-0a1b2c3d4e5f60718293a4b5c6d7e8f9"
1 passed, 2 failed' -- plugin check "$recurly" _negative/recurly_pass _negative/recurly_wrong_attempt \
        _negative/recurly_missing_sync_response
fi

# plugin inspect
"$recoupd" plugin inspect "$chargebee" >"$tmp/out" 2>"$tmp/err" || fail "inspect: non-zero exit: $(cat "$tmp/err")"
grep -q '^{"name":"chargebee","version":"[^"]*","abi":{"major":1,"minor":[0-9]*},"kind":"billing_connector","capabilities":{"sync":false,"record_back":true},"path":"[^"]*"}$' "$tmp/out" ||
    fail "inspect: unexpected output: $(cat "$tmp/out")"

# Load failures print the loader's sentence and exit 1; usage errors exit 2 and name the problem.
expect_error "check, no such plugin" 1 'could not access file "_negative/nope.so"' -- plugin check _negative/nope.so _negative/pass
expect_error "inspect, not a library" 1 'could not load library "_negative/payment_failed.json"' -- plugin inspect _negative/payment_failed.json
expect_error "unknown flag" 2 'unknown flag "--bogus"' -- plugin check --bogus "$chargebee" _negative/pass
expect_error "missing arguments" 2 'missing arguments' -- plugin check "$chargebee"
expect_error "unknown command" 2 'unknown command "frobnicate"' -- frobnicate
expect_error "unknown subcommand" 2 'unknown command "plugin frobnicate"' -- plugin frobnicate
"$recoupd" plugin check --help >"$tmp/out" 2>&1 || fail "plugin check --help: non-zero exit"
grep -q '^usage: recoupd plugin check PLUGIN.so CASE_DIR...$' "$tmp/out" || fail "plugin check --help: $(cat "$tmp/out")"
"$recoupd" --help >"$tmp/out" 2>&1 || fail "--help: non-zero exit"
grep -q '^  plugin inspect ' "$tmp/out" || fail "--help lists no plugin inspect: $(cat "$tmp/out")"

if [ "$failures" -ne 0 ]; then
    echo "checker_test: $failures check(s) failed"
    exit 1
fi
echo "checker_test: all checks passed"
