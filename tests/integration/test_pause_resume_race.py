"""A resume never strands a delivery: one parked by a worker that still had the pause in its short cache
after the connector was resumed (another process resumed it a moment before) is sent by the sweeper."""

from __future__ import annotations

from sqlalchemy import update

from hub.store import Delivery
from tests.integration.test_reliability import running_hub, send, status_of  # noqa: F401 — the fixture
from tests.support.auth import api_client
from tests.support.target import Target
from tests.support.waiting import eventually


def test_a_delivery_parked_after_its_connector_was_resumed_is_sent_by_the_sweeper(running_hub):  # noqa: F811
    with Target() as target:
        h = running_hub(target, workers=False)
        with api_client(h) as c:
            c.post("/api/connectors/ledger/pause")
            mid = send(c, "WS-P2")
            h.translator.translate(mid)
            [d] = status_of(c, mid)["deliveries"]
            assert c.post("/api/connectors/ledger/resume").json()["connector"] == "ledger"
            with h.db.session() as s:  # a worker whose cache still said "paused" parks it after the resume
                s.execute(update(Delivery).where(Delivery.id == d["id"]).values(status="paused"))
            h.broker.flush_all()
            h.start_workers()
            target.wait_for(1, timeout=60)
            eventually(lambda: status_of(c, mid)["status"] == "delivered", timeout=60)
    assert target.applied == {d["id"]: 1}
