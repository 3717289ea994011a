"""The overview's charts zoom to where the activity is, and a range picker shows any span ending now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from hub.admin import AdminServices
from hub.api import create_app
from hub.runtime import Hub
from hub.store import InboundMessage
from tests.integration.test_dashboard_pages import log_in, send
from tests.support.signing import order_created
from tests.support.waiting import eventually


def test_by_default_the_charts_cover_a_batch_from_hours_ago_not_the_empty_last_hour(hub: Hub):
    app = create_app(hub)
    with TestClient(app, follow_redirects=False) as c:
        ids = [send(c, order_created(f"RG-{i}")) for i in range(3)]
        eventually(lambda: all(hub.operations.get_message(i).status == "delivered" for i in ids))
        hours_ago = datetime.now(UTC) - timedelta(hours=5)
        with hub.db.session() as s:  # the attempts stay recent: the window spans both, as activity
            s.execute(update(InboundMessage).values(received_at=hours_ago))
        stats: AdminServices = app.state.admin
        window = stats.stats.window()
        assert window.start <= hours_ago and window.end >= hours_ago
        tp = stats.stats.throughput(window=window)
        assert sum(sum(s.values) for s in tp.messages) == 3
        last_hour = stats.stats.throughput()
        assert sum(sum(s.values) for s in last_hour.messages) == 0

        log_in(c)
        page = c.get("/ui/").text
        assert 'aria-current="true" data-range="auto"' in page
        assert '<span class="n">3</span>' in page
        page = c.get("/ui/", params={"range": "1h"}).text
        assert 'aria-current="true" data-range="1h"' in page and '<span class="n">0</span>' in page
        assert 'hx-get="/ui/?range=1h"' in page  # the refresh keeps the range
        assert c.get("/ui/", params={"range": "nonsense"}).status_code == 200


def test_a_short_batch_is_drawn_in_buckets_of_seconds(hub: Hub):
    app = create_app(hub)
    with TestClient(app) as c:
        mid = send(c, order_created("RG-S"))
        eventually(lambda: hub.operations.get_message(mid).status == "delivered")
        window = app.state.admin.stats.window()
    assert window.step <= timedelta(seconds=15) and window.end - window.start >= timedelta(minutes=10)
    assert window.end <= datetime.now(UTC) + window.step
