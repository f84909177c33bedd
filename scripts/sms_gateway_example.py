#!/usr/bin/env python3
"""A gateway's receiver of the portal's notifications: checks the signature, prints the SMS.
Run: PORTAL_NOTIFY_SECRET=... python3 scripts/sms_gateway_example.py 9000"""
import hashlib, hmac, http.server, json, os, sys
SECRET = os.environ["PORTAL_NOTIFY_SECRET"].encode()
class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        want = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(want, self.headers.get("X-Portal-Signature", ""))
        if ok: m = json.loads(body); print(m["id"], m["to"].get("phone"), m["text"], flush=True)
        self.send_response(200 if ok else 401); self.end_headers()  # 2xx: delivered
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver).serve_forever()
