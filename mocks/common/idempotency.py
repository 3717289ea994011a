"""``Idempotency-Key`` honoured as real targets should: a repeat returns the first result.

A write (POST, PUT, PATCH, DELETE) that carries the header is applied at most
once: its response is stored under the key, and a repeat with the same key
gets the stored response back with ``Idempotent-Replayed: true`` and changes
nothing. Answers that applied nothing and that time may change are not stored,
so a retry with the same key meets the system as it is then: 5xx, and the
"not yet" refusals (:data:`NOT_YET`) — a confirmation whose order is not
accepted yet (409), a change to a document that has not arrived yet (404).

The key belongs to one request: a repeat must be the same method, path, query
and body (JSON compared by value, so key order does not matter). A key reused
for a different request is answered ``422 idempotency_key_reused`` and nothing
is applied — as Stripe does and the IETF ``Idempotency-Key`` draft asks — so a
caller that reuses keys by mistake finds out instead of getting another
request's answer.

``GET /_admin/idempotency`` exposes the counts, so tests can prove that
nothing was applied twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import DateTime, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column
from starlette.concurrency import run_in_threadpool

from mocks.common.db import CommonBase, Database

HEADER = "idempotency-key"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOT_YET = frozenset({404, 409, 423, 425, 429})
"""Refusals of a write that the system's state may lift later: never replayed from the store."""


class IdempotencyRecord(CommonBase):
    __tablename__ = "idempotency_records"  # (was idempotency_keys, before requests were fingerprinted)

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    fingerprint: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the method, path, query and body (JSON by value): what a repeat must match."""
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(100))
    replays: Mapped[int] = mapped_column(Integer, default=0)
    mismatches: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def install_idempotency(app: FastAPI) -> None:
    locks: dict[str, asyncio.Lock] = {}

    @app.middleware("http")
    async def idempotent(request: Request, call_next):  # type: ignore[no-untyped-def]
        key = request.headers.get(HEADER)
        if not key or request.method not in WRITE_METHODS:
            return await call_next(request)
        db: Database = request.app.state.db
        fingerprint = _fingerprint(request, await request.body())
        lock = locks.setdefault(key, asyncio.Lock())
        async with lock:
            stored = await run_in_threadpool(_replay, db, key, fingerprint)
            if stored is not None:
                return stored
            response = await call_next(request)
            body = b"".join([chunk async for chunk in response.body_iterator])
            if response.status_code < 500 and response.status_code not in NOT_YET:
                await run_in_threadpool(_store, db, key, fingerprint, request, response, body)
            return Response(body, status_code=response.status_code,
                            headers=dict(response.headers), media_type=response.media_type)

    @app.get("/_admin/idempotency", tags=["admin"], summary="Counts of idempotent writes")
    def idempotency_stats(key: str | None = None) -> dict[str, Any]:
        """``applied``: writes applied once (2xx); ``replayed``: repeats answered from the store;
        with ``key``, that key's record (``mismatches``: reuses for a different request, refused)."""
        with app.state.db.session() as s:
            applied = s.scalar(select(func.count()).where(IdempotencyRecord.status < 300)) or 0
            replayed = s.scalar(select(func.coalesce(func.sum(IdempotencyRecord.replays), 0))) or 0
            out: dict[str, Any] = {"applied": applied, "replayed": replayed}
            if key:
                rec = s.get(IdempotencyRecord, key)
                out["key"] = None if rec is None else {
                    "key": rec.key, "method": rec.method, "path": rec.path,
                    "status": rec.status, "replays": rec.replays, "mismatches": rec.mismatches}
            return out


def _fingerprint(request: Request, body: bytes) -> str:
    try:
        content = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode() if body else b""
    except ValueError:
        content = body
    what = f"{request.method} {request.url.path}?{request.url.query}\n".encode()
    return hashlib.sha256(what + content).hexdigest()


def _replay(db: Database, key: str, fingerprint: str) -> Response | None:
    with db.session() as s:
        rec = s.get(IdempotencyRecord, key)
        if rec is None:
            return None
        if rec.fingerprint != fingerprint:
            rec.mismatches += 1
            return JSONResponse({"error": {
                "code": "idempotency_key_reused", "field": "Idempotency-Key",
                "message": f"Idempotency-Key {key!r} was first used for another request ({rec.method} {rec.path} "
                           "with a different body); a key belongs to one request: use a new key for a new one"}},
                status_code=422)
        rec.replays += 1
        return Response(rec.body.encode(), status_code=rec.status, media_type=rec.content_type,
                        headers={"Idempotent-Replayed": "true"})


def _store(db: Database, key: str, fingerprint: str, request: Request, response: Response, body: bytes) -> None:
    with db.session() as s:
        s.merge(IdempotencyRecord(
            key=key, method=request.method, path=request.url.path, fingerprint=fingerprint,
            status=response.status_code,
            body=body.decode("utf-8", "replace"),
            content_type=response.headers.get("content-type", "application/json"),
            replays=0, mismatches=0, created_at=datetime.now(UTC)))
