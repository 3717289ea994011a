"""The quickstart's ledger: books every order the hub sends it (PUT /ledger/orders/{number}) and prints it.

    .venv/bin/python examples/quickstart/ledger.py

It listens where the hub sends the ledger's calls: HUB_URL_LEDGER's port if set, else 9199 (the
connector file's base_url).
"""

from __future__ import annotations

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class Ledger(BaseHTTPRequestHandler):
    def do_PUT(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        print(f"ledger: booked {self.path} {body.decode('utf-8', 'replace')}", flush=True)
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"booked": self.path.rsplit("/", 1)[-1]}).encode())

    def do_GET(self) -> None:  # noqa: N802 — /healthz, so `hub wait` can wait for the ledger too
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    port = urlsplit(os.environ.get("HUB_URL_LEDGER") or "http://127.0.0.1:9199").port or 9199
    print(f"ledger listening on http://127.0.0.1:{port}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Ledger).serve_forever()
