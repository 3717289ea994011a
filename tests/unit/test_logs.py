"""The hub's logs are JSON lines: a value with a newline stays inside its own record."""

from __future__ import annotations

import io
import json
import logging

import pytest
from typer.testing import CliRunner

from hub import logs


@pytest.fixture
def root_handlers():
    root = logging.getLogger()
    kept, level = list(root.handlers), root.level
    yield root
    root.handlers[:] = kept
    root.setLevel(level)


def test_a_user_name_with_a_newline_cannot_forge_a_log_line(root_handlers):
    out = io.StringIO()
    logs.configure(stream=out)
    forged = "admin\n2026-12-03 10:00:00 INFO hub.audit audit: admin user.create mallory (ui)"
    logging.getLogger("hub.audit").info("audit: %s %s %s (%s)", forged, "login.failed", "", "ui",
                                        extra={"message_id": "m-1"})
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["message"].startswith("audit: admin\n2026") and record["level"] == "INFO"
    assert record["logger"] == "hub.audit" and record["message_id"] == "m-1" and record["time"]


def test_the_http_client_logs_no_line_per_request_but_its_warnings(root_handlers):
    out = io.StringIO()
    logs.configure(stream=out)
    try:
        logging.getLogger("httpx").info('HTTP Request: POST http://t/orders "HTTP/1.1 200 OK"')
        logging.getLogger("httpx").warning("something the hub does not record")
    finally:
        logging.getLogger("httpx").setLevel(logging.NOTSET)
    assert [json.loads(line)["message"] for line in out.getvalue().splitlines()] == [
        "something the hub does not record"]


def test_a_traceback_stays_inside_its_record(root_handlers):
    out = io.StringIO()
    logs.configure(stream=out)
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        logging.getLogger("hub.api").exception("unexpected error on %s", "GET /x")
    [line] = out.getvalue().splitlines()
    assert "ValueError: bad\nvalue" in json.loads(line)["exc_info"]


def test_hub_serve_writes_json_logs_and_hands_uvicorn_no_logging_config(root_handlers, monkeypatch, tmp_path):
    import uvicorn

    from hub.cli import app

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append(kw))
    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite:///{tmp_path}/hub.db")
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert calls and calls[0]["log_config"] is None
    assert any(isinstance(h.formatter, type(logs.json_formatter())) for h in logging.getLogger().handlers)
