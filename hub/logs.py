"""Structured logs: one JSON object per line, on standard error, for every process of the hub.

Each record is ``{"time", "level", "logger", "message", …}`` plus whatever a caller passes in
``extra=`` (message or correlation ids) and the traceback as ``exc_info``. Values are JSON
strings, so a newline or a quote in a user name, a header or an error cannot start a line of
its own and pass for another record (python-json-logger does the encoding).

uvicorn is started with ``log_config=None`` so that its access and error records go through
the same handler (see :data:`UVICORN_LOG_CONFIG`).
"""

from __future__ import annotations

import logging
import sys
from typing import IO

from pythonjsonlogger.json import JsonFormatter

FIELDS = ("asctime", "levelname", "name", "message")
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}
QUIET_BELOW_WARNING = ("httpx", "httpcore")
"""Libraries whose INFO line per request would repeat what the hub records itself: each call a
delivery makes is stored as its attempt, with its URL, status and time."""
UVICORN_LOG_CONFIG = None
"""Passed to ``uvicorn.run(log_config=…)``: uvicorn's loggers then propagate to ours."""


def json_formatter() -> logging.Formatter:
    return JsonFormatter(list(FIELDS), rename_fields=RENAMED, json_ensure_ascii=False,
                         datefmt="%Y-%m-%dT%H:%M:%S%z")


def configure(level: int = logging.INFO, *, stream: IO[str] | None = None) -> None:
    """Send every record of this process, as JSON lines, to ``stream`` (standard error)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(json_formatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for chatty in QUIET_BELOW_WARNING:
        logging.getLogger(chatty).setLevel(max(level, logging.WARNING))
