"""The deliverer, with its HTTP client replaced: claim, stages, the attempt log and what comes next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hub.delivery.client import Response
from hub.delivery.service import Deliverer
from hub.delivery.stages import DeliveryStage
from hub.errors import TransientDeliveryError
from hub.mapping import make_engine
from hub.mapping.functions import fixture_xref
from hub.registry import Registry
from hub.settings import load_settings
from hub.store import Attempt, Database, Delivery, InboundMessage
from hub.store.migrate import upgrade
from hub.store.models import DeliveryStatus, MessageStatus
from hub.translate import Translator
from tests.support.pipeline_config import write_config


class FakeClient:
    """Answers each call from a script: a Response, or an exception to raise."""

    def __init__(self, db: Database, *answers: Any):
        self.db = db
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []
        self.attempts_seen: list[list[str]] = []

    def send(self, method: str, url: str, content: bytes, *, headers: dict[str, str], timeout_s: float) -> Response:
        with self.db.read() as s:  # what the log says while the call is being made
            self.attempts_seen.append(list(s.scalars(select(Attempt.outcome).order_by(Attempt.number))))
        self.calls.append({"method": method, "url": url, "headers": headers})
        answer = self.answers.pop(0) if self.answers else Response(200, "{}", 1.0, {})
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def world(tmp_path: Path):
    config = write_config(tmp_path / "config")
    settings = load_settings(database_url=f"sqlite:///{tmp_path}/hub.db", config_dir=config)
    db = Database(settings.database_url)
    upgrade(db)
    registry = Registry(config, make_engine("jlens"))
    translator = Translator(db=db, registry=registry, xref=fixture_xref({}), enqueue_delivery=lambda _: None,
                            is_paused=lambda _: False)
    yield db, registry, settings, translator
    db.dispose()


def one_delivery(world, doc: str = "D-1") -> str:
    db, _, _, translator = world
    with db.session() as s:
        s.add(InboundMessage(id=f"m-{doc}", connector="shop", sender_id=doc, mode="webhook", headers={},
                             body={"type": "doc.created", "no": doc, "lines": []},
                             received_at=_now(), updated_at=_now(), status=MessageStatus.RECEIVED, translations=0))
    translator.translate(f"m-{doc}")
    with db.read() as s:
        return str(s.scalar(select(Delivery.id).where(Delivery.message_id == f"m-{doc}")))


def _now():
    from datetime import UTC, datetime
    return datetime.now(UTC)


def deliverer(world, client: FakeClient, stages: list[DeliveryStage] | None = None) -> Deliverer:
    db, registry, settings, _ = world
    return Deliverer(db=db, registry=registry, settings=settings, client=client,  # type: ignore[arg-type]
                     xref=fixture_xref({}), is_paused=lambda _: False, stages=stages)


def outcomes(db: Database, delivery_id: str) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(Attempt.outcome).where(Attempt.delivery_id == delivery_id)
                              .order_by(Attempt.number)))


def test_a_success_is_delivered_with_its_attempt_stored_before_the_call(world):
    db = world[0]
    did = one_delivery(world)
    client = FakeClient(db, Response(201, "{}", 2.0, {}))
    assert deliverer(world, client).deliver(did).status == DeliveryStatus.DELIVERED
    assert client.attempts_seen == [["in_flight"]]
    assert outcomes(db, did) == ["success"]
    assert client.calls[0]["headers"]["idempotency-key"] == did and "webhook-signature" in client.calls[0]["headers"]


def test_a_second_deliver_of_the_same_delivery_does_nothing(world):
    db = world[0]
    did = one_delivery(world)
    d = deliverer(world, FakeClient(db))
    d.deliver(did)
    assert d.deliver(did) is None


def test_a_business_rejection_is_not_retried_and_the_message_says_rejected(world):
    db = world[0]
    did = one_delivery(world)
    client = FakeClient(db, Response(400, '{"error": "bad"}', 1.0, {"error": "bad"}))
    assert deliverer(world, client).deliver(did).status == DeliveryStatus.REJECTED
    assert len(client.calls) == 1 and outcomes(db, did) == ["rejected"]
    with db.read() as s:
        assert s.get(InboundMessage, "m-D-1").status == MessageStatus.REJECTED


def test_a_network_fault_is_tried_again_in_place_then_rescheduled_with_every_call_logged(world):
    db = world[0]
    did = one_delivery(world)
    fault = TransientDeliveryError("ConnectError: refused")
    client = FakeClient(db, fault, fault, fault)
    outcome = deliverer(world, client).deliver(did)
    assert outcome.status == DeliveryStatus.RETRYING and outcome.retry_in_s is not None
    assert outcomes(db, did) == ["transient"] * len(client.calls) and len(client.calls) >= 2


def test_stages_shape_the_call_before_it_and_hear_the_answer_after_it_in_reverse_order(world):
    db = world[0]
    heard: list[str] = []

    class Named(DeliveryStage):
        def __init__(self, name: str):
            self.name = name

        def before_call(self, ctx):
            heard.append(f"before {self.name}")
            ctx.headers[f"x-{self.name}"] = "1"

        def after_call(self, ctx, response, verdict):
            heard.append(f"after {self.name} {verdict.outcome}")

    client = FakeClient(db)
    deliverer(world, client, [Named("a"), Named("b")]).deliver(one_delivery(world))
    assert heard == ["before a", "before b", "after b success", "after a success"]
    assert client.calls[0]["headers"]["x-a"] == client.calls[0]["headers"]["x-b"] == "1"


def test_an_observing_stage_that_fails_never_stops_the_delivery(world):
    db = world[0]

    class Broken(DeliveryStage):
        def after_call(self, ctx, response, verdict):
            raise RuntimeError("metrics backend down")

    did = one_delivery(world)
    assert deliverer(world, FakeClient(db), [Broken()]).deliver(did).status == DeliveryStatus.DELIVERED
