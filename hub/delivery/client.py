"""The outbound HTTP client: pooled, with a timeout; httpx's exceptions stop here.

A network fault or timeout becomes a :class:`~hub.errors.TransientDeliveryError`;
any answer comes back as a :class:`Response` for the caller to classify (a
delivery by its operation's rules, :func:`hub.pipeline.outbound.classify`; a
query by the HTTP defaults, :func:`raise_for_answer`). Signing and the other
headers of a delivery are added by its stages (:mod:`hub.delivery.stages`).
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx

from hub import safejson
from hub.errors import RejectedDelivery, TransientDeliveryError
from hub.pipeline.outbound import default_outcome

POOL_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
RESPONSE_EXCERPT_CHARS = 500
USER_AGENT = "integration-hub/0.1"
MAX_JSON_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Response:
    status_code: int
    excerpt: str
    duration_ms: float
    json: Any = None
    """The parsed body when it is JSON (and under MAX_JSON_BYTES), for response mappings and rules."""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def retry_after_s(self) -> float | None:
        return parse_retry_after(self.headers.get("retry-after"))


def encode_body(body: Any) -> bytes:
    """The JSON a call sends (UTF-8, compact); signatures are made over exactly these bytes."""
    return safejson.dumps(body).encode()


def _no_cookies() -> CookieJar:
    """A jar that keeps no cookie: one connection pool calls many systems for many messages, and a
    cookie one answer set must not go out with the calls that follow."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


class _NoCookies(httpx.Cookies):
    """Cookies that do not even read ``Set-Cookie``: the jar would refuse them anyway, after wrapping
    each answer for :mod:`http.cookiejar` (a tenth of a delivery's Python)."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class OutboundClient:
    def __init__(self) -> None:
        self._http = httpx.Client(limits=POOL_LIMITS, headers={"user-agent": USER_AGENT}, cookies=_no_cookies())
        self._http._cookies = _NoCookies(_no_cookies())  # the client's setter would copy it into a plain one

    def close(self) -> None:
        self._http.close()

    def send(self, method: str, url: str, content: bytes, *, headers: dict[str, str], timeout_s: float) -> Response:
        """Make one call and return the answer, whatever its status; a network fault is transient."""
        started = time.perf_counter()
        try:
            resp = self._http.request(method, url, content=content,
                                      headers={"content-type": "application/json", **headers}, timeout=timeout_s)
        except httpx.TimeoutException as exc:
            raise TransientDeliveryError(f"timed out after {timeout_s:g}s ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from None
        return _response(resp, started)

    def query(self, method: str, url: str, *, params: Any, headers: dict[str, str], timeout_s: float) -> Response:
        """A request–reply read: GET with query parameters, or POST with a JSON body."""
        started = time.perf_counter()
        try:
            if method == "GET":
                resp = self._http.get(url, params=params or None, headers=headers, timeout=timeout_s)
            else:
                resp = self._http.post(url, json=params, headers=headers, timeout=timeout_s)
        except httpx.TimeoutException as exc:
            raise TransientDeliveryError(f"timed out after {timeout_s:g}s ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from None
        response = _response(resp, started)
        raise_for_answer(response)
        return response


def _response(resp: httpx.Response, started: float) -> Response:
    return Response(resp.status_code, resp.text[:RESPONSE_EXCERPT_CHARS], (time.perf_counter() - started) * 1000,
                    _json_of(resp), {k.lower(): v for k, v in resp.headers.items()})


def _json_of(resp: httpx.Response) -> Any:
    if "json" not in resp.headers.get("content-type", "") or len(resp.content) > MAX_JSON_BYTES:
        return None
    try:
        return resp.json()
    except ValueError:
        return None


def raise_for_answer(response: Response) -> None:
    """The HTTP defaults as exceptions: pass on success, else TransientDeliveryError or RejectedDelivery."""
    outcome = default_outcome(response.status_code)
    if outcome == "success":
        return
    message = f"HTTP {response.status_code}: {response.excerpt}"
    if outcome == "retry":
        raise TransientDeliveryError(message, status_code=response.status_code,
                                     response_excerpt=response.excerpt, retry_after_s=response.retry_after_s)
    raise RejectedDelivery(message, status_code=response.status_code, response_excerpt=response.excerpt)


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
