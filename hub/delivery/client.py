"""The outbound HTTP client: pooled, with a timeout, signed per Standard Webhooks.

httpx's exceptions stop here: a network fault or timeout becomes a
:class:`~hub.errors.TransientDeliveryError`, and the status code decides the rest
(see :func:`classify`).
"""

from __future__ import annotations

import email.utils
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from hub.errors import RejectedDelivery, TransientDeliveryError

POOL_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
RESPONSE_EXCERPT_CHARS = 500
RETRYABLE_4XX = frozenset({408, 409, 425, 429})
USER_AGENT = "integration-hub/0.1"


MAX_JSON_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Response:
    status_code: int
    excerpt: str
    duration_ms: float
    json: Any = None
    """The parsed body when it is JSON (and under MAX_JSON_BYTES), for response mappings."""


class OutboundClient:
    def __init__(self) -> None:
        self._http = httpx.Client(limits=POOL_LIMITS, headers={"user-agent": USER_AGENT})

    def close(self) -> None:
        self._http.close()

    def send(self, method: str, url: str, body: Any, *, headers: dict[str, str], secret: str | None,
             message_id: str, timeout_s: float, retry_statuses: frozenset[int] = frozenset()) -> Response:
        """Make one call; raise TransientDeliveryError or RejectedDelivery unless it succeeded."""
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        all_headers = {"content-type": "application/json", **headers}
        if secret:
            now = datetime.now(UTC)
            all_headers.update({
                "webhook-id": message_id,
                "webhook-timestamp": str(int(now.timestamp())),
                "webhook-signature": Webhook(secret).sign(message_id, now, content),
            })
        started = time.perf_counter()
        try:
            resp = self._http.request(method, url, content=content.encode(), headers=all_headers,
                                      timeout=timeout_s)
        except httpx.TimeoutException as exc:
            raise TransientDeliveryError(f"timed out after {timeout_s:g}s ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from None
        duration_ms = (time.perf_counter() - started) * 1000
        response = Response(resp.status_code, resp.text[:RESPONSE_EXCERPT_CHARS], duration_ms, _json_of(resp))
        classify(response, resp.headers.get("retry-after"), retry_statuses)
        return response

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
        response = Response(resp.status_code, resp.text[:RESPONSE_EXCERPT_CHARS],
                            (time.perf_counter() - started) * 1000, _json_of(resp))
        classify(response, resp.headers.get("retry-after"))
        return response


def _json_of(resp: httpx.Response) -> Any:
    if "json" not in resp.headers.get("content-type", "") or len(resp.content) > MAX_JSON_BYTES:
        return None
    try:
        return resp.json()
    except ValueError:
        return None


def classify(response: Response, retry_after: str | None = None,
             retry_statuses: frozenset[int] = frozenset()) -> None:
    """2xx/3xx pass; 408/409/425/429, 5xx and ``retry_statuses`` are transient; any other 4xx is a
    business rejection."""
    code = response.status_code
    if code < 400:
        return
    message = f"HTTP {code}: {response.excerpt}"
    if code >= 500 or code in RETRYABLE_4XX or code in retry_statuses:
        raise TransientDeliveryError(message, status_code=code, response_excerpt=response.excerpt,
                                     retry_after_s=parse_retry_after(retry_after))
    raise RejectedDelivery(message, status_code=code, response_excerpt=response.excerpt)


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
