#!/usr/bin/env python3
"""A development webhook receiver for dwt (README, "Try it").

Listens on 127.0.0.1:8081 (the example configuration's webhook URL is
http://127.0.0.1:8081/webhooks), checks each delivery's Standard Webhooks
signature with the partner's secret, prints one line per event and answers
204. A delivery whose signature does not verify, or whose timestamp is more
than five minutes away from now, is answered 401 (dwt retries it later).

    python3 scripts/webhook-receiver.py [--port 8081] [--secret whsec_...] [--log FILE]

The default secret is the demo partner's DEVELOPMENT-ONLY secret from
config/dwt.example.toml. Standard library only.
"""

import argparse
import base64
import hashlib
import hmac
import http.server
import json
import sys
import time

DEMO_SECRET = "whsec_X73qG1LrAtQNT/5lYFLH1zfzQNFD2IqjCO3B7PI56dA="
# Standard Webhooks' replay window: a signed timestamp further from now
# than this is refused.
TOLERANCE_SECONDS = 300
# Largest body read; dwt's webhook bodies are a few hundred bytes.
MAX_BODY_BYTES = 1 << 20


def verify(secret: str, msg_id: str, timestamp: str, body: bytes, signatures: str) -> bool:
    """True when one of the space-separated `v1,<base64>` signatures is the
    HMAC-SHA256 of `id.timestamp.body` under the secret's key."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False


def make_handler(secret: str, log):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length") or 0)
            if length < 0 or length > MAX_BODY_BYTES:
                self.send_response(413)
                self.end_headers()
                return
            body = self.rfile.read(length)
            msg_id = self.headers.get("webhook-id", "")
            timestamp = self.headers.get("webhook-timestamp", "")
            signature = self.headers.get("webhook-signature", "")
            fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= TOLERANCE_SECONDS
            if not (fresh and verify(secret, msg_id, timestamp, body, signature)):
                print(f"refused {msg_id or '(no webhook-id)'}: bad signature or timestamp", file=sys.stderr)
                self.send_response(401)
                self.end_headers()
                return
            event = json.loads(body)
            log.write(json.dumps(event, separators=(",", ":")) + "\n")
            log.flush()
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_):  # one line per event is printed above
            pass

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--secret", default=DEMO_SECRET)
    parser.add_argument("--log", help="append each verified event (one JSON line) here instead of stdout")
    args = parser.parse_args()
    log = open(args.log, "a", encoding="utf-8") if args.log else sys.stdout
    server = http.server.ThreadingHTTPServer((args.host, args.port), make_handler(args.secret, log))
    print(f"webhook-receiver: listening on http://{args.host}:{server.server_address[1]}/webhooks",
          file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
