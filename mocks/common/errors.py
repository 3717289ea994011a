"""Business errors answered as a real system would: a 4xx naming the field and the rule.

Body shape, the same in all seven systems::

    {"error": {"code": "credit_limit_exceeded", "field": "customer_id",
               "message": "customer 1003 is over its credit limit"}}
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError


class BusinessError(Exception):
    """A request that breaks a business rule: answered with ``status`` (default 422)."""

    status = 422

    def __init__(self, code: str, message: str, *, field: str | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        if status is not None:
            self.status = status

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "field": self.field, "message": self.message}}


class NotFound(BusinessError):
    status = 404

    def __init__(self, what: str, key: object, *, field: str | None = None):
        super().__init__("not_found", f"{what} {key!r} does not exist", field=field)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(BusinessError)
    async def _business(_: Request, exc: BusinessError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {"field": ".".join(str(p) for p in err["loc"] if p != "body"), "message": err["msg"]}
            for err in exc.errors()
        ]
        first = fields[0] if fields else {"field": None, "message": "invalid request"}
        return JSONResponse(
            {"error": {"code": "invalid_request", "field": first["field"],
                       "message": f"{first['field']}: {first['message']}", "fields": fields}},
            status_code=422,
        )

    @app.exception_handler(IntegrityError)
    async def _conflict(_: Request, exc: IntegrityError) -> JSONResponse:
        return JSONResponse(
            {"error": {"code": "conflict", "field": None,
                       "message": f"conflicts with an existing record: {exc.orig}"}},
            status_code=409,
        )
