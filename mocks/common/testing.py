"""Test helpers for reference systems: a real HTTP receiver for their webhooks."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class WebhookReceiver:
    """A real HTTP server on 127.0.0.1 that records every request it gets.

    ``status`` (an int, or a callable of the request number) lets a test
    make it fail on purpose. Use as a context manager; ``url`` is its base.
    """

    def __init__(self, status: int | Callable[[int], int] = 204):
        self.requests: list[dict[str, Any]] = []
        self.status = status
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                n = len(receiver.requests)
                receiver.requests.append({"path": self.path, "headers": dict(self.headers),
                                          "body": body})
                code = receiver.status(n) if callable(receiver.status) else receiver.status
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)

    def __enter__(self) -> WebhookReceiver:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Block until ``count`` requests have arrived (or fail naming how many did)."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} webhook(s), got {len(self.requests)}")
            time.sleep(0.02)
        return self.requests

    def bodies(self) -> list[Any]:
        return [json.loads(r["body"]) for r in self.requests]
