"""The message log at size: generate N stored messages on PostgreSQL, then time listing and searching.

    .venv/bin/python -m benchmarks.message_log --messages 1000000

A fresh database (``hub_bench_log_<time>`` on the local server, dropped afterwards unless ``--keep``)
is migrated to the revision before the search indexes, filled on the server side (``generate_series``): each message an order
webhook with its masked search copy and one current canonical message (subject = the order number,
a customer code in the payload), and migrated to head. It then times what the dashboard and the API ask, through
:class:`hub.search.MessageSearch` — the first page, a later page, a status filter, and ``q=`` by
order number, customer code, message id and correlation id — each ``--repeat`` times, and prints
one JSON line per query (median and worst ms, rows found). Run on demand, never in the test suite.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa

from hub.search import MessageFilter, MessageSearch
from hub.store import Database
from hub.store.migrate import upgrade

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BATCH = 100_000
BEFORE_SEARCH_INDEXES = "0013"
CUSTOMERS = 5_000

MESSAGES = """
INSERT INTO inbound_messages (id, connector, sender_id, mode, native_type, headers, body, received_at, updated_at,
                              status, translations, search_text)
SELECT 'm' || lpad(g::text, 12, '0'), 'shop', 'evt-' || g, 'webhook', 'order.created', '{}',
       json_build_object('orderId', 'SO-' || g, 'customer', 'C-' || (g % CAST(:customers AS integer)), 'lines', 3),
       now() - (CAST(:total AS integer) - g) * interval '1 second', now() - (CAST(:total AS integer) - g) * interval '1 second',
       CASE WHEN g % 97 = 0 THEN 'dead' ELSE 'delivered' END, 1,
       '{"orderId": "SO-' || g || '", "customer": "C-' || (g % CAST(:customers AS integer)) || '", "lines": 3}'
FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) g
"""
CANONICALS = """
INSERT INTO canonical_messages (id, message_id, seq, current, status, type, source, subject, time, dataschema,
                                correlation_id, data, created_at)
SELECT 'c' || lpad(g::text, 12, '0'), 'm' || lpad(g::text, 12, '0'), 0, true,
       CASE WHEN g % 97 = 0 THEN 'dead' ELSE 'delivered' END, 'order.received', '/connectors/shop', 'SO-' || g,
       now() - (CAST(:total AS integer) - g) * interval '1 second', 'order.received', 'corr-' || g,
       json_build_object('orderId', 'SO-' || g, 'customer', 'C-' || (g % CAST(:customers AS integer))),
       now() - (CAST(:total AS integer) - g) * interval '1 second'
FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) g
"""


@contextmanager
def scratch_database(prefix: str, *, keep: bool) -> Iterator[Database]:
    """A fresh database ``<prefix>_<time>`` on the local server, dropped afterwards unless ``keep``."""
    name = f"{prefix}_{datetime.now(UTC):%Y%m%d%H%M%S}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    db = Database(ADMIN_URL.rsplit("/", 1)[0] + "/" + name)
    try:
        yield db
    finally:
        db.dispose()
        if not keep:
            with admin.connect() as c:
                c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fill(db: Database, total: int) -> float:
    started = time.monotonic()
    for first in range(1, total + 1, BATCH):
        last = min(total, first + BATCH - 1)
        with db.engine.begin() as c:
            params = {"first": first, "last": last, "total": total, "customers": CUSTOMERS}
            c.execute(sa.text(MESSAGES), params)
            c.execute(sa.text(CANONICALS), params)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(sa.text("ANALYZE inbound_messages"))
        c.execute(sa.text("ANALYZE canonical_messages"))
    return time.monotonic() - started


def timed(search: MessageSearch, f: MessageFilter, repeat: int, cursor: str | None = None) -> dict[str, object]:
    times, found = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        page = search.find(f, cursor=cursor)
        times.append((time.perf_counter() - t0) * 1000)
        found = len(page.items)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1), "rows": found}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = ap.parse_args()
    with scratch_database("hub_bench_log", keep=args.keep) as db:
        upgrade(db, BEFORE_SEARCH_INDEXES)  # filled first, indexed after: as a log grown before migration 0014
        n = args.messages
        print(json.dumps({"figure": "fill", "messages": n, "seconds": round(fill(db, n), 1)}), flush=True)
        started = time.monotonic()
        upgrade(db)
        print(json.dumps({"figure": "migrate to head (search indexes)", "messages": n,
                          "seconds": round(time.monotonic() - started, 1)}), flush=True)
        search = MessageSearch(db)
        first_page = search.find(MessageFilter())
        middle = f"m{n // 2:012d}"
        queries: list[tuple[str, MessageFilter, str | None]] = [
            ("list, first page", MessageFilter(), None),
            ("list, a page in the middle", MessageFilter(), middle),
            ("list, status=dead", MessageFilter(status="dead"), None),
            ("q= order number (subject)", MessageFilter(q=f"SO-{n // 3}"), None),
            ("q= customer code (in the payload)", MessageFilter(q=f"C-{CUSTOMERS // 7}"), None),
            ("q= message id", MessageFilter(q=first_page.items[-1].id), None),
            ("q= correlation id", MessageFilter(q=f"corr-{n // 5}"), None),
        ]
        for label, f, cursor in queries:
            print(json.dumps({"figure": "message log", "query": label, "messages": n,
                              **timed(search, f, args.repeat, cursor)}), flush=True)


if __name__ == "__main__":
    main()
