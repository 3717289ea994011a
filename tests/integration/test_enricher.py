"""Content enricher: before the ledger's call, the hub asks the stock system's query and the outbound mapping
reads the answer as $enrich.stock; no answer is retried like a failed call."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from hub.errors import ConfigError
from hub.runtime import Hub
from hub.store import Delivery
from hub.store.models import DeliveryStatus
from tests.support.auth import api_client
from tests.support.pipeline_config import write_config
from tests.support.signing import signed
from tests.support.target import Target
from tests.support.waiting import eventually

STOCK = """
name: stock
title: Stock
base_url: http://127.0.0.1:9
queries:
  stock.level:
    path: /levels/{request.item}
    response: stock/level.jsonata
"""
ENRICHED_BOOK = """  book:
    path: /docs/{data.doc_no}
    mapping: ledger/book.jsonata
    enrich:
      stock: {query: stock.level, request: '{"item": data.doc_no}'}
"""
FAST = """retry: {schedule: [0.2s, 0.2s, 0.2s, 0.2s, 0.2s, 0.2s, 0.2s, 0.2s, 0.2s, 0.2s], in_place_attempts: 1, jitter: 0}
"""


def enriched_config(folder: Path, query: str = "stock.level") -> Path:
    config = write_config(folder)
    (config / "connectors" / "stock.yaml").write_text(STOCK, encoding="utf-8")
    ledger = config / "connectors" / "ledger.yaml"
    text = ledger.read_text(encoding="utf-8")
    assert "  book:\n    path: /docs/{data.doc_no}\n" in text
    text = text.replace("  book:\n    path: /docs/{data.doc_no}\n", ENRICHED_BOOK.replace("stock.level", query))
    ledger.write_text(text + FAST, encoding="utf-8")
    (config / "mappings" / "stock").mkdir()
    (config / "mappings" / "stock" / "level.jsonata").write_text(
        '{"on_hand": response.balance, "asked": response.path}', encoding="utf-8")
    (config / "mappings" / "ledger" / "book.jsonata").write_text(
        '{"doc": data.doc_no, "on_hand": $enrich.stock.on_hand, "asked": $enrich.stock.asked}', encoding="utf-8")
    return config


def test_the_answer_of_the_declared_query_reaches_the_mapping_and_no_answer_is_retried(
        make_settings, tmp_path, target, monkeypatch):
    stock_up = {"up": False}
    with Target(respond=lambda n: 200 if stock_up["up"] else 503) as stock:
        monkeypatch.setenv("HUB_URL_LEDGER", target.url)
        monkeypatch.setenv("HUB_URL_STOCK", stock.url)
        hub = Hub.build(make_settings(config_dir=enriched_config(tmp_path / "config")))
        hub.start_workers()
        try:
            content, headers = signed({"type": "doc.created", "no": "E-1", "lines": []}, connector="shop")
            with api_client(hub) as c:
                assert c.post("/webhooks/shop", content=content, headers=headers).status_code == 202

            def waiting() -> list:
                with hub.db.read() as s:
                    return list(s.execute(select(Delivery.status, Delivery.last_error, Delivery.attempts)
                                          .where(Delivery.last_error.is_not(None))))
            [row] = eventually(waiting, timeout=30, what="the enrichment's failure recorded")
            assert row.status == DeliveryStatus.RETRYING and "enrich stock" in row.last_error
            assert target.calls == [], "no call to the ledger without its enrichment"

            stock_up["up"] = True
            [call] = target.wait_for(1, timeout=30)
            assert call["path"] == "/docs/E-1"
            assert call["body"] == {"doc": "E-1", "on_hand": 1234.5, "asked": "/levels/E-1"}
        finally:
            hub.stop()


def test_an_enrichment_asking_a_query_nobody_answers_is_refused_at_load_with_its_line(make_settings, tmp_path):
    with pytest.raises(ConfigError, match=r"ledger\.yaml:\d+: enrichment 'stock' asks query 'stock.levels', "
                                          r"which no connector answers \(queries: stock.level\)"):
        Hub.build(make_settings(config_dir=enriched_config(tmp_path / "config", "stock.levels")))
