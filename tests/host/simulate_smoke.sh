#!/usr/bin/env bash
# recoupd simulate end to end: the real scheduler, store, plugins (dlopen) and loopback issuer.
# A generated population of 300 invoices under both algorithms (all keys, 300 invoices, attempts,
# no violation, the same output twice), a hand-written population with exact
# results, and the usage errors (exit 2, one line).
# usage: simulate_smoke.sh RECOUPD PLUGIN_DIR FIXTURE_DIR
set -u
RECOUPD=$1
PLUGIN_DIR=$2
FIXTURES=$3
command -v python3 >/dev/null 2>&1 || { echo "python3 is not installed: skipped"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
unset RECOUP_MASTER_KEY RECOUP_PLUGIN_DIR RECOUP_PLUGIN_PATH
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

simulate() { "$RECOUPD" simulate --plugin-dir "$PLUGIN_DIR" --no-bundled-plugins "$@"; }

# check FILE PYTHON_EXPRESSION...: each expression, over the JSON object `r` of FILE, must be true.
check() {
    local file=$1; shift
    python3 - "$file" "$@" <<'PY' || fail "$file: $(cat "$file")"
import json, sys
text = open(sys.argv[1]).read()
lines = text.splitlines()
assert len(lines) == 1, "not exactly one line: %r" % text
r = json.loads(lines[0])
for key in ("invoices", "recovered_invoices", "recovered_amount", "attempts", "network_violations",
            "median_days_to_recovery"):
    assert key in r, "no key " + key
bad = [e for e in sys.argv[2:] if not eval(e, {}, {"r": r})]
assert not bad, "not true: %s in %s" % (bad, lines[0])
PY
}

# ---- a generated population ---------------------------------------------------------------------
simulate --generate 300 --seed 11 >"$T/pop.jsonl" || fail "generate"
simulate --generate 300 --seed 11 >"$T/pop2.jsonl" || fail "generate again"
cmp -s "$T/pop.jsonl" "$T/pop2.jsonl" || fail "the same seed printed another population"
[ "$(wc -l <"$T/pop.jsonl")" -eq 300 ] || fail "generate 300 printed $(wc -l <"$T/pop.jsonl") lines"
simulate --generate 300 --seed 12 | cmp -s - "$T/pop.jsonl" && fail "another seed printed the same population"

for algorithm in cascading smart; do
    simulate --population "$T/pop.jsonl" --algorithm "$algorithm" --attempt-log "$T/$algorithm.log" \
        >"$T/$algorithm.json" 2>"$T/$algorithm.err" || fail "$algorithm: exit $?: $(cat "$T/$algorithm.err")"
    check "$T/$algorithm.json" 'r["invoices"] == 300' 'r["attempts"] > 0' 'r["algorithm"] == "'$algorithm'"' \
        'r["horizon_days"] == 60' 'r["recovered_invoices"] <= 300'
    # The attempt log holds the platform's 300 failures and every charge the summary counts.
    python3 - "$T/$algorithm.log" "$T/$algorithm.json" <<'PY' || fail "$algorithm: attempt log"
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
r = json.load(open(sys.argv[2]))
assert sum(1 for e in log if e["by"] == "platform") == 300
assert sum(1 for e in log if e["by"] == "recoup") >= r["attempts"]
PY
done
check "$T/smart.json" 'r["network_violations"] == 0'
check "$T/cascading.json" 'r["network_violations"] == 0'
simulate --population "$T/pop.jsonl" --algorithm smart >"$T/smart2.json" 2>/dev/null
cmp -s "$T/smart.json" "$T/smart2.json" || fail "smart: another run printed $(cat "$T/smart2.json")"

# ---- a hand-written population: exact results ---------------------------------------------------
# inv_payday: short of funds until day 5, then approves; inv_stolen: a stolen Visa card (category 1);
# inv_alternate: a lost Mastercard (advice 03) and a backup card that approves.
three="$FIXTURES/simulation/three.jsonl"
simulate --population "$three" --algorithm cascading --attempt-log "$T/c3.log" >"$T/c3.json" || fail "cascading three"
# The ladder's 14th retry (5.126 days in) is the first after day 5; the stolen card is never
# retried; the lost card's advice 03 moves the invoice to the backup card at the first retry.
check "$T/c3.json" 'r["invoices"] == 3' 'r["recovered_invoices"] == 2' 'r["recovered_amount"] == 4999 + 999' \
    'r["attempts"] == 15' 'r["network_violations"] == 0' 'r["median_days_to_recovery"] == 2.56' \
    'r["violations_by_rule"] == {}' 'r["recovered_amount_by_currency"] == {"USD": 4999, "EUR": 999}'
simulate --population "$three" --algorithm smart --attempt-log "$T/s3.log" >"$T/s3.json" || fail "smart three"
check "$T/s3.json" 'r["invoices"] == 3' 'r["recovered_invoices"] == 2' 'r["recovered_amount"] == 4999 + 999' \
    'r["network_violations"] == 0'
python3 - "$T/s3.log" <<'PY' || fail "smart three: attempt log $(cat "$T/s3.log")"
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
ours = [e for e in log if e["by"] == "recoup"]
assert not [e for e in ours if e["invoice"] == "inv_stolen"], "a stolen card was retried"
assert not [e for e in ours if e["method"] == "pm_lost"], "a lost card was retried"
backup = [e for e in ours if e["method"] == "pm_backup"]
assert backup and backup[-1]["outcome"] == "approved", "not recovered on the backup card"
payday = [e for e in ours if e["invoice"] == "inv_payday" and e["outcome"] == "approved"]
assert payday and payday[0]["at"] >= 1767225600 + 5 * 86400
PY

# ---- usage errors: one line, exit 2 -------------------------------------------------------------
usage() {
    local what=$1 expected=$2; shift 2
    simulate "$@" >"$T/out" 2>"$T/err"
    local status=$?
    [ "$status" -eq 2 ] || fail "$what: exit $status, not 2"
    [ "$(wc -l <"$T/err")" -eq 1 ] || fail "$what: not one line: $(cat "$T/err")"
    grep -qF -- "$expected" "$T/err" || fail "$what: no \"$expected\" in: $(cat "$T/err")"
    [ ! -s "$T/out" ] || fail "$what: printed $(cat "$T/out")"
}
usage "no file" 'cannot read the population' --population "$T/absent.jsonl" --algorithm smart
{ head -1 "$three"; echo '{"id":"inv_x","amount":"ten"}'; } >"$T/bad.jsonl"
usage "bad line" 'line 2: invoice "inv_x": "amount" must be a whole number' --population "$T/bad.jsonl" --algorithm smart
usage "bad algorithm" '--algorithm must be cascading or smart, not "fastest"' --population "$three" --algorithm fastest
usage "no algorithm" '--algorithm is required' --population "$three"
usage "bad horizon" '--horizon-days must be a whole number from 1 to 3650' --population "$three" --algorithm smart --horizon-days 0
usage "generate and simulate" '--generate prints a population' --generate 3 --population "$three"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "simulate_smoke: all checks passed"
