"""Master data: golden records, the review queue (evidence per field), merge, keep apart and unmerge."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from hub.dashboard import i18n
from hub.dashboard.web import Form, Operator, Services, Viewer, flash, redirect, render, url
from hub.errors import MasterDataError
from hub.masterdata.stewardship import Stewardship

router = APIRouter()

PAGE_SIZE = 50


def _stewardship(request: Request) -> Stewardship:
    app = request.app
    cached = getattr(app.state, "masterdata", None)
    if cached is None:
        hub = app.state.hub
        cached = Stewardship.for_config(hub.db, hub.settings.config_dir)
        app.state.masterdata = cached
    return cached


@router.get("/masterdata")
async def index(request: Request, who: Viewer, entity: str = "", q: str = "") -> Response:
    md = _stewardship(request)
    entities = md.entities()
    chosen = entity or (entities[0]["entity"] if entities else "")
    found = await run_in_threadpool(md.search, chosen, q or None, PAGE_SIZE) if chosen else []
    pending = await run_in_threadpool(md.reviews, None, PAGE_SIZE)
    return render(request, who, "masterdata/index.html", entities=entities, entity=chosen, q=q, found=found,
                  pending=len(pending))


@router.get("/masterdata/reviews")
async def reviews(request: Request, who: Viewer, entity: str = "") -> Response:
    md = _stewardship(request)
    items = await run_in_threadpool(md.reviews, entity or None, PAGE_SIZE)
    return render(request, who, "masterdata/reviews.html", items=items, entity=entity, entities=md.entities())


@router.post("/masterdata/reviews/{review_id}/{decision}")
async def decide(request: Request, review_id: str, decision: str, who: Operator, form: Form,
                 admin: Services) -> Response:
    t = i18n.translator(i18n.negotiate(request))
    if decision not in ("merge", "apart"):
        flash(request, t("md.flash_failed", error=decision), "error")
        return redirect(url("/masterdata/reviews"))
    try:
        result: dict[str, Any] = await run_in_threadpool(_stewardship(request).decide, review_id, decision,
                                                         who.actor)
    except MasterDataError as exc:
        flash(request, t("md.flash_failed", error=str(exc)), "error")
        return redirect(url("/masterdata/reviews"))
    await run_in_threadpool(admin.audit.record, who.actor, f"masterdata.{decision}", review_id, via="ui",
                            detail=result)
    flash(request, t("md.flash_merged" if decision == "merge" else "md.flash_apart"))
    if decision == "merge":
        return redirect(url(f"/masterdata/golden/{result['golden_id']}"))
    return redirect(url("/masterdata/reviews"))


@router.get("/masterdata/golden/{golden_id}")
async def golden(request: Request, golden_id: str, who: Viewer) -> Response:
    md = _stewardship(request)
    record = await run_in_threadpool(md.golden, golden_id)
    history = await run_in_threadpool(md.history, golden_id)
    can_unmerge = any(h["action"] == "merged" and not (h["detail"] or {}).get("undone") for h in history)
    t = i18n.translator(i18n.negotiate(request))
    shown = {name: readable(value, t) for name, value in record["fields"].items()}
    received = {s["record_id"]: datetime.fromisoformat(s["received_at"]) for s in record["sources"]}
    return render(request, who, "masterdata/golden.html", g=record, history=list(reversed(history)),
                  can_unmerge=can_unmerge, shown=shown, received=received)


SPEAKS_FOR_ITSELF = frozenset({"name", "street", "address", "value"})
"""Parts of a list element shown without a label (a contact's name, an address's street)."""


def readable(value: Any, t: i18n.Translate) -> Any:
    """A golden field as a person reads it: a list becomes one line per element (a contact, an address),
    an element its parts joined by ``·``, each labelled in the page's language; a flag shows by its name."""
    if isinstance(value, list):
        return [_line(v, t) for v in value if not _blank(v)]
    if isinstance(value, dict):
        return _line(value, t)
    return value


def _line(value: Any, t: i18n.Translate) -> str:
    if isinstance(value, dict):
        parts = []
        for key, part in value.items():
            if _blank(part) or part is False:
                continue
            label = t(f"md.key.{key}") if f"md.key.{key}" in i18n.CATALOG else key
            if part is True:
                parts.append(label)
            elif key in SPEAKS_FOR_ITSELF:
                parts.append(_line(part, t))
            else:
                parts.append(f"{label} {_line(part, t)}")
        return " · ".join(parts)
    if isinstance(value, list):
        return ", ".join(_line(v, t) for v in value if not _blank(v))
    return str(value)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


@router.post("/masterdata/golden/{golden_id}/unmerge")
async def unmerge(request: Request, golden_id: str, who: Operator, form: Form, admin: Services) -> Response:
    t = i18n.translator(i18n.negotiate(request))
    md = _stewardship(request)
    try:
        record = await run_in_threadpool(md.golden, golden_id)
        result = await run_in_threadpool(md.unmerge, record["entity"], golden_id, who.actor)
    except MasterDataError as exc:
        flash(request, t("md.flash_failed", error=str(exc)), "error")
        return redirect(url(f"/masterdata/golden/{golden_id}"))
    await run_in_threadpool(admin.audit.record, who.actor, "masterdata.unmerge", golden_id, via="ui",
                            detail={"restored": result["restored"]["id"]})
    flash(request, t("md.flash_unmerged"))
    return redirect(url(f"/masterdata/golden/{golden_id}"))
