"""The hub's one error tree. Library errors are converted into these at the boundary.

::

    HubError
    ├── ConfigError                 a connector, mapping, schema or setting is wrong (file:line)
    ├── RequestRefused              a request is refused for what it carries; HTTP status + JSON body
    │   ├── BadRequest              400 — a NUL character in a path, query parameter or form
    │   │   └── FormTooLarge        413 — a posted form past the guard's limit
    │   ├── PayloadPurged           409 — retention removed what a replay or retry would send
    │   ├── RecordNotReplayable     409 — a split batch's record that is not failed, or no longer split
    │   └── IngestError             a webhook is refused
    │       ├── UnknownConnector    404
    │       ├── SignatureError      401 (missing, bad or stale signature)
    │       ├── PayloadTooLarge     413
    │       ├── StoreUnavailable    503 — the store did not take it: nothing stored, send again (Retry-After)
    │       └── BadPayload          400 (not UTF-8, not JSON) / 422 (see its subclasses)
    │           ├── InvalidEnvelope 422 — an invalid CloudEvent
    │           ├── InvalidMessageId 422 — a sender's message id too long (or with a NUL) to deduplicate on
    │           └── UnsafeJson      422 — NaN/Infinity, a NUL character, or nested past the depth limit
    ├── MappingError                a JSONata mapping failed (file, position)
    │   └── XrefMissing             an id has no cross-reference (yet)
    ├── SchemaError                 a canonical payload breaks its JSON Schema (path)
    ├── DeliveryError               an outbound call failed
    │   ├── TransientDeliveryError  worth retrying (network, timeout, 5xx, 408/409/425/429)
    │   └── RejectedDelivery        the target refused the content (other 4xx): not retried
    ├── Hold                        a delivery stage parks a delivery until a time: no call, no attempt,
    │                               no round (circuit open, rate limit) — asked for on purpose
    ├── QueryError                  a request–reply query cannot be answered
    │   ├── QueryInvalid            422 — the request breaks the query's request schema
    │   └── QueryUnanswered         502 — no system answered (``sources`` says why for each)
    ├── NotFound                    an API lookup found nothing (404)
    ├── MasterDataError             a steward's request the golden records cannot honour (409)
    └── AuthError                   the security layer refuses (status per class)
        ├── NotAuthenticated        401 — no valid session or token (the dashboard redirects to login)
        ├── Forbidden               403 — the role or scope does not allow it
        ├── CsrfRejected            403 — a form or cookie-authenticated call without its CSRF token
        ├── InvalidRequest          422 — a user or token request that cannot be honoured (name taken, …)
        └── TooManyAttempts         429 — logins refused for a while after repeated failures (Retry-After)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any


class HubError(Exception):
    """Base of every error the hub raises on purpose."""


class ConfigError(HubError):
    def __init__(self, message: str, *, file: str | None = None, line: int | None = None):
        where = f"{file}:{line}: " if file and line else (f"{file}: " if file else "")
        super().__init__(where + message)
        self.file = file
        self.line = line


class RequestRefused(HubError):
    """A request refused for what it carries: answered with ``status`` and :meth:`body`."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, **detail: Any):
        super().__init__(message)
        self.message = message
        self.detail = detail

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.detail}}


class BadRequest(RequestRefused):
    """Any request: something no handler can take (a NUL character in a path or query parameter)."""


class PayloadPurged(RequestRefused):
    """A message whose payloads retention removed cannot be sent again (restore it from the archive)."""

    status = 409
    code = "payload_purged"


class RecordNotReplayable(RequestRefused):
    """A split batch's record is replayed alone only while it is failed, and while its event is still split."""

    status = 409
    code = "record_not_replayable"


class FormTooLarge(BadRequest):
    status = 413
    code = "payload_too_large"


class IngestError(RequestRefused):
    """A webhook is refused."""


class UnknownConnector(IngestError):
    status = 404
    code = "unknown_connector"


class SignatureError(IngestError):
    status = 401
    code = "invalid_signature"


class PayloadTooLarge(IngestError):
    status = 413
    code = "payload_too_large"


class StoreUnavailable(IngestError):
    """The webhook was not stored (its transaction failed): the sender should send it again later."""

    status = 503
    code = "store_unavailable"

    def __init__(self, message: str, *, retry_after_s: int):
        super().__init__(message, retry_after_s=retry_after_s)
        self.retry_after_s = retry_after_s


class BadPayload(IngestError):
    status = 400
    code = "bad_payload"


class InvalidEnvelope(BadPayload):
    status = 422
    code = "invalid_cloudevent"


class InvalidMessageId(BadPayload):
    status = 422
    code = "invalid_message_id"


class UnsafeJson(BadPayload):
    """JSON the hub will not store: NaN/Infinity, a NUL character, or nesting past the depth limit."""

    status = 422
    code = "unsafe_json"


class MappingError(HubError):
    """A mapping failed; ``file`` and ``position`` (code points into the source) say where."""

    def __init__(self, message: str, *, file: str | None = None, position: int | None = None,
                 code: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.position = position
        self.code = code

    def __str__(self) -> str:
        if not self.file:
            return self.message
        at = f" at position {self.position}" if self.position is not None else ""
        return f"{self.file}{at}: {self.message}"

    def detail(self) -> dict[str, Any]:
        return {"kind": "mapping", "file": self.file, "position": self.position,
                "code": self.code, "message": self.message}


class XrefMissing(MappingError):
    """No cross-reference for an id yet: the master data may still be on its way, so retry."""


class SchemaError(HubError):
    def __init__(self, message: str, *, schema: str, path: str):
        super().__init__(f"{schema} at {path or '/'}: {message}")
        self.message = message
        self.schema = schema
        self.path = path

    def detail(self) -> dict[str, Any]:
        return {"kind": "schema", "schema": self.schema, "path": self.path, "message": self.message}


class DeliveryError(HubError):
    def __init__(self, message: str, *, status_code: int | None = None,
                 response_excerpt: str | None = None, retry_after_s: float | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.response_excerpt = response_excerpt
        self.retry_after_s = retry_after_s


class TransientDeliveryError(DeliveryError):
    """Worth another try: a network fault, a timeout, or an answer a response rule calls transient.

    ``schedule`` is the rule's own retry schedule, when it declares one.
    """

    schedule: tuple[float, ...] | None = None


class RejectedDelivery(DeliveryError):
    pass


class Hold(HubError):
    """A delivery stage's "not now": park the delivery until ``until`` without calling the target.

    Raised from :meth:`~hub.delivery.stages.DeliveryStage.before_call` (an open circuit, a rate
    limit with no token soon). The deliverer makes no call, records no attempt and counts no
    round: the delivery stays ``retrying`` with ``next_attempt_at = until`` and comes back by itself.

    ``lifted`` (if given) says, once the delivery is parked, whether what held it has ended meanwhile
    (an operator reset the circuit while this worker was parking it): then it goes at once.
    """

    def __init__(self, reason: str, *, until: datetime, lifted: Callable[[], bool] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.until = until
        self.lifted = lifted


class QueryError(HubError):
    pass


class QueryInvalid(QueryError):
    """The request does not match the query's request schema (422)."""


class QueryUnanswered(QueryError):
    """No system could answer (502); ``sources`` says why for each."""

    def __init__(self, message: str, sources: dict[str, Any]):
        super().__init__(message)
        self.sources = sources


class NotFound(HubError):
    pass


class MasterDataError(HubError):
    """A merge, unmerge or review decision that cannot be done (already merged, nothing to undo)."""


class AuthError(HubError):
    status = 400
    code = "auth_error"


class NotAuthenticated(AuthError):
    status = 401
    code = "not_authenticated"


class Forbidden(AuthError):
    status = 403
    code = "forbidden"


class CsrfRejected(AuthError):
    status = 403
    code = "csrf_rejected"


class InvalidRequest(AuthError):
    status = 422
    code = "invalid_request"


class TooManyAttempts(AuthError):
    """Logins refused until ``retry_after_s`` has passed (answered with ``Retry-After``)."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after_s: int):
        super().__init__(message)
        self.retry_after_s = retry_after_s
