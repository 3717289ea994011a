"""The translating worker's claim: the first delivery is taken in the translation's own transaction.

Its call is built before the claim, so the attempt opened with the claim names the URL it is for: a
worker that stops right after the translation's commit leaves an attempt that says where its call
was going, closed as abandoned "before or during" that call when the lease ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hub.delivery.lease import ABANDONED, give_back
from hub.runtime import Hub
from hub.store import Attempt, Delivery
from hub.store.models import DeliveryStatus
from tests.support.auth import api_client
from tests.support.signing import order_created, signed
from tests.support.target import Target


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def still_hub(request, make_settings, fast_config, target: Target, point_ledger_at) -> Iterator[Hub]:
    """No workers: the test runs the translation and stands for the worker that stops after it."""
    point_ledger_at(target.url)
    overrides: dict[str, Any] = {"config_dir": fast_config}
    if request.param == "postgres":
        overrides["database_url"] = request.getfixturevalue("pg_url")
    h = Hub.build(make_settings(**overrides))
    yield h
    h.stop()


def received(hub: Hub, number: str) -> str:
    body, headers = signed(order_created(number))
    with api_client(hub) as c:
        r = c.post("/webhooks/webshop", content=body, headers=headers)
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def test_the_attempt_opened_with_the_translations_claim_names_the_url_of_its_call(still_hub, target):
    mid = received(still_hub, "CL-1")
    handed: list[Any] = []
    still_hub.translator.translate(mid, hand_over=lambda ids, claimed: handed.append(claimed),
                                   claim=still_hub.deliverer.claim_in)  # and the worker stops here
    [claimed] = handed
    assert claimed is not None and target.calls == []
    with still_hub.db.read() as s:
        d = s.scalars(select(Delivery).where(Delivery.message_id == mid)).one()
        assert d.status == DeliveryStatus.IN_FLIGHT and d.id == claimed.delivery_id
        [a] = s.execute(select(Attempt.outcome, Attempt.url).where(Attempt.delivery_id == d.id)).all()
    assert tuple(a) == ("in_flight", f"{target.url}/ledger/orders/CL-1")

    with still_hub.db.session() as s:  # the lease ends: the sweeper gives the delivery back
        give_back(s, datetime.now(UTC) + timedelta(minutes=5), limit=10, max_deaths=3)
    with still_hub.db.read() as s:
        [(outcome, url, error)] = s.execute(select(Attempt.outcome, Attempt.url, Attempt.error)
                                            .where(Attempt.delivery_id == claimed.delivery_id)).all()
    assert (outcome, url) == (ABANDONED, f"{target.url}/ledger/orders/CL-1")
    assert "before or during this call" in error


def test_the_call_built_before_the_claim_is_the_one_made_and_it_is_built_once(still_hub, target, monkeypatch):
    mid = received(still_hub, "CL-2")
    outcomes: list[Any] = []
    built: list[str] = []
    build = still_hub.deliverer._request
    monkeypatch.setattr(still_hub.deliverer, "_request",
                        lambda claimed, connector: built.append(claimed.delivery_id) or build(claimed, connector))
    still_hub.translator.translate(
        mid, claim=still_hub.deliverer.claim_in,
        hand_over=lambda ids, claimed: outcomes.append(still_hub.deliverer.deliver_claimed(claimed)))
    assert [o.status for o in outcomes] == [DeliveryStatus.DELIVERED]
    assert [call["path"] for call in target.calls] == ["/ledger/orders/CL-2"]
    with still_hub.db.read() as s:
        [a] = s.execute(select(Attempt.outcome, Attempt.url).join(Delivery).where(Delivery.message_id == mid)).all()
    assert tuple(a) == ("success", f"{target.url}/ledger/orders/CL-2")
    assert len(built) == 1  # the envelope read back with the claim is the one the call was built from
