"""`hub wait`: the quickstart waits for the hub instead of posting into a refused connection."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from typer.testing import CliRunner

from hub.cli import app
from tests.support.target import free_port


class Healthy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200 if self.path == "/healthz" else 404)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args: object) -> None:
        pass


def test_wait_exits_0_as_soon_as_the_hub_answers_its_health_check():
    server = HTTPServer(("127.0.0.1", 0), Healthy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        result = CliRunner().invoke(app, ["wait", url, "--timeout", "5"])
    finally:
        server.shutdown()
    assert result.exit_code == 0, result.output
    assert f"hub is up at {url}" in result.output


def test_wait_exits_1_with_the_reason_when_nothing_answers_within_the_timeout():
    url = f"http://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(app, ["wait", url, "--timeout", "0.5"], terminal_width=200)
    assert result.exit_code == 1
    assert f"the hub at {url} did not answer within 0.5 s (connection refused)" in result.output
    assert "hub up" in result.output
