"""OA's REST API, one router per resource; thin: parse, call :mod:`mocks.oa.rules`, answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "the user may not do this (not the current approver / originator / recipient)"},
    404: {"description": "the id in the path does not exist"},
    409: {"description": "the record is no longer in a state that allows this"},
    422: {"description": "a field breaks a rule or names something OA does not know; "
                         "body `{\"error\": {\"code\", \"field\", \"message\"}}`"},
}


def routers() -> list[APIRouter]:
    from mocks.oa.api import directory, notifications, processes, tasks
    return [processes.router, tasks.router, notifications.router, directory.router]
