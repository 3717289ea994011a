"""What every dashboard page shares: templates, the signed-in user, language, time zone, CSRF, flashes.

Pages are thin: they ask a service, then :func:`render` a template with the
common context (``t`` for words, ``user``, ``can_act``, ``csrf``, ``tz``).
Forms are plain HTML posts answered by a redirect (they work without
JavaScript); htmx only refreshes parts of pages.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from hub.admin import AdminServices
from hub.api.security import current_principal, services
from hub.auth import csrf
from hub.auth.roles import ACT, MANAGE, READ, Principal
from hub.catalog import Catalog
from hub.dashboard import i18n
from hub.errors import Forbidden, NotAuthenticated

HERE = Path(__file__).parent
DEFAULT_TZ = "UTC"
FLASH_KEY = "flash"
PREFIX = "/ui"

templates = Jinja2Templates(directory=str(HERE / "templates"))


def zone(request: Request) -> ZoneInfo:
    """The business time zone every page shows times in: ``HUB_TIME_ZONE``, else the host's (see
    :attr:`hub.settings.Settings.zone`) — the same for every user, as the business's documents are dated."""
    hub = getattr(request.app.state, "hub", None)
    return hub.settings.zone if hub is not None else ZoneInfo(DEFAULT_TZ)


def offset(tz: ZoneInfo, at: datetime | None = None) -> str:
    """``UTC+08:00`` — the zone's offset now (or at ``at``)."""
    raw = (at or datetime.now(UTC)).astimezone(tz).strftime("%z") or "+0000"
    return f"UTC{raw[:3]}:{raw[3:]}"


def local_time(value: datetime | None, tz: ZoneInfo, *, seconds: bool = True) -> Markup:
    """A ``<time>`` element in the business zone; UTC in ``datetime`` and, for people, on hover (``title``)."""
    if value is None:
        return Markup("—")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    utc = value.astimezone(UTC)
    shown = value.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return Markup('<time datetime="{}" title="{} UTC">{}</time>').format(
        utc.isoformat(), utc.strftime("%Y-%m-%d %H:%M:%S"), shown)


def pretty_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False, default=str)


def flash(request: Request, text: str, kind: str = "ok") -> None:
    """A message for the next page the user sees (after a redirect)."""
    request.session.setdefault(FLASH_KEY, []).append({"text": text, "kind": kind})


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def url(path: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{PREFIX}{path}" + (f"?{query}" if query else "")


def context(request: Request, who: Principal | None, **values: Any) -> dict[str, Any]:
    lang = i18n.negotiate(request)
    tz = zone(request)
    token = csrf.session_token(request.session)
    flashes = request.session.pop(FLASH_KEY, [])
    return {
        "request": request, "user": who, "lang": lang, "languages": i18n.LANGUAGES, "t": i18n.translator(lang),
        "csrf": token, "csrf_field": csrf.FORM_FIELD, "tz": tz, "tz_name": str(tz), "tz_offset": offset(tz),
        "can_act": bool(who and who.can(ACT)), "can_manage": bool(who and who.can(MANAGE)),
        "flashes": flashes, "when": lambda v, seconds=True: local_time(v, tz, seconds=seconds),
        "url": url, "json": pretty_json, "path": request.url.path,
        "system": lambda name, default=None: i18n.system_title(name, lang, default),
        "system_summary": lambda name, default="": i18n.system_summary(name, lang, default),
        "key": lambda m: message_key(m, lang, request.app.state.hub.registry.catalog), **values,
    }


def message_key(m: Any, lang: str, catalog: Catalog) -> dict[str, Any]:
    """What names a message in a list: its business key, after its type's ``x-subject-label`` when it has
    one (``MRP run 42``, not a bare ``42``); without a key (ignored, failed), its native type."""
    if m.subject:
        ctype = catalog.types.get(m.type or "")
        label = ctype.subject_label.get(lang) if ctype is not None and ctype.subject_label else None
        return {"text": f"{label} {m.subject}" if label else m.subject, "keyless": False}
    return {"text": m.native_type or m.type or f"{m.id[:8]}…", "keyless": True}


def render(request: Request, who: Principal | None, template: str, status_code: int = 200,
           **values: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, context(request, who, **values), status_code=status_code)


def fragment(request: Request, who: Principal | None, template: str, **values: Any) -> str:
    """A template rendered to a string (for server-sent events)."""
    return templates.get_template(template).render(context(request, who, **values))


# ---------------------------------------------------------------------- dependencies
async def signed_in(request: Request) -> Principal:
    who = await current_principal(request)
    if who is None:
        raise NotAuthenticated("log in to use the dashboard")
    if not who.can(READ):
        raise Forbidden("this account may not read")
    return who


async def operator(request: Request, who: Annotated[Principal, Depends(signed_in)]) -> Principal:
    if not who.can(ACT):
        raise Forbidden("replay, retry and pause need the operator role")
    return who


async def admin_user(request: Request, who: Annotated[Principal, Depends(signed_in)]) -> Principal:
    if not who.can(MANAGE):
        raise Forbidden("this page is for admins")
    return who


async def checked_form(request: Request) -> Mapping[str, Any]:
    """The posted form, after its CSRF token (field or ``X-CSRF-Token`` header) was checked."""
    form = await request.form()
    presented = form.get(csrf.FORM_FIELD) or request.headers.get(csrf.HEADER)
    csrf.check(request.session, str(presented) if presented else None)
    return form


Viewer = Annotated[Principal, Depends(signed_in)]
Operator = Annotated[Principal, Depends(operator)]
Admin = Annotated[Principal, Depends(admin_user)]
Form = Annotated[Mapping[str, Any], Depends(checked_form)]
Services = Annotated[AdminServices, Depends(services)]

__all__ = ["Admin", "Form", "Operator", "Services", "Viewer", "context", "flash", "fragment", "local_time",
           "redirect", "render", "templates", "url", "zone"]
