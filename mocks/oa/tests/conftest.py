"""OA under test: a real app on a temporary SQLite file, webhooks to a local receiver."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mocks.common import MockSettings
from mocks.common.testing import WebhookReceiver
from mocks.oa.app import build

SIM_SEED = 7


@pytest.fixture(scope="session")
def hub_stand_in() -> Iterator[WebhookReceiver]:
    """One receiver for the session: stopping one costs ~0.5 s (its serve loop's poll)."""
    with WebhookReceiver() as r:
        yield r


@pytest.fixture
def receiver(hub_stand_in: WebhookReceiver) -> WebhookReceiver:
    """The hub stand-in, emptied: apps of earlier tests are closed, so nothing of theirs arrives later."""
    hub_stand_in.requests.clear()
    hub_stand_in.status = 204
    return hub_stand_in


@pytest.fixture
def make_client(tmp_path: Path, receiver: WebhookReceiver) -> Iterator[Callable[..., TestClient]]:
    """Builds (and closes at the end) an OA app; ``name`` keeps databases apart."""
    opened: list[TestClient] = []

    def make(name: str = "oa", **overrides: Any) -> TestClient:
        settings = MockSettings.from_env("oa", database_url=f"sqlite:///{tmp_path}/{name}.db",
                                         hub_url=receiver.url, seed=SIM_SEED, **overrides)
        client = TestClient(build(settings))
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def events(receiver: WebhookReceiver, msg_type: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
    """Wait until ``count`` webhooks of ``msg_type`` arrived; their bodies, in arrival order."""
    deadline = time.monotonic() + timeout
    while True:
        found = [b for b in (json.loads(r["body"]) for r in list(receiver.requests)) if b["msgType"] == msg_type]
        if len(found) >= count:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} {msg_type} webhook(s), got {len(found)}")
        time.sleep(0.02)


def start(client: TestClient, amount: str = "12000.00", *, process_code: str = "PURCHASE_REQUISITION",
          business_id: str = "PR-2026-0001", originator: str = "liqiang",
          form: list[dict[str, str]] | None = None, expect: int = 201) -> dict[str, Any]:
    body: dict[str, Any] = {"processCode": process_code, "businessId": business_id,
                            "title": f"采购申请 {business_id}", "originatorUserId": originator, "amount": amount,
                            "formComponentValues": form if form is not None else
                            [{"name": "预算科目", "value": "PUR-2026-RM"}]}
    r = client.post("/api/processinstances", json=body)
    assert r.status_code == expect, r.text
    return r.json()


def decide(client: TestClient, pid: str, action: str, user: str, remark: str | None = None,
           expect: int = 200) -> dict[str, Any]:
    r = client.post(f"/api/processinstances/{pid}/{action}", json={"userId": user, "remark": remark})
    assert r.status_code == expect, r.text
    return r.json()


def complaint(client: TestClient, source_id: str = "CMP-2026-0001", severity: str = "high",
              expect: int = 201, **extra: Any) -> dict[str, Any]:
    r = client.post("/api/tasks", json={"sourceType": "complaint", "sourceId": source_id,
                                        "title": "桌腿焊点开裂", "severity": severity,
                                        "description": "客户反馈 3 张办公桌桌腿焊点开裂", **extra})
    assert r.status_code == expect, r.text
    return r.json()
