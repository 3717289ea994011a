"""The work a message costs on PostgreSQL: two transactions from translation to delivered, and the order still holds.

The claim takes the delivery, reads its canonical message and opens the attempt in one statement; the
finish locks the message, reads its deliveries, then closes the attempt, settles the delivery, rolls the
status up and wakes what waited behind it in one more. A worker that translates claims the first
delivery in the translation's own transaction. Counted with the engine's own events.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, select, text, update
from sqlalchemy.engine.interfaces import CacheStats

from hub.delivery.claims import ORDERING_WAIT_S
from hub.runtime import Hub
from hub.store import Attempt, Delivery, InboundMessage
from hub.store.models import DeliveryStatus, MessageStatus
from hub.workers.poison import Quarantine
from tests.support.auth import api_client
from tests.support.signing import order_created, signed
from tests.support.target import Target
from tests.support.waiting import eventually

pytestmark = [pytest.mark.postgres]


@pytest.fixture
def pg_hub(make_settings, pg_url, fast_config, target: Target, point_ledger_at) -> Iterator[Hub]:
    """No workers, PostgreSQL: the test takes each step."""
    point_ledger_at(target.url)
    h = Hub.build(make_settings(database_url=pg_url, config_dir=fast_config))
    yield h
    h.stop()


def received(hub: Hub, number: str) -> str:
    """The message id of a web shop order, received and not yet translated."""
    body, headers = signed(order_created(number))
    with api_client(hub) as c:
        r = c.post("/webhooks/webshop", content=body, headers=headers)
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def translated(hub: Hub, number: str) -> tuple[str, str]:
    """(message id, delivery id) of a web shop order, received and translated."""
    mid = received(hub, number)
    hub.translator.translate(mid)
    with hub.db.read() as s:
        return mid, str(s.scalar(select(Delivery.id).where(Delivery.message_id == mid)))


FIRST_START = "AND inbound_messages.translation_starts = "
"""In the statement that counts first starts of translations (hub.workers.poison) only."""


class Counted:
    def __init__(self, hub: Hub):
        self.statements: list[str] = []
        self.commits = 0
        self.engine = hub.db.engine

    def __enter__(self) -> Counted:
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)

    def _statement(self, _conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        self.statements.append(statement)

    def _commit(self, _conn) -> None:  # type: ignore[no-untyped-def]
        self.commits += 1


def test_a_delivery_that_succeeds_takes_two_transactions_and_three_statements(pg_hub, target):
    mid, did = translated(pg_hub, "WP-1")
    pg_hub.deliverer.is_paused = lambda _: False  # the pause state is read once a second, not per delivery
    with Counted(pg_hub) as counted:
        outcome = pg_hub.deliverer.deliver(did)
    assert outcome is not None and outcome.status == DeliveryStatus.DELIVERED
    assert len(counted.statements) <= 3, counted.statements
    assert counted.commits == 2
    assert len(target.calls) == 1
    with pg_hub.db.read() as s:
        assert s.scalar(select(InboundMessage.status).where(InboundMessage.id == mid)) == MessageStatus.DELIVERED
        assert list(s.scalars(select(Attempt.outcome).where(Attempt.delivery_id == did))) == ["success"]


def test_on_postgres_a_delivery_waits_for_an_earlier_one_of_its_transaction_and_is_woken_when_it_settles(pg_hub,
                                                                                                          target):
    _, first = translated(pg_hub, "WP-2")
    second_mid, second = translated(pg_hub, "WP-3")
    with pg_hub.db.session() as s:  # the same transaction (correlation id) as the first
        chain = s.scalar(select(Delivery.correlation_id).where(Delivery.id == first))
        s.execute(update(Delivery).where(Delivery.id == second).values(correlation_id=chain))
    held = pg_hub.deliverer.deliver(second)
    assert held is not None and held.status == DeliveryStatus.RETRYING and held.retry_in_s == ORDERING_WAIT_S
    assert target.calls == []
    with pg_hub.db.read() as s:
        assert s.scalar(select(Delivery.attempts).where(Delivery.id == second)) == 0
        assert list(s.scalars(select(Attempt.id).where(Attempt.delivery_id == second))) == []
    assert pg_hub.deliverer.deliver(first).status == DeliveryStatus.DELIVERED
    assert pg_hub.deliverer.deliver(second).status == DeliveryStatus.DELIVERED  # woken: due at once
    assert [call["path"] for call in target.calls] == ["/ledger/orders/WP-2", "/ledger/orders/WP-3"]
    with pg_hub.db.read() as s:
        assert s.scalar(select(InboundMessage.status).where(InboundMessage.id == second_mid)) == MessageStatus.DELIVERED


def test_on_postgres_a_paused_connector_leaves_no_attempt_behind(pg_hub, target):
    _, did = translated(pg_hub, "WP-4")
    pg_hub.deliverer.is_paused = lambda name: name == "ledger"
    outcome = pg_hub.deliverer.deliver(did)
    assert outcome is not None and outcome.status == DeliveryStatus.PAUSED
    assert target.calls == []
    with pg_hub.db.read() as s:
        assert s.scalar(select(Delivery.attempts).where(Delivery.id == did)) == 0
        assert list(s.scalars(select(Attempt.id).where(Attempt.delivery_id == did))) == []


def test_a_worker_translates_and_delivers_a_message_in_two_transactions_and_six_statements(pg_hub, target):
    """The worker counts that it starts translating in one statement that commits by itself (a translation
    that kills its worker must leave a trace, hub.workers.poison); the translation takes the message, then
    writes its canonical message, deliveries and status in one statement and claims the first delivery
    before its commit; the same worker then calls and finishes."""
    body, headers = signed(order_created("WP-5"))
    with api_client(pg_hub) as c:
        r = c.post("/webhooks/webshop", content=body, headers=headers)
    assert r.status_code == 202, r.text
    mid = str(r.json()["id"])
    pg_hub.translator.is_paused = pg_hub.deliverer.is_paused = lambda _: False  # read once a second, not per message
    with Counted(pg_hub) as counted:
        pg_hub.actors.translate.fn(mid)  # what a worker runs for the message: translate, then deliver it itself
    assert len(counted.statements) <= 6, [st[:90] for st in counted.statements]
    assert counted.commits == 2
    assert FIRST_START in counted.statements[0]
    assert [call["path"] for call in target.calls] == ["/ledger/orders/WP-5"]
    with pg_hub.db.read() as s:
        assert s.scalar(select(InboundMessage.status).where(InboundMessage.id == mid)) == MessageStatus.DELIVERED
        assert list(s.scalars(select(Attempt.outcome).join(Delivery).where(Delivery.message_id == mid))) == ["success"]


def test_the_first_starts_of_translations_taken_together_share_one_statement(pg_hub):
    """Each translation's first start is committed before its mapping runs (hub.workers.poison); the starts
    a worker's threads ask for while one is being committed go in the next statement together, so a busy
    worker pays that commit once for many messages, and each start is still committed before it goes on."""
    mids = [received(pg_hub, f"WP-S{n}") for n in range(6)]
    quarantine = Quarantine(pg_hub.db)

    def start(mid: str) -> bool:
        with quarantine.translation(mid) as go:
            return go

    with pg_hub.db.engine.connect() as holder, Counted(pg_hub) as counted, ThreadPoolExecutor(6) as pool:
        holder.execute(select(InboundMessage.id).where(InboundMessage.id == mids[0]).with_for_update())
        first = pool.submit(start, mids[0])  # its batch waits for the row lock
        eventually(lambda: any("translation_starts" in st for st in counted.statements), what="the first batch")
        rest = [pool.submit(start, mid) for mid in mids[1:]]
        eventually(lambda: quarantine.starts_waiting == 5, what="five starts waiting")
        assert not any(f.done() for f in [first, *rest]), "no start goes on before its commit"
        holder.rollback()
        assert first.result() and all(f.result() for f in rest)
    starts = [st for st in counted.statements if FIRST_START in st]
    assert len(starts) == 2, starts
    with pg_hub.db.read() as s:
        assert list(s.scalars(select(InboundMessage.translation_starts).where(InboundMessage.id.in_(mids)))) == [1] * 6


def test_a_worker_builds_compiles_and_renders_no_statement_anew_for_each_message(pg_hub, target):
    """Every statement of the path is an object built once, and reuses its compiled form and its SQL text,
    once the first message has run: a statement built per call is traversed for its cache key every time
    (and one SQLAlchemy cannot cache, a multi-row VALUES say, is compiled again), and one with an expanding
    parameter (``IN`` of a list) has its text rendered again for each execution, which costs more Python
    than the database spends on it."""
    pg_hub.translator.is_paused = pg_hub.deliverer.is_paused = lambda _: False
    ids = []
    for number in ("WP-6", "WP-7"):
        body, headers = signed(order_created(number))
        with api_client(pg_hub) as c:
            r = c.post("/webhooks/webshop", content=body, headers=headers)
        assert r.status_code == 202, r.text
        ids.append(str(r.json()["id"]))
    first: list[object] = []  # the statement objects of the first message (kept, so no id is reused)
    later: list[object] = []
    compiled_anew: list[str] = []
    rendered_anew: list[str] = []

    def executed(_conn, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        (later if first_done else first).append(statement)

    def note(_conn, _cursor, statement, _params, context, _many) -> None:  # type: ignore[no-untyped-def]
        if context is not None and context.compiled is not None and context.cache_hit is not CacheStats.CACHE_HIT:
            compiled_anew.append(statement[:120])
        if context is not None and context.compiled is not None and context.compiled.post_compile_params:
            rendered_anew.append(statement[:120])

    first_done = False
    event.listen(pg_hub.db.engine, "before_execute", executed)
    try:
        pg_hub.actors.translate.fn(ids[0])
        first_done = True
        event.listen(pg_hub.db.engine, "before_cursor_execute", note)
        pg_hub.actors.translate.fn(ids[1])
    finally:
        event.remove(pg_hub.db.engine, "before_execute", executed)
        event.remove(pg_hub.db.engine, "before_cursor_execute", note)
    assert [call["path"] for call in target.calls] == ["/ledger/orders/WP-6", "/ledger/orders/WP-7"]
    assert compiled_anew == []
    assert rendered_anew == []
    known = {id(statement) for statement in first}
    assert later and [str(st)[:120] for st in later if id(st) not in known] == []


def test_on_postgres_the_message_table_leaves_room_on_each_page_for_updates_in_place(pg_hub):
    """A message's row is updated four times on its way; an update that changes no indexed column (its
    translation's start, the take) and finds room on its page writes no entry into the table's indexes,
    among them. Migration 0023 leaves that room."""
    with pg_hub.db.engine.connect() as c:
        options = c.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'inbound_messages'")).scalar()
    assert "fillfactor=70" in (options or [])
