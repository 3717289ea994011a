"""HTTP polling on a real HTTP source: pages walked three ways, the watermark in the query and moved
only once the records are stored, credentials from the environment, back-off with the error shown,
one leader per source, and a poller killed mid-batch that loses and duplicates nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from hub.adapters.runner import Pollers
from hub.api import create_app
from hub.runtime import Hub
from hub.store import InboundMessage
from hub.store.models import Poller
from tests.integration.test_dashboard_pages import log_in
from tests.support.auth import api_client
from tests.support.poll_config import write_config
from tests.support.source_api import SourceApi
from tests.support.waiting import eventually

POLL = """
kind: http
path: /api/lines
query: {{since: '{{watermark}}'}}
headers: {{Authorization: 'Bearer ${{HUB_TOKEN_BANK}}'}}
records: items
key: 流水号
watermark: booked_at
start: '2026-12-01T00:00:00+00:00'
lag: {lag}
event: statement.line
every: 0.2s
backoff_max: 1s
{paginate}
"""
CURSOR = "paginate: {style: cursor, param: cursor, next: next}"


def at(hour: int, minute: int = 0) -> str:
    return datetime(2026, 12, 4, hour, minute, tzinfo=UTC).isoformat()


@pytest.fixture
def api(monkeypatch) -> Iterator[SourceApi]:
    monkeypatch.setenv("HUB_TOKEN_BANK", "t0ken")
    with SourceApi(token="t0ken") as a:
        yield a


def make_hub(make_settings, tmp_path: Path, api: SourceApi, *, paginate: str = CURSOR, lag: str = "0s",
             name: str = "config") -> Hub:
    config = write_config(tmp_path / name, POLL.format(paginate=paginate, lag=lag), base_url=api.url)
    return Hub.build(make_settings(config_dir=config, database_url=f"sqlite:///{tmp_path}/{name}.db"))


@pytest.fixture
def hub(make_settings, tmp_path, api) -> Iterator[Hub]:
    h = make_hub(make_settings, tmp_path, api)
    yield h
    h.stop()


def stored(hub: Hub) -> list[str]:
    with hub.db.read() as s:
        return list(s.scalars(select(InboundMessage.sender_id).where(InboundMessage.connector == "bank")
                              .order_by(InboundMessage.sender_id)))


def poller(hub: Hub) -> Poller:
    with hub.db.read() as s:
        row = s.get(Poller, "bank")
        assert row is not None
        s.expunge(row)
        return row


def due_now(hub: Hub) -> None:
    with hub.db.session() as s:
        s.execute(update(Poller).values(next_run_at=None))


def test_cursor_pages_are_walked_and_the_next_read_asks_from_the_watermark(hub, api):
    for i in range(5):
        api.book(f"B-{i}", 10 + i, at(1, i))
    assert hub.pollers.run_once() == {"bank": 5}
    assert stored(hub) == [f"http:B-{i}" for i in range(5)]
    assert [r["query"].get("cursor") for r in api.requests] == [None, "2", "4"]
    assert {r["query"]["since"] for r in api.requests} == {"2026-12-01T00:00:00+00:00"}
    assert poller(hub).watermark == {"value": at(1, 4), "type": "datetime"}
    api.book("B-5", 99, at(2))
    api.requests.clear()
    due_now(hub)
    assert hub.pollers.run_once() == {"bank": 1}
    assert api.requests[0]["query"] == {"since": at(1, 4)}
    assert poller(hub).records == 6


def test_page_numbers_and_link_headers_are_followed(make_settings, tmp_path, api):
    for i in range(5):
        api.book(f"P-{i}", i, at(3, i))
    for style, paginate in (("page", "paginate: {style: page, param: page, size: 2}"),
                            ("link", "paginate: {style: link}")):
        h = make_hub(make_settings, tmp_path, api, paginate=paginate, name=style)
        try:
            api.requests.clear()
            assert h.pollers.run_once() == {"bank": 5}, style
            pages = [r["query"].get("page") or r["query"].get("cursor") for r in api.requests]
            assert pages == (["1", "2", "3"] if style == "page" else [None, "2", "4"]), style
        finally:
            h.stop()


PAGED = "paginate: {{style: page, param: page, size: {size}}}"


@pytest.mark.parametrize(("booked", "requested"), [(5, ["1", "2", "3"]), (1, ["1"]), (0, ["1"]),
                                                   (4, ["1", "2", "3"])])
def test_a_short_page_is_the_last_one_asked_for(make_settings, tmp_path, api, booked, requested):
    """Only a full last page leaves the pager unsure, so only then does it ask for the (empty) next one."""
    for i in range(booked):
        api.book(f"S-{i}", i, at(3, i))
    h = make_hub(make_settings, tmp_path, api, paginate=PAGED.format(size=2))
    try:
        assert h.pollers.run_once() == {"bank": booked}
        assert [r["query"]["page"] for r in api.requests] == requested
        assert stored(h) == [f"http:S-{i}" for i in range(booked)]
    finally:
        h.stop()


def test_the_page_size_can_be_sent_in_the_query(make_settings, tmp_path, api):
    for i in range(7):
        api.book(f"Z-{i}", i, at(4, i))
    config = write_config(tmp_path / "config", POLL.format(paginate=PAGED.format(size=3), lag="0s")
                          .replace("query: {since: '{watermark}'}", "query: {since: '{watermark}', size: '{size}'}"),
                          base_url=api.url)
    h = Hub.build(make_settings(config_dir=config))
    try:
        assert h.pollers.run_once() == {"bank": 7}
        assert [(r["query"]["page"], r["query"]["size"]) for r in api.requests] == [("1", "3"), ("2", "3"), ("3", "3")]
    finally:
        h.stop()


def test_the_safety_lag_reads_again_and_duplicates_are_not_stored(make_settings, tmp_path, api):
    h = make_hub(make_settings, tmp_path, api, lag="10m")
    try:
        api.book("L-1", 1, at(5, 0))
        h.pollers.run_once()
        api.book("L-0", 1, at(4, 55))     # committed late, with an earlier time than the watermark
        api.requests.clear()
        due_now(h)
        assert h.pollers.run_once() == {"bank": 1}
        assert api.requests[0]["query"]["since"] == at(4, 50)
        assert stored(h) == ["http:L-0", "http:L-1"]
    finally:
        h.stop()


def test_a_failing_source_backs_off_and_shows_its_error_then_recovers(hub, api, monkeypatch):
    api.book("F-1", 1, at(6))
    api.fail = True
    hub.pollers.run_once()
    row = poller(hub)
    assert (row.state, row.failures) == ("failing", 1) and "500" in (row.last_error or "")
    assert row.next_run_at is not None and row.next_run_at - row.updated_at == timedelta(seconds=0.2), \
        "the first failure waits one `every` before the next try"
    assert row.watermark is None and stored(hub) == []
    with api_client(hub) as c:
        metrics = c.get("/metrics").text
        shown = c.get("/api/connectors/bank").json()["poller"]
    assert (shown["state"], shown["failures"]) == ("failing", 1) and "500" in shown["last_error"]
    assert 'hub_poller_state{connector="bank",kind="http"} 2.0' in metrics
    assert 'hub_poller_failures{connector="bank"} 1.0' in metrics
    with TestClient(create_app(hub), follow_redirects=False) as ui:
        log_in(ui)
        page = ui.get("/ui/connectors/bank").text
        listing = ui.get("/ui/connectors").text
    assert 'data-poller="failing"' in page and "500 Internal Server Error" in page
    assert 'data-poller="failing"' in listing
    api.fail = False
    due_now(hub)
    hub.pollers.run_once()
    row = poller(hub)
    assert (row.state, row.failures, row.last_error) == ("idle", 0, None) and stored(hub) == ["http:F-1"]


def test_a_credential_missing_from_the_environment_is_the_pollers_error(hub, api, monkeypatch):
    monkeypatch.delenv("HUB_TOKEN_BANK")
    hub.pollers.run_once()
    assert "HUB_TOKEN_BANK is not set" in (poller(hub).last_error or "")
    assert api.requests == []


def test_one_leader_per_source_across_processes(hub, api):
    api.book("O-1", 1, at(7))
    other = Pollers(registry=hub.registry, settings=hub.settings, ingestor=hub.ingestor, state=hub.pollers.state)
    assert hub.pollers.run_once() == {"bank": 1}
    due_now(hub)
    assert other.run_once() == {}, "a second process must not poll while the leader's lease holds"
    hub.pollers.stop()        # the leader gives its lease up
    assert other.run_once() == {"bank": 0}
    assert len(api.requests) == 2


def test_the_leaders_lease_lasts_as_long_as_the_setting_says(make_settings, tmp_path, api, monkeypatch):
    monkeypatch.setenv("HUB_POLLER_LEASE_S", "120")
    h = make_hub(make_settings, tmp_path, api)
    try:
        api.book("S-1", 1, at(7))
        assert h.pollers.run_once() == {"bank": 1}
        row = poller(h)
        assert row.lease_until is not None and row.heartbeat_at is not None
        assert row.lease_until - row.heartbeat_at == timedelta(seconds=120)
    finally:
        h.stop()


KILLABLE = """
import sys
from hub.runtime import Hub
from hub.settings import load_settings
hub = Hub.build(load_settings(database_url=sys.argv[1], config_dir=sys.argv[2], env="development"))
hub.pollers.run_once()
"""


def test_a_poller_killed_mid_batch_loses_nothing_and_duplicates_nothing(hub, api, make_settings):
    for i in range(6):
        api.book(f"K-{i}", i, at(8, i))
    api.hold_page = 2                       # the first page is stored, then the process hangs on the second
    env = dict(os.environ, HUB_URL_BANK=api.url)
    child = subprocess.Popen([sys.executable, "-c", KILLABLE, hub.settings.database_url,
                              str(hub.settings.config_dir)], env=env)
    try:
        eventually(lambda: len(stored(hub)) == 2, timeout=60, what="the first page stored by the child")
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    api.hold_page = None
    assert poller(hub).watermark is None, "the watermark must not pass records that are not stored"
    with hub.db.session() as s:              # the dead leader's lease runs out
        s.execute(update(Poller).values(lease_until=datetime(2000, 1, 1, tzinfo=UTC)))
    assert hub.pollers.run_once() == {"bank": 4}
    assert stored(hub) == [f"http:K-{i}" for i in range(6)]
    with hub.db.read() as s:
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == 6
    assert poller(hub).watermark == {"value": at(8, 5), "type": "datetime"}
