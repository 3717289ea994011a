"""Ingest: verify, refuse with the right error, deduplicate, store before acknowledging, then enqueue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.errors import PayloadTooLarge, SignatureError, UnknownConnector
from hub.ingest import Ingestor
from hub.mapping import make_engine
from hub.registry import Registry
from hub.settings import load_settings
from hub.store import Database, InboundMessage
from hub.store.migrate import upgrade
from hub.store.models import MessageStatus
from tests.support.pipeline_config import write_config
from tests.support.signing import signed


@pytest.fixture
def ingest(tmp_path: Path):
    config = write_config(tmp_path / "config")
    settings = load_settings(database_url=f"sqlite:///{tmp_path}/hub.db", config_dir=config)
    db = Database(settings.database_url)
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
