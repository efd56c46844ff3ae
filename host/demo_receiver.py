#!/usr/bin/env python3
"""The demo's local receiver (host/run-demo.sh): one loopback HTTP server that plays both the
billing platform's API (it takes the record-back, Chargebee's record_payment) and the merchant's
own endpoint (it takes recoupd's outgoing webhooks and verifies each Standard Webhooks signature
with the standard library only). Each request is one line on stdout.

usage: demo_receiver.py PORT_FILE    (the secret: environment variable DEMO_ENDPOINT_SECRET)
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import sys


def signature_ok(secret, msg_id, timestamp, body, header):
    key = base64.b64decode(secret[len("whsec_"):])
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(part[3:], expected) for part in header.split(" ") if part.startswith("v1,"))


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        msg_id = self.headers.get("webhook-id")
        if msg_id:
            ok = signature_ok(os.environ["DEMO_ENDPOINT_SECRET"], msg_id, self.headers.get("webhook-timestamp", ""),
                              body, self.headers.get("webhook-signature", ""))
            event = json.loads(body)
            data = event["data"]
            print(f"  merchant webhook {event['type']} {msg_id} invoice {data['invoice']} "
                  f"amount {data['amount']} {data['currency']}: signature {'verified' if ok else 'INVALID'}",
                  flush=True)
            self.answer(200 if ok else 400)
        else:
            print(f"  billing platform: {self.command} {self.path} (the record-back)", flush=True)
            self.answer(200, b'{"invoice":{"status":"paid"}}')

    def answer(self, status, body=b"{}"):
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(sys.argv[1] + ".tmp", sys.argv[1])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
