"""``hub masterdata`` — bulk load, export and re-match master data from the command line.

``load`` reads JSONL (one object a line) or CSV (a header row; the encoding is detected
with charset-normalizer, so GBK exports from older systems read as they should). Each
record needs ``system`` and ``id`` plus the entity's fields; loading the same file again
changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from hub.errors import ConfigError, HubError

if TYPE_CHECKING:
    from hub.masterdata.stewardship import Stewardship
    from hub.store import Database

LOAD_BATCH = 500
"""Records per transaction while loading: a crash loses at most one batch, which a re-run adds."""
EXPORT_PAGE = 1000

app = typer.Typer(help="Master data: golden records, bulk load and export.", no_args_is_help=True)
console = Console(stderr=True)

EntityOpt = Annotated[str, typer.Option("--entity", "-e", help="customer, supplier, item, employee, person, …")]


def _context() -> tuple[Database, Stewardship]:
    from hub.masterdata.stewardship import Stewardship
    from hub.settings import load_settings
    from hub.store import Database
    from hub.store.migrate import upgrade

    try:
        settings = load_settings()
        db = Database(settings.database_url)
        upgrade(db)
        return db, Stewardship.for_config(db, settings.config_dir)
    except (ConfigError, HubError) as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """JSONL or CSV records (by extension; ``.csv`` is CSV, anything else JSONL)."""
    if path.suffix.lower() == ".csv":
        from charset_normalizer import from_bytes

        raw = path.read_bytes()
        best = from_bytes(raw).best()
        text = str(best) if best is not None else raw.decode("utf-8", errors="replace")
        for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))):
            yield {k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k and v not in ("", None)}
        return
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ConfigError(f"not JSON: {exc.msg}", file=str(path), line=number) from None


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip()) - (1 if path.suffix.lower() == ".csv" else 0)


@app.command()
def load(entity: EntityOpt, file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Load source records from FILE (JSONL or CSV with `system`, `id` and the entity's fields)."""
    db, stewardship = _context()
    service = stewardship.service
    stewardship.catalog.get(entity)
    counts: dict[str, int] = {}
    total = _count_lines(file)
    columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    try:
        with Progress(*columns, console=console) as progress:
            task = progress.add_task(f"loading {entity}", total=total)
            batch: list[dict[str, Any]] = []
            for record in read_records(file):
                batch.append(record)
                if len(batch) >= LOAD_BATCH:
                    _load_batch(db, service, entity, batch, counts)
                    progress.advance(task, len(batch))
                    batch = []
            if batch:
                _load_batch(db, service, entity, batch, counts)
                progress.advance(task, len(batch))
    except (ConfigError, HubError) as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing"
    console.print(f"[green]loaded[/] {entity}: {summary}")


def _load_batch(db, service, entity: str, batch: list[dict[str, Any]], counts: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        for record in batch:
            system, local_id = record.get("system"), record.get("id")
            if not system or local_id in (None, ""):
                counts["skipped (no system or id)"] = counts.get("skipped (no system or id)", 0) + 1
                continue
            payload = {k: v for k, v in record.items() if k not in ("system", "id")}
            outcome = service.record(s, entity, str(system), str(local_id), payload, actor="cli")
            counts[outcome.action] = counts.get(outcome.action, 0) + 1


@app.command()
def pull() -> None:
    """Read each connected system's own master data (GET <its base URL>/_admin/masterdata) and match it."""
    from hub.mapping import make_engine
    from hub.masterdata.initial import initial_load
    from hub.registry import load_registry
    from hub.settings import load_settings

    db, md = _context()
    settings = load_settings()
    registry = load_registry(settings.config_dir, make_engine(settings.mapping_engine))
    report = initial_load(db, registry, settings, md.catalog)
    console.print(f"{sum(report.records.values())} record(s) from {', '.join(sorted(report.records)) or 'no system'}: "
                  + ", ".join(f"{n} {action}" for action, n in sorted(report.actions.items())))


@app.command()
def export(entity: EntityOpt) -> None:
    """Every source record of ENTITY as JSONL on stdout: system, id, golden_id."""
    from hub.masterdata import store

    db, stewardship = _context()
    stewardship.catalog.get(entity)
    after = None
    out = sys.stdout
    while True:
        with db.read() as s:
            page = [(r.id, r.system, r.local_id, r.golden_id) for r in store.source_page(s, entity, after, EXPORT_PAGE)]
        for _, system, local_id, golden_id in page:
            out.write(json.dumps({"system": system, "id": local_id, "golden_id": golden_id}, ensure_ascii=False) + "\n")
        if len(page) < EXPORT_PAGE:
            break
        after = page[-1][0]


@app.command()
def match(entity: EntityOpt,
          train: Annotated[bool, typer.Option(help="learn m/u by EM from the stored records first")] = True) -> None:
    """Re-run matching over what is stored: merge what is now sure, queue what is uncertain."""
    from hub.masterdata import store
    from hub.store import SourceRecord

    db, stewardship = _context()
    service = stewardship.service
    ent = stewardship.catalog.get(entity)
    if train:
        with db.session() as s:
            model = service.train(s, entity)
        console.print(f"parameters: P(match | candidate pair) = {model.prior:.4f}")
    with db.read() as s:
        total = store.count_sources(s, entity)
    merged = reviews = 0
    after = None
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=console) as progress:
        task = progress.add_task(f"matching {entity}", total=total)
        while True:
            with db.session() as s:
                ids = [r.id for r in store.source_page(s, entity, after, LOAD_BATCH)]
                for rid in ids:
                    current = s.get(SourceRecord, rid)
                    if current is None:
                        continue
                    m, r = service.rematch(s, ent, current, actor="cli")
                    merged += m
                    reviews += r
            progress.advance(task, len(ids))
            if len(ids) < LOAD_BATCH:
                break
            after = ids[-1]
    console.print(f"[green]matched[/] {entity}: {merged} merge(s), {reviews} pair(s) for review")
