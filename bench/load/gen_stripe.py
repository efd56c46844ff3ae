#!/usr/bin/env python3
"""The project's own signed Stripe Billing load, for `bench/run --smoke` in a clone without
../shared/bench/load (whose gen_stripe.py bench/run uses when present). Same output: N lines of
`Stripe-Signature value TAB body`, invoice i distinct, kinds by i % 10: 0-6
invoice.payment_failed, 7-8 invoice.payment_succeeded, 9 invoice.voided; signed for now.
usage: gen_stripe.py N SECRET OUT"""
import hashlib
import hmac
import json
import sys
import time

n, secret, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
kinds = ["invoice.payment_failed"] * 7 + ["invoice.payment_succeeded"] * 2 + ["invoice.voided"]
now = int(time.time())
with open(out, "w") as f:
    for i in range(n):
        body = json.dumps({
            "id": f"evt_{i:08d}", "object": "event", "created": now, "type": kinds[i % 10],
            "data": {"object": {"id": f"in_{i:08d}", "object": "invoice", "amount_due": 1000 + i % 5000,
                                "currency": "usd", "customer": f"cus_{i % 997:06d}", "status": "open",
                                "payment_intent": f"pi_{i:08d}", "charge": f"ch_{i:08d}", "attempt_count": 1}}},
            separators=(",", ":"))
        sig = hmac.new(secret.encode(), f"{now}.{body}".encode(), hashlib.sha256).hexdigest()
        f.write(f"t={now},v1={sig}\t{body}\n")
