"""CSRF tokens: one random token per session, compared in constant time.

Every dashboard form carries it as ``csrf_token``; htmx sends it as the
``X-CSRF-Token`` header (set once on ``<body hx-headers>``); a cookie-authenticated
call to ``/api`` must send the header too. Bearer-token calls need none: a
browser never attaches those on its own.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import MutableMapping
from typing import Any

from hub.errors import CsrfRejected

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"


def session_token(session: MutableMapping[str, Any]) -> str:
    """The session's token, created on first use."""
    token = session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return str(token)


def check(session: MutableMapping[str, Any], presented: str | None) -> None:
    expected = session.get(SESSION_KEY)
    if not expected or not presented or not hmac.compare_digest(str(expected), presented):
        raise CsrfRejected("the form has expired or did not come from this site; reload the page and try again")
