"""What ``q=`` finds of a message: its raw body from the moment it is stored, its canonical payloads
once translated, the current ones only, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from hub.ingest import Record
from hub.runtime import Hub
from hub.search import MessageFilter, MessageSearch
from hub.store import SearchText
from tests.support.poll_config import write_config


@pytest.fixture(params=["sqlite", "postgres"])
def hub(request, make_settings, tmp_path) -> Iterator[Hub]:
    """A file-drop sender ``bank`` (``流水号`` becomes ``doc_no``), no workers: the test translates."""
    config = write_config(tmp_path / "config", "kind: files\nfolder: drop\nevent: statement.line\n")
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else f"sqlite:///{tmp_path}/hub.db"
    h = Hub.build(make_settings(config_dir=config, database_url=url))
    yield h
    h.stop()


def read(hub: Hub, no: str) -> str:
    [mid] = hub.ingestor.stage("bank", [Record(key=f"t:{no}", body={"流水号": no, "金额": 12.5, "付款方": "上海明辉"},
                                               native_type="statement.line")], mode="file").ids
    return mid


def found(hub: Hub, term: str) -> list[str]:
    return [m.id for m in MessageSearch(hub.db).find(MessageFilter(q=term)).items]


def test_a_record_read_from_a_sender_is_found_by_its_body_before_it_is_translated(hub):
    mid = read(hub, "BK-301")
    assert found(hub, "BK-301") == [mid]
    assert found(hub, "doc_no") == []  # a key of the canonical payload: there is none yet


def test_a_translated_message_is_found_by_its_canonical_payload_and_a_new_translation_replaces_that_copy(hub):
    mid, other = read(hub, "BK-302"), read(hub, "BK-303")
    hub.translator.translate(mid)
    assert found(hub, "doc_no") == [mid]
    hub.translator.translate(mid, force=True)  # a replay: the copy is written again, not added to
    assert found(hub, "doc_no") == [mid] and found(hub, "BK-303") == [other]
    with hub.db.read() as s:
        parts = s.execute(select(SearchText.part).where(SearchText.message_id == mid)
                          .order_by(SearchText.part)).scalars().all()
    assert parts == [0, 1]
