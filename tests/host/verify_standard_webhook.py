#!/usr/bin/env python3
"""Verifies a Standard Webhooks signature independently of recoupd (hmac, hashlib, base64 only).

usage: verify_standard_webhook.py SECRET WEBHOOK_ID WEBHOOK_TIMESTAMP BODY_FILE WEBHOOK_SIGNATURE
Exit 0 when one of the space-separated v1,<base64> signatures is HMAC-SHA256 of
"id.timestamp.body" under the base64-decoded part of SECRET after "whsec_"; 1 otherwise; 2 on bad input.
"""
import base64
import hashlib
import hmac
import sys


def expected_signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    if not secret.startswith("whsec_"):
        raise ValueError("the secret is not whsec_...")
    key = base64.b64decode(secret[len("whsec_"):], validate=True)
    content = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    return base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def verifies(secret: str, msg_id: str, timestamp: str, body: bytes, header: str) -> bool:
    expected = expected_signature(secret, msg_id, timestamp, body)
    for part in header.split(" "):
        version, _, signature = part.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return True
    return False


def main(argv):
    if len(argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    secret, msg_id, timestamp, body_file, header = argv[1:]
    with open(body_file, "rb") as f:
        body = f.read()
    try:
        return 0 if verifies(secret, msg_id, timestamp, body, header) else 1
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
