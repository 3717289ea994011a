"""Golden-record benchmark: match quality on a labelled set, and time to match one new record.

    python -m benchmarks.masterdata quality --records 100000 --db sqlite
    python -m benchmarks.masterdata timing --stored 10000,100000,1000000 --db postgres

``quality`` loads a generated, labelled data set (companies as ``customer`` records and
persons as ``person`` records, see :mod:`benchmarks.masterdata.generate`) through the
service one record at a time, as the message path would, optionally re-matches with EM-learnt
parameters, and reports pairwise precision, recall and F1 per entity.

``timing`` fills the store with N records (bulk inserted, already normalised and keyed),
then times :meth:`MasterData.record` for new records against it (median, p99), rolled back so
every timed record meets the same N. Results are printed as JSON lines and appended to
``benchmarks/masterdata/results.jsonl``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.masterdata.generate import companies, persons
from hub.ids import new_id
from hub.masterdata.blocking import blocking_keys
from hub.masterdata.fields import normalise_record
from hub.masterdata.service import MasterData
from hub.masterdata.store import count_sources
from hub.masterdata.subscriber import catalog_for
from hub.store import BlockingKey, CrossReference, Database, GoldenRecord, SourceRecord
from hub.store.migrate import upgrade

RESULTS = Path(__file__).parent / "results.jsonl"
PG_ADMIN = os.environ.get("HUB_TEST_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
LOAD_BATCH = 500
FILL_BATCH = 5000
TIMED_RECORDS = 300
ENTITY_SHARE = {"customer": 0.7, "person": 0.3}
"""How a quality run's records are split between companies and persons."""


def database(kind: str) -> tuple[Database, Any]:
    """A fresh, migrated database; returns it and a function that drops it."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="md-bench-")
        db = Database(f"sqlite:///{folder}/bench.db")
        upgrade(db)
        return db, lambda: db.dispose()
    name = f"md_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    db = Database(PG_ADMIN.rsplit("/", 1)[0] + "/" + name)
    upgrade(db)

    def drop() -> None:
        db.dispose()
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return db, drop


def pairwise(truth: dict[str, str], predicted: dict[str, str]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering against the true one (no pairs enumerated)."""
    def pairs(groups: Counter[Any]) -> int:
        return sum(n * (n - 1) // 2 for n in groups.values())
    both = pairs(Counter((truth[r], predicted[r]) for r in truth))
    found, real = pairs(Counter(predicted.values())), pairs(Counter(truth.values()))
    precision = both / found if found else 1.0
    recall = both / real if real else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 5), "recall": round(recall, 5), "f1": round(f1, 5),
            "true_pairs": real, "found_pairs": found, "correct_pairs": both}


def quality(args: argparse.Namespace) -> list[dict[str, Any]]:
    service = MasterData(catalog_for())
    out = []
    for entity, share in ENTITY_SHARE.items():
        n = int(args.records * share)
        data = list(companies(n, seed=args.seed) if entity == "customer" else persons(n, seed=args.seed + 1))
        db, drop = database(args.db)
        try:
            truth = {f"{r['system']}:{r['id']}": r["_truth"] for r in data}
            started = time.perf_counter()
            for batch in _batched(data, LOAD_BATCH):
                with db.session() as s:
                    for r in batch:
                        payload = {k: v for k, v in r.items() if k not in ("system", "id", "_truth")}
                        service.record(s, entity, r["system"], r["id"], payload)
            load_s = time.perf_counter() - started
            row = {"benchmark": "masterdata.quality", "db": args.db, "entity": entity, "records": len(data),
                   "load_avg": round(os.getloadavg()[0], 1),
                   "entities": len(set(truth.values())), "load_s": round(load_s, 1),
                   "ms_per_record": round(1000 * load_s / len(data), 2),
                   "stage": "online (starting parameters)", **pairwise(truth, _predicted(db, entity))}
            _emit(row)
            out.append(row)
            with db.read() as s:
                reviews = s.scalar(sa.text("SELECT count(*) FROM md_match_links WHERE state='review' AND entity=:e"),
                                   {"e": entity})
            row["reviews"] = reviews
            if args.train:
                started = time.perf_counter()
                with db.session() as s:
                    model = service.train(s, entity)
                with db.read() as s:
                    ids = list(s.scalars(sa.select(SourceRecord.id).where(SourceRecord.entity == entity)
                                         .order_by(SourceRecord.id)))
                ent = service.catalog.get(entity)
                for batch in _batched(ids, LOAD_BATCH):
                    with db.session() as s:
                        for rid in batch:
                            rec = s.get(SourceRecord, rid)
                            if rec is not None:
                                service.rematch(s, ent, rec, actor="bench")
                row2 = {**row, "stage": "after EM + re-match", "em_prior": round(model.prior, 4),
                        "rematch_s": round(time.perf_counter() - started, 1),
                        **pairwise(truth, _predicted(db, entity))}
                _emit(row2)
                out.append(row2)
        finally:
            drop()
    return out


def replica(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Precision, recall and F1 of the service's matching decisions replayed on an in-memory index."""
    from benchmarks.masterdata.replica import cluster, missed_pairs

    out = []
    for entity, share in ENTITY_SHARE.items():
        n = int(args.records * share)
        data = list(companies(n, seed=args.seed) if entity == "customer" else persons(n, seed=args.seed + 1))
        truth = {f"{r['system']}:{r['id']}": r["_truth"] for r in data}
        started = time.perf_counter()
        predicted = cluster(catalog_for().get(entity), data)
        row = {"benchmark": "masterdata.quality", "db": "memory (replica)", "entity": entity, "records": len(data),
               "load_avg": round(os.getloadavg()[0], 1), "entities": len(set(truth.values())),
               "load_s": round(time.perf_counter() - started, 1), "stage": "online (starting parameters)",
               **pairwise(truth, predicted)}
        _emit(row)
        out.append(row)
        if args.misses:
            missed = missed_pairs(catalog_for().get(entity), data, predicted)
            for (cause, carried), pairs in missed.most_common(args.misses):
                print(json.dumps({"entity": entity, "missed_by": cause, "later_record_carries": carried,
                                  "pairs": pairs}, ensure_ascii=False))
    return out


def _predicted(db: Database, entity: str) -> dict[str, str]:
    with db.read() as s:
        return {f"{sys_}:{lid}": gid for sys_, lid, gid in s.execute(
            sa.select(SourceRecord.system, SourceRecord.local_id, SourceRecord.golden_id)
            .where(SourceRecord.entity == entity))}


def fill(db: Database, entity: str, n: int, seed: int) -> float:
    """Bulk-insert ``n`` normalised, keyed records (each its own golden record); returns seconds."""
    ent = catalog_for().get(entity)
    now = datetime.now(UTC)
    gen = companies(n, seed=seed) if entity == "customer" else persons(n, seed=seed)
    started = time.perf_counter()
    for i, batch in enumerate(_batched(itertools.islice(gen, n), FILL_BATCH)):
        if i and i % 20 == 0:
            print(f"fill: {i * FILL_BATCH} of {n} in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        sources, goldens, keys, xrefs = [], [], [], []
        for r in batch:
            payload = {k: v for k, v in r.items() if k not in ("system", "id", "_truth")}
            norm = normalise_record(ent, payload)
            rid, gid = new_id(), new_id()
            local_id = f"{r['id']}-s{seed}"  # each fill is its own generator run: keep its ids apart
            sources.append({"id": rid, "entity": entity, "system": r["system"], "local_id": local_id, "golden_id": gid,
                            "payload": payload, "normalised": norm, "received_at": now, "updated_at": now})
            goldens.append({"id": gid, "entity": entity, "status": "active", "fields": payload, "provenance": {},
                            "version": 1, "merged_into": None, "search_text": "", "created_at": now,
                            "updated_at": now})
            keys.extend({"entity": entity, "key": k, "record_id": rid} for k in blocking_keys(ent, norm))
            xrefs.append({"id": new_id(), "entity": entity, "golden_id": gid, "system": r["system"],
                          "local_id": local_id, "created_at": now})
        tables = ((SourceRecord, sources), (GoldenRecord, goldens), (BlockingKey, keys), (CrossReference, xrefs))
        if db.engine.dialect.name == "postgresql":
            _copy(db, tables)
        else:
            with db.session() as s:
                for model, rows in tables:
                    s.execute(sa.insert(model), rows)
    with db.engine.begin() as c:
        c.execute(sa.text("ANALYZE"))
    return time.perf_counter() - started


def _copy(db: Database, tables: Any) -> None:
    """PostgreSQL's COPY for a batch of rows per table, in one transaction (ten times the rate of INSERTs)."""
    raw = db.engine.raw_connection()
    try:
        with raw.cursor() as cur:  # type: ignore[attr-defined]
            for model, rows in tables:
                columns = list(rows[0])
                with cur.copy(f"COPY {model.__tablename__} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v
                                        for v in (row[c] for c in columns)])
        raw.commit()
    finally:
        raw.close()


def timing(args: argparse.Namespace) -> list[dict[str, Any]]:
    service = MasterData(catalog_for())
    if args.existing:  # a store filled by an earlier run (kept with --keep), as it is
        db = Database(args.existing)
        try:
            with db.read() as s:
                stored = count_sources(s, args.entity)
            return [_probe(db, service, args, stored, fill_s=None)]
        finally:
            db.dispose()
    out = []
    db, drop = database(args.db)
    try:
        stored = 0
        for target in sorted(int(x) for x in args.stored.split(",")):
            fill_s = fill(db, args.entity, target - stored, seed=args.seed + stored)
            stored = target
            out.append(_probe(db, service, args, stored, fill_s))
    finally:
        drop()
    return out


def _probe(db: Database, service: MasterData, args: argparse.Namespace, stored: int,
           fill_s: float | None) -> dict[str, Any]:
    """Match TIMED_RECORDS new records one by one against the store, rolled back; one result row."""
    probes = list(companies(TIMED_RECORDS * 3, seed=args.seed + 10_000_000) if args.entity == "customer"
                  else persons(TIMED_RECORDS * 3, seed=args.seed + 10_000_000))[:TIMED_RECORDS]
    times, cpu = [], []
    with db.sessions() as s:
        for r in probes:
            payload = {k: v for k, v in r.items() if k not in ("system", "id", "_truth")}
            t0, c0 = time.perf_counter(), time.process_time()
            service.record(s, args.entity, r["system"], "probe-" + r["id"], payload)
            s.flush()
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        s.rollback()
    times.sort()
    cpu.sort()
    row = {"benchmark": "masterdata.timing", "db": db.engine.dialect.name.replace("postgresql", "postgres"),
           "entity": args.entity, "stored": stored,
           "timed": len(times), "median_ms": round(statistics.median(times), 2),
           "p99_ms": round(times[int(len(times) * 0.99) - 1], 2),
           "median_cpu_ms": round(statistics.median(cpu), 2), "p99_cpu_ms": round(cpu[int(len(cpu) * 0.99) - 1], 2),
           "load_avg": round(os.getloadavg()[0], 1), "fill_s": None if fill_s is None else round(fill_s, 1),
           "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    _emit(row)
    return row


def _batched(items: Any, size: int) -> Any:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _emit(row: dict[str, Any]) -> None:
    row = {"at": datetime.now(UTC).isoformat(timespec="seconds"), **row}
    print(json.dumps(row, ensure_ascii=False), flush=True)
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.masterdata", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("quality", help="precision, recall and F1 on a generated, labelled data set")
    q.add_argument("--records", type=int, default=100_000)
    q.add_argument("--train", action=argparse.BooleanOptionalAction, default=True)
    m = sub.add_parser("replica", help="quality of the same matching decisions on an in-memory index (large sets)")
    m.add_argument("--records", type=int, default=100_000)
    m.add_argument("--seed", type=int, default=1)
    m.add_argument("--misses", type=int, default=0, metavar="N",
                   help="also print the N largest groups of missed true pairs, by cause and by what the record carries")
    t = sub.add_parser("timing", help="time to match one new record against N stored")
    t.add_argument("--stored", default="10000,100000")
    t.add_argument("--entity", default="customer", choices=sorted(ENTITY_SHARE))
    t.add_argument("--existing", metavar="URL", help="time against this already filled store instead of filling one")
    for p in (q, t):
        p.add_argument("--db", default="sqlite", choices=("sqlite", "postgres"))
        p.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    {"quality": quality, "replica": replica, "timing": timing}[args.command](args)


if __name__ == "__main__":
    main()
