"""A recipient list computed from content, end to end: the operations a message names are called, each once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from hub.runtime import Hub
from hub.store import Delivery, InboundMessage
from hub.store.models import MessageStatus
from tests.support.auth import api_client
from tests.support.pipeline_config import write_config
from tests.support.signing import signed
from tests.unit.pipeline.test_recipient_list import COMPUTED, SUBSCRIPTIONS


def test_a_rush_document_goes_to_the_operations_its_content_names(make_settings, tmp_path: Path, target, monkeypatch):
    config = write_config(tmp_path / "config")
    ledger = config / "connectors" / "ledger.yaml"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace(SUBSCRIPTIONS, COMPUTED), encoding="utf-8")
    monkeypatch.setenv("HUB_URL_LEDGER", target.url)
    hub = Hub.build(make_settings(config_dir=config))
    try:
        ids = []
        for no in ("RUSH-7", "D-7"):
            content, headers = signed({"type": "doc.created", "no": no, "lines": []}, connector="shop")
            with api_client(hub) as c:
                ids.append(c.post("/webhooks/shop", content=content, headers=headers).json()["id"])
            hub.translator.translate(ids[-1])
        with hub.db.read() as s:
            made = list(s.execute(select(Delivery.id, Delivery.operation).order_by(Delivery.created_at)))
        assert sorted(op for _, op in made) == ["alert", "book", "book"]
        for d in made:
            hub.deliverer.deliver(d.id)
        assert sorted(c["path"] for c in target.calls) == ["/alerts/RUSH-7", "/docs/D-7", "/docs/RUSH-7"]
        with hub.db.read() as s:
            assert {s.get(InboundMessage, i).status for i in ids} == {MessageStatus.DELIVERED}
    finally:
        hub.stop()
