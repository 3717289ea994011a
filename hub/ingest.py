"""Where a message enters: verify, parse, deduplicate, store — then acknowledge.

Ingest does no mapping and no outbound I/O, so it stays fast; the message is
committed before the caller hears ``202``, and translation is enqueued only
after the commit (if that enqueue is lost, the sweeper picks it up). Webhooks
that arrive together are stored together: one transaction for all that came
while the previous one was written (:mod:`hub.group_commit`), each answered
after that commit and after its translation is enqueued; on SQLite it goes
ahead of the workers' writes (:mod:`hub.store.write_gate`). The HTTP route
awaits that commit on its event loop (:meth:`Ingestor.accept_async`), so a
waiting webhook holds no thread. If that transaction fails, each of its
senders hears ``503`` with ``Retry-After`` and nothing of it is stored.

Accepted forms, all signed per Standard Webhooks (``webhook-id``,
``webhook-timestamp``, ``webhook-signature``) with the connector's secret:

- a plain JSON webhook;
- a CloudEvent in binary mode (``ce-*`` headers, data as the body);
- a CloudEvent in structured mode (``Content-Type: application/cloudevents+json``).

Refused before anything is stored, each with a 4xx body saying what is wrong: a body that is
not UTF-8 (checked before the signature, so the sender hears the real fault), not JSON, or
unsafe to store (NaN/Infinity, a NUL character, nesting past
:data:`~hub.safejson.MAX_JSON_DEPTH`; see :mod:`hub.safejson`); a CloudEvent that is not an
object or whose data is not an object or array; a sender's message id (``webhook-id``, or
CloudEvent ``source#id``) longer than :data:`MAX_SENDER_ID_CHARS` — it is deduplicated on
whole, never on a cut prefix — or holding a NUL character.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cloudevents.core.base import BaseCloudEvent
from cloudevents.core.bindings.http import HTTPMessage, from_binary, from_structured
from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.formats.json import JSONFormat
from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from hub import safejson
from hub.errors import (
    BadPayload,
    InvalidEnvelope,
    InvalidMessageId,
    PayloadTooLarge,
    SignatureError,
    StoreUnavailable,
    UnknownConnector,
)
from hub.group_commit import BatchFailed, GroupCommit
from hub.ids import new_id
from hub.masking import search_text
from hub.registry import Registry
from hub.search import body_texts
from hub.settings import Settings
from hub.store import Database, InboundMessage, SearchText
from hub.store.models import MessageStatus

KEPT_HEADERS = ("content-type", "user-agent", "webhook-id", "webhook-timestamp", "traceparent", "tracestate")
CE_STRUCTURED = "application/cloudevents+json"
MAX_SENDER_ID_CHARS = 255
"""Longest sender message id deduplicated on (the ``sender_id`` column); a longer one is refused."""
MAX_TYPE_CHARS = 200
"""Longest CloudEvent ``type`` stored (the ``native_type`` column)."""
MAX_BATCH = 200
"""Most webhooks stored in one transaction (13 bound values each, far below SQLite's limit)."""
STORE_RETRY_AFTER_S = 1
"""What a sender is told to wait before sending again a webhook the store did not take."""
INLINE_BODY_BYTES = 64 * 1024
"""Largest body checked and parsed on the event loop; a larger one takes one trip to a worker thread."""

log = logging.getLogger("hub.ingest")


@dataclass(frozen=True)
class Accepted:
    id: str
    duplicate: bool


@dataclass(frozen=True)
class Record:
    """One record a poller or a file drop read: it enters the path exactly as a webhook body would."""

    key: str
    """What duplicates are recognised by (the message's ``sender_id``; a long key is stored hashed)."""
    body: Any
    native_type: str | None = None
    headers: dict[str, Any] = field(default_factory=dict)
    """Where it came from (e.g. ``file`` and ``row``), readable by the mapping as ``$headers``."""


@dataclass(frozen=True)
class Staged:
    ids: list[str]
    """The new messages, in the records' order."""
    duplicates: int


class Ingestor:
    def __init__(self, *, db: Database, registry: Registry, settings: Settings,
                 enqueue_translate: Callable[[str], None],
                 enqueue_translations: Callable[[Sequence[str]], None] | None = None):
        """``enqueue_translations``: many at once (a batch's), by default one ``enqueue_translate`` each."""
        self.db = db
        self.registry = registry
        self.settings = settings
        self.enqueue_translate = enqueue_translate
        self.enqueue_translations = enqueue_translations or self._enqueue_each
        self._verifiers: dict[str, list[Webhook]] = {}
        self.batches: GroupCommit[dict[str, Any], Accepted | Exception] = GroupCommit(
            self._store_and_hand_on, max_batch=MAX_BATCH, name="ingest-batches")
        """Where webhooks wait to be stored together (one transaction per batch)."""

    def accept(self, connector: str, headers: Mapping[str, str], body: bytes) -> Accepted:
        """Store one webhook and return the hub's message id; raise an IngestError to refuse it.

        Returns only once the transaction holding it has committed (with whatever other webhooks
        arrived meanwhile); a repeat of a stored sender id, or of one in the same batch, answers
        that message's id as a duplicate.
        """
        row = self.prepare(connector, headers, body)
        try:
            return _answer(self.batches.submit(row))
        except BatchFailed as exc:
            raise _unavailable() from exc.__cause__

    async def accept_async(self, connector: str, headers: Mapping[str, str], body: bytes) -> Accepted:
        """As :meth:`accept`, awaiting the batch's commit on the event loop: no thread waits for it.

        A body larger than :data:`INLINE_BODY_BYTES` is verified and parsed in a worker thread, so
        one large webhook does not hold up the loop's other requests.
        """
        if len(body) > INLINE_BODY_BYTES:
            row = await asyncio.to_thread(self.prepare, connector, headers, body)
        else:
            row = self.prepare(connector, headers, body)
        try:
            return _answer(await self.batches.submit_async(row))
        except BatchFailed as exc:
            raise _unavailable() from exc.__cause__

    def prepare(self, connector: str, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
        """Check one webhook (connector, size, UTF-8, signature, form) and make the row that stores it."""
        if self.registry.connector(connector) is None:
            raise UnknownConnector(f"no connector named {connector!r}",
                                   known=sorted(self.registry.connectors))
        if len(body) > self.settings.max_payload_bytes:
            raise PayloadTooLarge(f"body is {len(body)} bytes; the limit is {self.settings.max_payload_bytes}",
                                  limit=self.settings.max_payload_bytes)
        headers = {k.lower(): v for k, v in headers.items()}
        safejson.utf8(body)
        self._verify(connector, headers, body)
        mode, payload, attributes = _parse(headers, body)
        sender_id = _sender_id(headers, attributes)
        now = datetime.now(UTC)
        return {"connector": connector, "sender_id": sender_id, "mode": mode,
                "native_type": attributes.get("type") if attributes else None,
                "headers": {k: v for k, v in headers.items() if k in KEPT_HEADERS or k.startswith("ce-")},
                "body": payload, "attributes": attributes, "received_at": now, "updated_at": now,
                "search_text": search_text(self.registry.masked_fields(connector), payload),
                "status": MessageStatus.RECEIVED, "translations": 0}

    def _store_and_hand_on(self, rows: Sequence[dict[str, Any]]) -> list[Accepted | Exception]:
        """The batch writer: store the rows, then enqueue each new message's translation.

        The enqueues follow the commit and precede the answers, so a sender that hears ``202``
        finds its message stored and on its way; a lost enqueue is the sweeper's to redo.
        """
        answers = self._store(rows)
        new = [a.id for a in answers if isinstance(a, Accepted) and not a.duplicate]
        if new:
            try:
                self.enqueue_translations(new)
            except Exception:  # the messages are stored: the sweeper will enqueue them
                log.warning("translation of %d message(s) not enqueued; the sweeper will", len(new), exc_info=True)
        return answers

    def _enqueue_each(self, message_ids: Sequence[str]) -> None:
        for message_id in message_ids:
            self.enqueue_translate(message_id)

    def _store(self, rows: Sequence[dict[str, Any]]) -> list[Accepted | Exception]:
        """Store a batch of webhooks in one transaction, ahead of the workers' writes.

        Ids are given here, in arrival order, so the batch's messages keep the order their
        senders were accepted in. A row that fails the batch on its own (anything but the store
        being unavailable) is found by storing each row alone, so it fails only its own request.
        """
        try:
            with self.db.urgent():
                return list(self._store_together(rows))
        except (IntegrityError, DataError):
            if len(rows) == 1:
                raise
        answers: list[Accepted | Exception] = []
        for row in rows:
            try:
                with self.db.urgent():
                    answers.extend(self._store_together([row]))
            except (IntegrityError, DataError) as exc:
                answers.append(StoreUnavailable(f"the message store refused the webhook: {exc.orig}",
                                                retry_after_s=STORE_RETRY_AFTER_S))
        return answers

    def _store_together(self, rows: Sequence[dict[str, Any]]) -> list[Accepted]:
        ids: dict[tuple[str, str], str] = {}
        firsts: list[bool] = []
        new_rows: list[dict[str, Any]] = []
        for row in rows:  # a repeat within the batch is answered as a repeat of a stored one
            key = (row["connector"], row["sender_id"])
            firsts.append(key not in ids)
            if firsts[-1]:
                ids[key] = new_id()
                new_rows.append({**row, "id": ids[key]})
        with self.db.session() as s:
            # One statement compiled once and cached, its rows sent as multi-row VALUES by SQLAlchemy's
            # "insertmanyvalues" (a .values(rows) statement would be compiled again for every batch).
            table = InboundMessage.__table__
            stmt = (_insert_into(s, table).on_conflict_do_nothing(index_elements=["connector", "sender_id"])
                    .returning(table.c.id))
            texts = {row["id"]: row.pop("search_text") for row in new_rows}
            stored = set(s.connection().execute(stmt, new_rows).scalars())
            if stored:  # RETURNING makes it one multi-row statement on PostgreSQL, not one per row
                search = insert(SearchText).returning(SearchText.message_id)
                s.connection().execute(search, body_texts([(i, texts[i]) for i in stored]))
            taken = [key for key, id_ in ids.items() if id_ not in stored]
            earlier = _stored_ids(s, taken) if taken else {}
        answers = []
        for row, first in zip(rows, firsts, strict=True):
            key = (row["connector"], row["sender_id"])
            if key in earlier:
                answers.append(Accepted(earlier[key], duplicate=True))
            else:
                answers.append(Accepted(ids[key], duplicate=not first))
        return answers

    def stage(self, connector: str, records: Sequence[Record], *, mode: str,
              within: Callable[[Session, int], None] | None = None) -> Staged:
        """Store records read from a system that cannot call webhooks, deduplicated like webhooks.

        All of them are stored in one transaction together with ``within`` (the poller moves its
        watermark and checks its lease there), so a watermark never passes a record that is not
        stored; translation is enqueued after the commit, as for a webhook.
        """
        now = datetime.now(UTC)
        ids: list[str] = []
        texts: list[tuple[str, str]] = []
        masked = self.registry.masked_fields(connector)
        with self.db.session() as s:
            for record in records:
                safejson.check(record.body, what="the record")
                stmt = _insert(s).values(
                    id=new_id(), connector=connector, sender_id=_record_key(record.key), mode=mode,
                    native_type=record.native_type, headers=record.headers, body=record.body, attributes=None,
                    received_at=now, updated_at=now, status=MessageStatus.RECEIVED, translations=0)
                new = s.scalar(stmt.on_conflict_do_nothing(index_elements=["connector", "sender_id"])
                               .returning(InboundMessage.id))
                if new is not None:
                    ids.append(new)
                    texts.append((new, search_text(masked, record.body)))
            if texts:
                s.execute(insert(SearchText), body_texts(texts))
            if within is not None:
                within(s, len(ids))
        for message_id in ids:
            try:
                self.enqueue_translate(message_id)
            except Exception:  # stored: the sweeper will enqueue it
                pass
        return Staged(ids, len(records) - len(ids))

    def _verify(self, connector: str, headers: dict[str, str], body: bytes) -> None:
        missing = [h for h in ("webhook-id", "webhook-timestamp", "webhook-signature") if not headers.get(h)]
        if missing:
            raise SignatureError(f"missing Standard Webhooks header(s): {', '.join(missing)}", missing=missing)
        last: str = "no matching signature"
        for verifier in self._verifiers_for(connector):
            try:
                verifier.verify(body, headers, json_parse=False)
                return
            except WebhookVerificationError as exc:
                last = str(exc)
                if "timestamp" in last.lower() or "Invalid Signature Headers" in last:
                    break
            except (ValueError, UnicodeDecodeError) as exc:
                last = f"malformed webhook-signature header ({exc})"
                break
        raise SignatureError(f"signature verification failed: {_explain(last)}")

    def _verifiers_for(self, connector: str) -> list[Webhook]:
        if connector not in self._verifiers:
            raw = self.settings.connector_secret(connector)
            self._verifiers[connector] = [Webhook(s) for s in raw.replace(",", " ").split()]
        return self._verifiers[connector]


def _answer(answer: Accepted | Exception) -> Accepted:
    if isinstance(answer, Exception):
        raise answer
    return answer


def _unavailable() -> StoreUnavailable:
    return StoreUnavailable("the message store did not take the webhook; nothing was stored, send it again",
                            retry_after_s=STORE_RETRY_AFTER_S)


def _stored_ids(s: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The stored message id of each (connector, sender id); every one must be there."""
    found: dict[tuple[str, str], str] = {}
    for connector in {c for c, _ in keys}:
        senders = [sender for c, sender in keys if c == connector]
        found.update(((connector, sender), id_) for id_, sender in s.execute(
            select(InboundMessage.id, InboundMessage.sender_id).where(
                InboundMessage.connector == connector, InboundMessage.sender_id.in_(senders))))
    missing = [key for key in keys if key not in found]
    if missing:
        raise LookupError(f"a stored message of {missing[0]} was expected and is gone")
    return found


def _insert_into(s: Session, table: Any) -> Any:
    return sqlite_insert(table) if s.get_bind().dialect.name == "sqlite" else pg_insert(table)


def _insert(s: Session) -> Any:
    return sqlite_insert(InboundMessage) if s.get_bind().dialect.name == "sqlite" else pg_insert(InboundMessage)


def _record_key(key: str) -> str:
    """A record's key as its ``sender_id``: whole when it fits, else its SHA-256 (never a cut prefix)."""
    if len(key) <= MAX_SENDER_ID_CHARS and safejson.NUL not in key:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _explain(reason: str) -> str:
    return {
        "Message timestamp too old": "webhook-timestamp is older than the 5-minute tolerance",
        "Message timestamp too new": "webhook-timestamp is more than 5 minutes in the future",
        "Invalid Signature Headers": "webhook-timestamp is not a Unix time in seconds",
        "No matching signature found": "no signature matches the connector's secret",
    }.get(reason, reason)


def _sender_id(headers: dict[str, str], attributes: dict[str, Any] | None) -> str:
    """What duplicates are recognised by: ``webhook-id``, or a CloudEvent's ``source#id``."""
    if attributes:
        sender_id, named = f"{attributes['source']}#{attributes['id']}", "the CloudEvent's source#id"
    else:
        sender_id, named = headers["webhook-id"], "webhook-id"
    if safejson.NUL in sender_id:
        raise InvalidMessageId(f"{named} holds a NUL character")
    if len(sender_id) > MAX_SENDER_ID_CHARS:
        raise InvalidMessageId(f"{named} is {len(sender_id)} characters; the limit is {MAX_SENDER_ID_CHARS}, "
                               "and duplicates are recognised by the whole id", limit=MAX_SENDER_ID_CHARS)
    return sender_id


def _parse(headers: dict[str, str], body: bytes) -> tuple[str, Any, dict[str, Any] | None]:
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == CE_STRUCTURED:
        envelope = safejson.loads(body)
        if not isinstance(envelope, dict):
            raise InvalidEnvelope("a structured CloudEvent must be a JSON object (with specversion, id, "
                                  "source, type and data)")
        event = _cloudevent(lambda: from_structured(HTTPMessage(headers, body), JSONFormat()))
        data = envelope["data"] if "data" in envelope else event.get_data()  # data_base64: bytes
        if isinstance(data, str):
            raise InvalidEnvelope("the CloudEvent's data must be a JSON object or array, not a string")
        return "cloudevent-structured", _event_data(data), _attributes(event)
    if any(k.startswith("ce-") for k in headers):
        if body.strip():
            safejson.loads(body)
        event = _cloudevent(lambda: from_binary(HTTPMessage(headers, body), JSONFormat()))
        return "cloudevent-binary", _event_data(event.get_data()), _attributes(event)
    return "webhook", _json(body), None


def _json(body: bytes, *, what: str = "body") -> Any:
    value = safejson.loads(body, what=what)
    if not isinstance(value, (dict, list)):
        raise BadPayload(f"{what} must be a JSON object or array")
    return value


def _cloudevent(parse: Callable[[], BaseCloudEvent]) -> BaseCloudEvent:
    try:
        return parse()
    except BaseCloudEventException as exc:
        raise InvalidEnvelope(f"invalid CloudEvent: {exc}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidEnvelope(f"invalid CloudEvent: {type(exc).__name__}: {exc}") from None


def _event_data(data: Any) -> Any:
    """A CloudEvent's data as the hub stores it: a JSON object or array (text and bytes are parsed)."""
    if isinstance(data, (bytes, str)):
        data = _json(data.encode() if isinstance(data, str) else data, what="the CloudEvent's data")
    if data is None:
        raise InvalidEnvelope("the CloudEvent carries no data")
    if not isinstance(data, (dict, list)):
        raise InvalidEnvelope(f"the CloudEvent's data must be a JSON object or array, not {type(data).__name__}")
    safejson.check(data, what="the CloudEvent's data")
    return data


def _attributes(event: BaseCloudEvent) -> dict[str, Any]:
    attributes = {k: (v.isoformat() if isinstance(v, datetime) else v)
                  for k, v in event.get_attributes().items() if v is not None}
    for name, value in attributes.items():
        if isinstance(value, str) and (safejson.NUL in value or safejson.LONE_SURROGATE.search(value)):
            raise InvalidEnvelope(f"CloudEvent attribute {name!r} holds a NUL character or a lone UTF-16 "
                                  "surrogate", attribute=name)
    if len(str(attributes.get("type", ""))) > MAX_TYPE_CHARS:
        raise InvalidEnvelope(f"CloudEvent attribute 'type' is longer than {MAX_TYPE_CHARS} characters",
                              attribute="type")
    return attributes
