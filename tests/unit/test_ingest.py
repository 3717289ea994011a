"""Ingest: verify, refuse with the right error, deduplicate, store before acknowledging, then enqueue."""

from __future__ import annotations

import json
import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import event, select, text

from hub.errors import PayloadTooLarge, SignatureError, StoreUnavailable, UnknownConnector
from hub.ingest import Accepted, Ingestor
from hub.mapping import make_engine
from hub.registry import Registry
from hub.settings import load_settings
from hub.store import Database, InboundMessage
from hub.store.migrate import upgrade
from hub.store.models import MessageStatus
from tests.support.pipeline_config import write_config
from tests.support.signing import signed
from tests.support.waiting import eventually


@pytest.fixture
def ingest(tmp_path: Path):
    config = write_config(tmp_path / "config")
    settings = load_settings(database_url=f"sqlite:///{tmp_path}/hub.db", config_dir=config)
    db = Database(settings.database_url, checkpoint_interval_s=None)  # no checkpointer taking a turn of the gate
    upgrade(db)
    queued: list[str] = []
    seen_stored: list[bool] = []

    def enqueue(message_id: str) -> None:
        with db.read() as s:  # the message is committed before it is handed on
            seen_stored.append(s.get(InboundMessage, message_id) is not None)
        queued.append(message_id)

    yield Ingestor(db=db, registry=Registry(config, make_engine("jlens")), settings=settings,
                   enqueue_translate=enqueue), db, queued, seen_stored
    db.dispose()


BODY = {"type": "doc.created", "no": "D-1", "lines": []}


def test_a_signed_webhook_is_stored_before_it_is_enqueued(ingest):
    ingestor, db, queued, seen_stored = ingest
    content, headers = signed(BODY, connector="shop")
    accepted = ingestor.accept("shop", headers, content)
    assert not accepted.duplicate and queued == [accepted.id] and seen_stored == [True]
    with db.read() as s:
        msg = s.get(InboundMessage, accepted.id)
        assert (msg.status, msg.body, msg.sender_id) == (MessageStatus.RECEIVED, BODY, headers["webhook-id"])


def test_the_same_webhook_id_twice_is_one_message(ingest):
    ingestor, db, queued, _ = ingest
    content, headers = signed(BODY, connector="shop", msg_id="msg_twice")
    first = ingestor.accept("shop", headers, content)
    again = ingestor.accept("shop", headers, content)
    assert again.duplicate and again.id == first.id and queued == [first.id]
    with db.read() as s:
        assert len(list(s.scalars(select(InboundMessage.id)))) == 1


def test_a_bad_signature_is_refused_and_nothing_is_stored(ingest):
    ingestor, db, queued, _ = ingest
    content, headers = signed(BODY, connector="shop", secret="whsec_" + "A" * 32)
    with pytest.raises(SignatureError):
        ingestor.accept("shop", headers, content)
    with db.read() as s:
        assert list(s.scalars(select(InboundMessage.id))) == [] and queued == []


def test_an_unknown_connector_names_the_known_ones(ingest):
    ingestor = ingest[0]
    with pytest.raises(UnknownConnector) as err:
        ingestor.accept("nobody", {}, b"{}")
    assert "nobody" in str(err.value)


def test_a_body_over_the_limit_is_refused_before_anything_else(ingest):
    ingestor = ingest[0]
    big = json.dumps({"x": "y" * (ingestor.settings.max_payload_bytes + 1)}).encode()
    with pytest.raises(PayloadTooLarge):
        ingestor.accept("shop", {}, big)


# Webhooks arriving together are stored in one transaction, each answered after its commit.

@pytest.fixture
def pool():
    with ThreadPoolExecutor(8) as p:
        yield p


def held_behind_a_worker(ingestor: Ingestor, db: Database, pool: ThreadPoolExecutor,
                         webhooks: list[tuple[bytes, dict[str, str]]]) -> tuple[Future[Accepted], list[Future[Accepted]]]:
    """While a worker holds the write lock, one webhook waits for its turn and ``webhooks`` queue behind it.

    Returns the first one's answer and the others', which come in one batch once the lock is released.
    """
    gate = db.write_gate
    assert gate is not None
    gate.acquire()
    content, headers = signed({**BODY, "no": "first"}, connector="shop")
    first = pool.submit(ingestor.accept, "shop", headers, content)
    eventually(lambda: gate.waiting == (1, 0), what="the first batch waiting for the write lock")
    queued = []
    for n, (content, headers) in enumerate(webhooks, start=1):
        queued.append(pool.submit(ingestor.accept, "shop", headers, content))  # noqa: PERF401 (one at a time)
        eventually(lambda n=n: ingestor.batches.waiting == n, what=f"webhook {n} queued")
    return first, queued


def batch_sizes(ingestor: Ingestor) -> list[int]:
    """Record the size of every batch ``ingestor`` stores from now on."""
    sizes: list[int] = []
    store = ingestor.batches.write

    def recording(rows):  # type: ignore[no-untyped-def]
        sizes.append(len(rows))
        return store(rows)
    ingestor.batches.write = recording
    return sizes


def stored_ids(db: Database) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(InboundMessage.id).order_by(InboundMessage.id)))


def test_webhooks_that_arrive_together_are_stored_in_one_transaction_in_their_arrival_order(ingest, pool):
    ingestor, db, queued, seen_stored = ingest
    sizes = batch_sizes(ingestor)
    webhooks = [signed({**BODY, "no": f"D-{n}"}, connector="shop") for n in range(5)]
    first, answers = held_behind_a_worker(ingestor, db, pool, webhooks)
    assert not any(a.done() for a in [first, *answers])  # nothing is answered before its commit
    db.write_gate.release()
    ids = [a.result().id for a in answers]
    assert sizes == [1, 5]
    assert ids == sorted(ids), "ids (UUIDv7) follow the order the webhooks arrived in"
    with db.read() as s:
        numbers = [b["no"] for b in s.scalars(select(InboundMessage.body).where(InboundMessage.id.in_(ids))
                                              .order_by(InboundMessage.id))]
    assert numbers == [f"D-{n}" for n in range(5)]
    first_id = first.result().id  # its request has enqueued it once answered
    assert sorted(queued) == sorted([first_id, *ids]) and all(seen_stored)


def test_the_same_webhook_twice_in_one_batch_is_one_message_answered_as_a_repeat(ingest, pool):
    ingestor, db, queued, _ = ingest
    sizes = batch_sizes(ingestor)
    twice = signed(BODY, connector="shop", msg_id="msg_sent_twice_at_once")
    first, (original, repeat) = held_behind_a_worker(ingestor, db, pool, [twice, twice])
    db.write_gate.release()
    assert original.result() == Accepted(original.result().id, duplicate=False)
    assert repeat.result() == Accepted(original.result().id, duplicate=True)
    assert sizes == [1, 2]
    with db.read() as s:
        assert s.scalars(select(InboundMessage.id).where(InboundMessage.sender_id == "msg_sent_twice_at_once")
                         ).all() == [original.result().id]
    assert queued.count(original.result().id) == 1


def test_a_repeat_of_a_stored_webhook_in_a_batch_answers_the_stored_id(ingest, pool):
    ingestor, db, queued, _ = ingest
    again = signed(BODY, connector="shop", msg_id="msg_already_stored")
    stored = ingestor.accept("shop", again[1], again[0])
    fresh = signed({**BODY, "no": "D-2"}, connector="shop")
    first, (repeat, new) = held_behind_a_worker(ingestor, db, pool, [again, fresh])
    db.write_gate.release()
    assert repeat.result() == Accepted(stored.id, duplicate=True)
    assert not new.result().duplicate and new.result().id in stored_ids(db)
    assert queued.count(stored.id) == 1


class FailingCommits(sqlite3.Connection):
    """A SQLite connection whose commits fail while ``failing`` is set, as on a full disk."""

    failing = False

    def commit(self) -> None:
        if FailingCommits.failing and self.in_transaction:
            raise sqlite3.OperationalError("database or disk is full")
        super().commit()


@pytest.fixture
def failing_commits(ingest):
    db = ingest[1]

    def connect(_dialect, _record, _args, params):  # type: ignore[no-untyped-def]
        params["factory"] = FailingCommits
    event.listen(db.engine, "do_connect", connect)
    db.engine.dispose()  # connections from now on are FailingCommits
    yield FailingCommits
    FailingCommits.failing = False


def test_when_a_batch_cannot_commit_each_of_its_webhooks_is_refused_503_and_none_is_stored(
        ingest, pool, failing_commits):
    ingestor, db, queued, _ = ingest
    webhooks = [signed({**BODY, "no": f"D-{n}"}, connector="shop") for n in range(3)]
    first, answers = held_behind_a_worker(ingestor, db, pool, webhooks)
    failing_commits.failing = True
    db.write_gate.release()
    for answer in [first, *answers]:
        with pytest.raises(StoreUnavailable) as refused:
            answer.result()
        assert refused.value.status == 503 and refused.value.retry_after_s >= 1
        assert "nothing was stored" in refused.value.message
    assert stored_ids(db) == [] and queued == []
    failing_commits.failing = False
    again = ingestor.accept("shop", webhooks[0][1], webhooks[0][0])
    assert not again.duplicate and stored_ids(db) == [again.id]


def test_a_webhook_the_store_refuses_fails_only_its_own_request(ingest, pool):
    ingestor, db, queued, _ = ingest
    with db.session() as s:  # a row-level refusal the batch cannot know of in advance
        s.execute(text("CREATE TRIGGER refuse_poison BEFORE INSERT ON inbound_messages "
                       "WHEN NEW.sender_id = 'msg_poison' BEGIN SELECT RAISE(ABORT, 'refused'); END"))
    good = [signed({**BODY, "no": f"D-{n}"}, connector="shop") for n in range(2)]
    poison = signed(BODY, connector="shop", msg_id="msg_poison")
    first, (a, bad, b) = held_behind_a_worker(ingestor, db, pool, [good[0], poison, good[1]])
    db.write_gate.release()
    with pytest.raises(StoreUnavailable):
        bad.result()
    assert sorted(stored_ids(db)) == sorted([first.result().id, a.result().id, b.result().id])
    assert sorted(queued) == sorted(stored_ids(db))
