"""Every refusal is a JSON body that says what is wrong: ``{"error": {"code", "message", …}}``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from hub.errors import NotFound, RequestRefused

log = logging.getLogger("hub.api")


def error_body(code: str, message: str, **detail: object) -> dict[str, object]:
    return {"error": {"code": code, "message": message, **detail}}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestRefused)
    async def _refused(_: Request, exc: RequestRefused) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(NotFound)
    async def _not_found(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse(error_body("not_found", str(exc)), status_code=404)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        first = problems[0] if problems else {"field": "", "message": "invalid request"}
        return JSONResponse(error_body("invalid_request", f"{first['field']}: {first['message']}",
                                       problems=problems), status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal_error", "the hub failed unexpectedly; see its log"),
                            status_code=500)
