"""OpenAPI descriptions of SRM's error answers (the body shape comes from the common base)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    code: str
    field: str | None
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


def _example(code: str, field: str | None, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "field": field, "message": message}}


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {
    "model": ErrorBody, "description": "Unknown id in the path",
    "content": {"application/json": {"example": _example(
        "not_found", "poNo", "purchase order 'PO20260101001' does not exist")}}}}
INVALID: dict[int | str, dict[str, Any]] = {422: {
    "model": ErrorBody, "description": "Invalid body or a broken business rule; names the field",
    "content": {"application/json": {"example": _example(
        "supplier_blocked", "supplierId",
        "supplier SUP-0004 is BLOCKED: no purchase order may be issued to a blocked supplier")}}}}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {
    "model": ErrorBody, "description": "Not allowed in the record's current status",
    "content": {"application/json": {"example": _example(
        "illegal_transition", "status", "purchase order PO-2026-0001 is CONFIRMED; confirm needs ISSUED")}}}}
