"""Retention at size: does the message log stay fast while old payloads are archived and purged?

    .venv/bin/python -m benchmarks.retention --messages 200000

A fresh PostgreSQL database (``hub_bench_retention_<time>``, dropped afterwards unless ``--keep``) is
migrated and filled as :mod:`benchmarks.message_log` fills it (order webhooks with their masked
search copy and one canonical message each); half the messages are then made 40 days old. It times
the dashboard's queries (first page, a status filter, ``q=`` by order number and by customer code),
runs :class:`hub.retention.Retention` with a 30-day policy that archives first, and times the same
queries during the purge (from another thread) and after it. Printed as one JSON line per figure:
the purge's rate, the archive's size, the tables' size before and after (``VACUUM``, not ``FULL``).
Run on demand, never in the test suite.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

from benchmarks.message_log import CUSTOMERS, fill, scratch_database, timed
from hub.retention import Plan, Policy, Retention, RetentionFile
from hub.search import MessageFilter, MessageSearch
from hub.store import Database
from hub.store.migrate import upgrade

TABLES = ("inbound_messages", "canonical_messages")


def queries(n: int) -> list[tuple[str, MessageFilter]]:
    return [("list, first page", MessageFilter()), ("list, status=dead", MessageFilter(status="dead")),
            ("q= order number, a recent one", MessageFilter(q=f"SO-{n - 7}")),
            ("q= order number, a purged one", MessageFilter(q=f"SO-{n // 7}")),
            ("q= customer code", MessageFilter(q=f"C-{CUSTOMERS // 7}"))]


def sizes(db: Database) -> dict[str, int]:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        for t in TABLES:
            c.execute(sa.text(f"VACUUM ANALYZE {t}"))
        return {t: int(c.execute(sa.text(f"SELECT pg_total_relation_size('{t}')")).scalar_one()) // 1024 // 1024
                for t in TABLES}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = ap.parse_args()
    n = args.messages
    out = lambda **v: print(json.dumps({"messages": n, **v}, ensure_ascii=False), flush=True)  # noqa: E731
    with scratch_database("hub_bench_retention", keep=args.keep) as db:
        upgrade(db)
        out(figure="fill", seconds=round(fill(db, n), 1))
        with db.engine.begin() as c:  # the older half: 40 days old
            c.execute(sa.text("UPDATE inbound_messages SET received_at = received_at - interval '40 days' "
                              "WHERE id <= :mid"), {"mid": f"m{n // 2:012d}"})
        out(figure="size before", mib=sizes(db))
        search = MessageSearch(db)
        for label, f in queries(n):
            out(figure="before", query=label, **timed(search, f, args.repeat))

        folder = Path(tempfile.mkdtemp(prefix="hub-retention-"))
        plan = Plan(RetentionFile(name="retention", default=Policy(days=30, archive=True)), folder)
        retention = Retention(db=db, registry=SimpleNamespace(connectors={"shop": None}), plan=plan)  # type: ignore[arg-type]
        during: list[float] = []
        done = threading.Event()

        def watch() -> None:  # the dashboard's first page while the purge runs
            while not done.is_set():
                t0 = time.perf_counter()
                search.find(MessageFilter())
                during.append((time.perf_counter() - t0) * 1000)
                time.sleep(0.2)
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        started = time.monotonic()
        result = retention.run()
        seconds = time.monotonic() - started
        done.set()
        watcher.join()
        archive = sum(p.stat().st_size for p in folder.rglob("*.jsonl.gz"))
        out(figure="purge", purged=result.purged, seconds=round(seconds, 1),
            per_second=round(result.purged / seconds), archive_mib=round(archive / 1024 / 1024, 1))
        out(figure="during the purge", query="list, first page", median_ms=round(statistics.median(during), 1),
            max_ms=round(max(during), 1), samples=len(during))
        out(figure="size after", mib=sizes(db))
        for label, f in queries(n):
            out(figure="after", query=label, **timed(search, f, args.repeat))


if __name__ == "__main__":
    main()
