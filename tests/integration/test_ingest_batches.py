"""Webhooks stored together: on PostgreSQL as on SQLite, what a sender hears when the store fails, and
that a webhook waiting for its commit holds no thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from hub.api import create_app
from hub.ingest import Accepted, Ingestor
from hub.mapping import make_engine
from hub.registry import Registry
from hub.settings import load_settings
from hub.store import Database, InboundMessage
from hub.store.migrate import upgrade
from tests.support.aio import run_async
from tests.support.auth import api_client
from tests.support.pipeline_config import write_config
from tests.support.signing import order_created, signed
from tests.support.waiting import eventually

BODY = {"type": "doc.created", "no": "D-1", "lines": []}


class HeldFirstBatch:
    """Wraps an ingestor's batch writer: the first batch waits until released, the later ones are recorded."""

    def __init__(self, ingestor: Ingestor):
        self.ingestor = ingestor
        self.write = ingestor.batches.write
        self.released = threading.Event()
        self.writing = threading.Event()
        self.sizes: list[int] = []
        ingestor.batches.write = self

    def __call__(self, rows: Sequence[dict[str, Any]]) -> Sequence[Accepted | Exception]:
        self.writing.set()
        self.released.wait()
        self.sizes.append(len(rows))
        return self.write(rows)


@pytest.fixture
def on_postgres(tmp_path, pg_url) -> Iterator[tuple[Ingestor, Database]]:
    config = write_config(tmp_path / "config")
    settings = load_settings(database_url=pg_url, config_dir=config)
    db = Database(settings.database_url)
    upgrade(db)
    yield Ingestor(db=db, registry=Registry(config, make_engine("jlens")), settings=settings,
                   enqueue_translate=lambda _id: None), db
    db.dispose()


def queue_behind_a_held_batch(ingestor: Ingestor, pool: ThreadPoolExecutor,
                              webhooks: list[tuple[bytes, dict[str, str]]]) -> tuple[HeldFirstBatch, list[Future]]:
    held = HeldFirstBatch(ingestor)
    content, headers = signed({**BODY, "no": "first"}, connector="shop")
    queued = [pool.submit(ingestor.accept, "shop", headers, content)]
    held.writing.wait()
    for n, (content, headers) in enumerate(webhooks, start=1):
        queued.append(pool.submit(ingestor.accept, "shop", headers, content))  # noqa: PERF401 (one at a time)
        eventually(lambda n=n: ingestor.batches.waiting == n, what=f"webhook {n} queued")
    return held, queued


def test_on_postgresql_a_batch_stores_new_webhooks_in_order_and_answers_repeats_with_the_stored_id(on_postgres):
    ingestor, db = on_postgres
    stored_before = signed(BODY, connector="shop", msg_id="msg_stored_before")
    earlier = ingestor.accept("shop", stored_before[1], stored_before[0])
    twice = signed({**BODY, "no": "D-2"}, connector="shop", msg_id="msg_twice")
    fresh = [signed({**BODY, "no": f"D-{n}"}, connector="shop") for n in (3, 4)]
    with ThreadPoolExecutor(8) as pool:
        held, queued = queue_behind_a_held_batch(ingestor, pool, [fresh[0], twice, stored_before, twice, fresh[1]])
        held.released.set()
        _, a, dup_first, repeat, dup_again, b = [f.result() for f in queued]
    assert held.sizes == [1, 5]
    assert repeat == Accepted(earlier.id, duplicate=True)
    assert dup_first == Accepted(dup_first.id, duplicate=False) and dup_again == Accepted(dup_first.id, duplicate=True)
    assert [a.id, dup_first.id, b.id] == sorted([a.id, dup_first.id, b.id])
    with db.read() as s:
        rows = s.execute(select(InboundMessage.sender_id, InboundMessage.id)).all()
    assert len(rows) == 5  # the first, the one stored before, D-2 once, D-3, D-4
    assert dict(rows)["msg_twice"] == dup_first.id


def test_a_webhook_the_store_did_not_take_is_answered_503_with_retry_after_and_can_be_sent_again(hub):
    body, headers = signed(order_created("WS-STORE-DOWN"))
    write = hub.ingestor.batches.write

    def store_down(rows):  # type: ignore[no-untyped-def]
        raise OperationalError("INSERT", None, OSError("disk I/O error"))
    hub.ingestor.batches.write = store_down
    with api_client(hub) as c:
        refused = c.post("/webhooks/webshop", content=body, headers=headers)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
        assert refused.json()["error"]["code"] == "store_unavailable"
        assert "nothing was stored" in refused.json()["error"]["message"]
        hub.ingestor.batches.write = write
        again = c.post("/webhooks/webshop", content=body, headers=headers)
        assert again.status_code == 202 and again.json()["duplicate"] is False


def test_on_postgresql_webhooks_sent_twice_at_once_are_stored_once(on_postgres):
    ingestor, db = on_postgres
    webhooks = [signed({**BODY, "no": f"D-{n}"}, connector="shop") for n in range(30)]
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda w: ingestor.accept("shop", w[1], w[0]), [w for w in webhooks for _ in (1, 2)]))
    for once, twice in zip(answers[::2], answers[1::2], strict=True):
        assert once.id == twice.id and sorted([once.duplicate, twice.duplicate]) == [False, True]
    with db.read() as s:
        assert sorted(s.scalars(select(InboundMessage.id))) == sorted({a.id for a in answers})


def test_webhooks_waiting_for_their_commit_hold_no_thread_of_the_api_and_are_each_answered_after_it(hub):
    app = create_app(hub)
    held = HeldFirstBatch(hub.ingestor)
    webhooks = [signed(order_created(f"WS-WAITING-{n}")) for n in range(30)]

    async def send_all() -> tuple[int, int, list[httpx.Response]]:
        threads_before = threading.active_count()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as c:
            sent = [asyncio.create_task(c.post("/webhooks/webshop", content=body, headers=headers))
                    for body, headers in webhooks]
            await asyncio.to_thread(held.writing.wait)
            while hub.ingestor.batches.waiting < len(webhooks) - 1:
                await asyncio.sleep(0.01)
            threads_while_waiting = threading.active_count()
            assert not any(s.done() for s in sent), "no webhook is answered before its commit"
            held.released.set()
            return threads_before, threads_while_waiting, list(await asyncio.gather(*sent))

    threads_before, threads_while_waiting, answers = run_async(send_all())
    assert threads_while_waiting - threads_before <= 4, "30 waiting webhooks: the batch writer, not a thread each"
    assert [r.status_code for r in answers] == [202] * len(webhooks)
    assert held.sizes == [1, len(webhooks) - 1]
    with hub.db.read() as s:
        stored = set(s.scalars(select(InboundMessage.id)))
    assert {r.json()["id"] for r in answers} <= stored
