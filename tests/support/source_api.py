"""A small real HTTP source to poll: a statement ledger that only answers reads, paginated three ways.

``GET /api/lines?since=<time>&cursor=<n>|page=<n>`` returns the lines booked after ``since``, oldest
first, ``size`` a page (or the request's ``size`` parameter): ``{"items": [...], "next": <cursor or null>}``, with a Link rel=next header
too. Every request is recorded; ``fail`` answers 500; ``hold_page`` blocks that page until released.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.target import free_port


class SourceApi:
    def __init__(self, *, size: int = 2, token: str | None = None):
        self.lines: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.size = size
        self.token = token
        self.fail = False
        self.hold_page: int | None = None
        self.release = threading.Event()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                with api._lock:
                    api.requests.append({"path": parts.path, "query": query,
                                         "authorization": self.headers.get("authorization")})
                if api.fail:
                    return self._reply(500, {"error": "ledger unavailable"})
                if api.token is not None and self.headers.get("authorization") != f"Bearer {api.token}":
                    return self._reply(401, {"error": "bad token"})
                with api._lock:
                    due = [x for x in api.lines if not query.get("since") or x["booked_at"] > query["since"]]
                size = int(query.get("size") or api.size)
                start = int(query.get("cursor") or 0) if "page" not in query else (int(query["page"]) - 1) * size
                page_no = start // size + 1
                if api.hold_page == page_no:
                    api.release.wait(timeout=60)
                items = due[start:start + size]
                more = start + size < len(due)
                headers = {}
                if more:
                    nxt = dict(query, cursor=str(start + size))
                    nxt.pop("page", None)
                    headers["Link"] = f'</api/lines?{"&".join(f"{k}={v}" for k, v in nxt.items())}>; rel="next"'
                self._reply(200, {"items": items, "next": start + size if more else None}, headers)

            def _reply(self, code: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def book(self, no: str, amount: float, at: str, payer: str = "上海明辉") -> None:
        with self._lock:
            self.lines.append({"流水号": no, "金额": amount, "付款方": payer, "booked_at": at})

    def __enter__(self) -> SourceApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
