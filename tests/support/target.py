"""A small real HTTP target for deliveries: records calls, fails on demand, honours Idempotency-Key."""

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


class Target:
    """Answers ``respond(n)`` for the n-th call (default 200; or ``(code, headers)``, or
    ``(code, headers, body)``). A write whose Idempotency-Key already had a 2xx is not applied again:
    it gets the first answer back (``Idempotent-Replayed: true``), as the reference systems do.
    ``applied`` counts applications per key (so never more than 1), ``replayed`` the repeats.

    While ``down`` is true the system is taken down: every connection is closed without an answer
    (the caller sees a network fault) and only counted in ``refused``. ``delay(call)`` seconds, if
    given, pass between applying a call and answering it (a slow system; a caller may give up)."""

    def __init__(self, respond: Callable[[int], Any] | None = None,
                 delay: Callable[[dict[str, Any]], float] | None = None):
        self.delay = delay
        self.calls: list[dict[str, Any]] = []
        self.applied: dict[str, int] = {}
        self.replayed: dict[str, int] = {}
        self._first: dict[str, tuple[int, dict[str, str], Any]] = {}
        self.respond = respond or (lambda n: 200)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        self.down = False
        self.refused = 0
        target = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if target.down:
                    with target._lock:
                        target.refused += 1
                    self.close_connection = True
                    return
                with target._lock:
                    n = len(target.calls)
                    target.calls.append({"method": self.command, "path": self.path, "at": time.monotonic(),
                                         "headers": {k.lower(): v for k, v in self.headers.items()},
                                         "body": json.loads(body) if body else None, "raw": body})
                    key = self.headers.get("idempotency-key")
                    first = target._first.get(key) if key else None
                    if key and first is not None:  # applied before: the first answer again, nothing applied
                        code, headers, reply = first[0], {**first[1], "Idempotent-Replayed": "true"}, first[2]
                        target.replayed[key] = target.replayed.get(key, 0) + 1
                    else:
                        answer = target.respond(n)
                        answer = answer if isinstance(answer, tuple) else (answer, {})
                        code, headers = answer[0], answer[1]
                        reply = answer[2] if len(answer) > 2 else {"n": n, "code": code, "entry_id": f"L-{n + 1}"}
                        if 200 <= code < 300 and key:
                            target.applied[key] = target.applied.get(key, 0) + 1
                            target._first[key] = (code, dict(headers), reply)
                    call = target.calls[n]
                if target.delay is not None:
                    time.sleep(target.delay(call))
                try:
                    self.send_response(code)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("content-type", "application/json")
                    self.end_headers()
                    self.wfile.write(json.dumps(reply).encode())
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the caller stopped waiting (timed out, or its process was killed)

            do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def do_GET(self) -> None:  # noqa: N802 — answers queries: echoes what was asked
                from urllib.parse import parse_qs, urlsplit

                parts = urlsplit(self.path)
                with target._lock:
                    target.calls.append({"method": "GET", "path": parts.path, "headers": dict(self.headers),
                                         "body": None, "raw": b""})
                    code = target.respond(len(target.calls) - 1)
                    code = code[0] if isinstance(code, tuple) else code
                body = json.dumps({"path": parts.path, "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                                   "balance": 1234.5}).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)

    def __enter__(self) -> Target:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.calls) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} call(s) at the target, got {len(self.calls)}")
            time.sleep(0.02)
        return self.calls
