"""``hub`` — run, check and operate the hub from the command line (typer + rich)."""

from __future__ import annotations

import importlib.util
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from hub.errors import ConfigError, HubError
from hub.logs import UVICORN_LOG_CONFIG
from hub.logs import configure as configure_logs
from hub.masterdata import cli as masterdata_cli

if TYPE_CHECKING:
    from hub.auth import Actions, AuditLog, AuthService, Principal
    from hub.connectors.models import Subscription
    from hub.runtime import Hub

app = typer.Typer(help="Integration hub: canonical messages between business systems.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
mappings_app = typer.Typer(help="JSONata mappings.", no_args_is_help=True)
connectors_app = typer.Typer(help="Connector files.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(mappings_app, name="mappings")
app.add_typer(connectors_app, name="connectors")
app.add_typer(masterdata_cli.app, name="masterdata")
console = Console()

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _settings(**overrides: object):  # type: ignore[no-untyped-def]
    from hub.settings import load_settings

    try:
        return load_settings(**overrides)
    except ConfigError as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None


def _hub(**overrides: object):  # type: ignore[no-untyped-def]
    from hub.runtime import Hub

    try:
        return Hub.build(_settings(**overrides))
    except (ConfigError, HubError) as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None


def _mocks_available() -> bool:
    """Whether the reference systems are installed beside the hub (found, never imported: the hub
    starts them only as a separate process, ``python -m mocks``)."""
    spec = importlib.util.find_spec("mocks")
    if spec is None or not spec.submodule_search_locations:
        return False
    return any((Path(folder) / "__main__.py").is_file() for folder in spec.submodule_search_locations)


def start_mocks(hub_url: str, *, simulation: bool) -> subprocess.Popen[bytes]:
    """The seven reference systems as separate servers on their own ports, sending webhooks to ``hub_url``.

    They stop with the hub, however it ends (on Linux the kernel signals them when it dies).
    """
    env = {**os.environ, "MOCK_HUB_URL": hub_url, "MOCK_SIMULATION": "1" if simulation else "0"}
    return subprocess.Popen([sys.executable, "-m", "mocks"], env=env, preexec_fn=die_with_parent)


def die_with_parent() -> None:
    """Have the kernel stop this child process when the process that started it dies (Linux)."""
    import ctypes
    import signal

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:  # not Linux: the hub's own shutdown still stops them
        pass


def _load_master_data(hub) -> None:  # type: ignore[no-untyped-def]
    """The systems' own customers, suppliers, items and employees, matched before the hub answers: the
    first order that names a customer finds its cross-reference."""
    from hub.masterdata.initial import initial_load
    from hub.masterdata.subscriber import catalog_for

    try:
        with console.status("loading the systems' master data"):
            initial_load(hub.db, hub.registry, hub.settings, catalog_for(hub.settings.config_dir))
    except Exception:  # the hub comes up all the same: records still arrive through the message path
        logging.getLogger("hub.masterdata").exception("initial load of master data failed")


@app.command()
def up(
    host: Annotated[str, typer.Option(help="address to listen on")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option(help="port to listen on")] = DEFAULT_PORT,
    mocks: Annotated[bool | None, typer.Option("--mocks/--no-mocks",
                                                  help="start the seven reference systems beside the hub")] = None,
    simulation: Annotated[bool, typer.Option(help="let the reference systems act on their own")] = False,
) -> None:
    """Everything in one process: API, worker threads, SQLite (or HUB_DATABASE_URL) — no server to install."""
    import uvicorn

    from hub.api import create_app
    from hub.runtime import freeze_startup_heap

    configure_logs(logging.INFO)
    hub = _hub()
    hub.start_workers()
    mock_proc = None
    if mocks if mocks is not None else _mocks_available():
        mock_proc = start_mocks(f"http://{host}:{port}", simulation=simulation)
        _load_master_data(hub)
    console.print(f"[bold green]hub up[/] on http://{host}:{port}  (API docs: /docs, metrics: /metrics)")
    api = create_app(hub)
    freeze_startup_heap()
    try:
        uvicorn.run(api, host=host, port=port, log_level="warning", log_config=UVICORN_LOG_CONFIG)
    finally:
        if mock_proc:
            mock_proc.terminate()
            mock_proc.wait(timeout=10)
        hub.stop()


@app.command()
def wait(
    url: Annotated[str, typer.Argument(help="the hub's address")] = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}",
    timeout: Annotated[float, typer.Option(help="give up after this many seconds")] = 60.0,
) -> None:
    """Wait until a hub answers (its /healthz): exit 0 when it is up, 1 when it is not within --timeout."""
    import time

    import httpx

    health = url.rstrip("/") + ("" if url.rstrip("/").endswith("/healthz") else "/healthz")
    started = time.monotonic()
    last = "no answer yet"
    with console.status(f"waiting for the hub at {url}") as status:
        while True:
            waited = time.monotonic() - started
            try:
                r = httpx.get(health, timeout=2.0)
                if r.status_code == 200:
                    console.print(f"[green]hub is up[/] at {url} (after {waited:.1f} s)", highlight=False)
                    return
                last = f"HTTP {r.status_code}"
            except httpx.HTTPError as exc:
                last = _reason(exc)
            if waited >= timeout:
                break
            status.update(f"waiting for the hub at {url}: {last} ({waited:.0f} s of {timeout:g} s)")
            time.sleep(min(0.25, max(0.0, timeout - waited)))
    console.print(f"[red]error:[/] the hub at {url} did not answer within {timeout:g} s ({last}); "
                  f"is `hub up` running, on that port?", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _reason(exc: Exception) -> str:
    """A short reason for a failed health check (``connection refused``, ``timed out``, …)."""
    import httpx

    if isinstance(exc, httpx.ConnectError):
        return "connection refused" if "refused" in str(exc).lower() else f"cannot connect: {exc}"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    return f"{type(exc).__name__}: {exc}"


@app.command()
def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, workers: int = 1) -> None:
    """The API only (production): stateless, scale it behind a load balancer; run `hub worker` beside it."""
    import uvicorn

    settings = _settings()
    if settings.embedded:
        console.print("[yellow]warning:[/] HUB_BROKER_URL is unset: nothing will consume the work "
                      "this API enqueues unless it runs in `hub up`.")
    configure_logs(logging.INFO)
    uvicorn.run("hub.api.factory:app", factory=False, host=host, port=port, workers=workers, log_level="info",
                log_config=UVICORN_LOG_CONFIG)


@app.command()
def worker(threads: Annotated[int | None, typer.Option(help="worker threads")] = None) -> None:
    """Translate and deliver (production): run as many as you like beside `hub serve`."""
    import signal
    import threading

    configure_logs(logging.INFO)
    overrides = {"worker_threads": threads} if threads else {}
    hub = _hub(**overrides)
    if hub.settings.embedded:
        console.print("[red]error:[/] `hub worker` needs HUB_BROKER_URL (redis://…); use `hub up` for one process")
        raise typer.Exit(2)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    hub.start_workers()
    console.print(f"[bold green]worker[/] running {hub.settings.worker_threads} threads")
    stop.wait()
    hub.stop()


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the migrations (safe to run again)."""
    from hub.store import Database
    from hub.store.migrate import upgrade

    settings = _settings()
    upgrade(Database(settings.database_url), revision)
    console.print(f"database at [bold]{revision}[/]: {settings.database_url.split('@')[-1]}")


@mappings_app.command("test")
def mappings_test(
    engine: Annotated[str, typer.Option(help="jlens, jsonata-python or all")] = "all",
    config_dir: Annotated[Path | None, typer.Option(help="default HUB_CONFIG_DIR")] = None,
) -> None:
    """Run every mapping's test cases (under both engines by default)."""
    from hub.mapping import MappingLibrary, make_engine

    settings = _settings(**({"config_dir": config_dir} if config_dir else {}))
    engines = ["jlens", "jsonata-python"] if engine == "all" else [engine]
    failures = []
    total = 0
    with Progress(console=console, transient=True) as progress:
        for name in engines:
            library = MappingLibrary(settings.config_dir / "mappings", make_engine(name))
            try:
                mappings = library.all()
            except HubError as exc:
                console.print(f"[red]error:[/] {exc}")
                raise typer.Exit(1) from None
            task = progress.add_task(f"{name}", total=sum(len(m.cases) for m in mappings))
            for m in mappings:
                for result in library.run_cases(m):
                    total += 1
                    progress.advance(task)
                    if not result.passed:
                        failures.append((name, result))
    if not failures:
        console.print(f"[green]{total} of {total} mapping cases passed[/] ({', '.join(engines)})")
        return
    for name, r in failures:  # one block per failure, one line per difference with its path: nothing cut
        console.print(f"[red]FAIL[/] {r.mapping} · {r.case} [dim]({name})[/]", highlight=False, soft_wrap=True)
        for line in [r.error] if r.error else [d.describe() for d in r.differences]:
            console.print(f"    {line}", highlight=False, markup=False, soft_wrap=True)
    console.print(f"[red]{total - len(failures)} of {total} mapping cases passed[/]", highlight=False)
    raise typer.Exit(1)


@connectors_app.command("check")
def connectors_check() -> None:
    """Load and cross-check every connector, mapping and schema; print what is configured."""
    from hub.mapping import make_engine
    from hub.registry import load_registry

    settings = _settings()
    try:
        registry = load_registry(settings.config_dir, make_engine(settings.mapping_engine))
        mappings = registry.check_mappings_compile()
    except (ConfigError, HubError) as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from None
    verdict = (f"ok: {len(registry.connectors)} connectors, {len(mappings)} mappings, "
               f"{len(registry.catalog.names())} types")
    rows = [(name, settings.connector_url(name, c.base_url),
             [f"{k} → {v.canonical}" for k, v in c.inbound.events.items()],
             [f"{k}: {o.method} {o.path}" for k, o in c.operations.items()],
             [_subscription_line(s) for s in c.subscriptions])
            for name, c in sorted(registry.connectors.items())]
    if console.is_terminal and console.width >= WIDE_TABLE:
        table = Table()
        for col in ("connector", "base URL", "inbound events", "operations", "subscriptions"):
            table.add_column(col)
        for name, url, events, operations, subscriptions in rows:
            table.add_row(name, url, "\n".join(events), "\n".join(operations), "\n".join(subscriptions))
        console.print(table)
    else:  # narrow or piped: one block per connector, one line per item, nothing cut
        for name, url, events, operations, subscriptions in rows:
            console.print(f"[bold]{name}[/]  {url}", highlight=False, soft_wrap=True)
            for label, items in (("in", events), ("op", operations), ("sub", subscriptions)):
                for item in items:
                    console.print(f"  {label:<5}{item}", highlight=False, soft_wrap=True, markup=False)
    console.print(f"[green]{verdict}[/]", highlight=False)


def _subscription_line(sub: Subscription) -> str:
    """``type → operation``; a computed recipient list shows its expression, a wire tap says so."""
    target = sub.operation if sub.operation is not None else f"recipients: {sub.recipients}"
    return f"{sub.type} → {target}" + (" (wire tap)" if sub.wire_tap else "")


@connectors_app.command("new")
def connectors_new(
    name: Annotated[str, typer.Argument(help="the connector's name: lowercase letters, digits and _")],
    from_openapi: Annotated[str, typer.Option("--from-openapi", help="the system's OpenAPI document: a file or a URL")],
    base_url: Annotated[str | None, typer.Option(help="default: the document's server, else the URL's origin")] = None,
    config_dir: Annotated[Path | None, typer.Option(help="default HUB_CONFIG_DIR")] = None,
    force: Annotated[bool, typer.Option(help="overwrite files that exist")] = False,
) -> None:
    """Write a connector file with the system's operations, mapping stubs and test-case skeletons from its
    OpenAPI document; it passes `hub connectors check` as written."""
    from hub.connectors.scaffold import load_document, scaffold

    root = config_dir or _settings().config_dir
    try:
        doc, origin = load_document(from_openapi)
        made = scaffold(name, doc, origin=origin, base_url=base_url)
    except ConfigError as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    files = made.files()
    existing = [rel for rel in files if (root / rel).exists()]
    if existing and not force:
        console.print(f"[red]error:[/] would overwrite {', '.join(existing)} (use --force)", highlight=False)
        raise typer.Exit(1)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        console.print(f"  wrote {rel}", highlight=False, markup=False)
    stubs = sum(1 for op in made.operations if op.body is not None)
    console.print(f"[green]{name}:[/] {len(made.operations)} operations, {stubs} mapping stubs with a test case "
                  f"each, {len(made.reads)} reads listed; next: subscriptions, then `hub connectors check`",
                  highlight=False)


def _console_actions(hub: Hub) -> tuple[Actions, Principal]:
    """Operator actions for whoever runs the CLI on the hub's host: an admin, audited under their login
    name with ``via="cli"``, exactly as the dashboard and the API audit theirs."""
    from hub.auth import Actions, AuditLog, Principal
    from hub.auth.roles import ADMIN, ROLE_PERMISSIONS

    name = os.environ.get("USER", "cli")
    who = Principal(id=f"cli:{name}", name=name, kind="user", permissions=ROLE_PERMISSIONS[ADMIN], role=ADMIN)
    return Actions(ops=hub.operations, audit=AuditLog(hub.db), registry=hub.registry, presence=hub.presence,
                            reconciler=hub.reconciler), who


WIDE_TABLE = 160
"""`hub connectors check` draws a table on a terminal at least this wide; else (or piped) a list."""


@app.command()
def replay(
    message_id: Annotated[str | None, typer.Argument(help="a message to replay")] = None,
    remap: Annotated[bool, typer.Option(help="translate again with the current mapping")] = False,
    record: Annotated[int | None, typer.Option(help="only this failed record of the message's split batch "
                                                    "(its index), mapped again with the current mapping")] = None,
    dead: Annotated[bool, typer.Option(help="retry every dead delivery instead")] = False,
    connector: Annotated[str | None, typer.Option(help="with --dead: only this connector")] = None,
) -> None:
    """Replay one message (or one failed record of its batch), or retry dead deliveries in bulk."""
    if not message_id and not dead:
        console.print("[red]error:[/] give a MESSAGE_ID or --dead")
        raise typer.Exit(2)
    hub = _hub()
    actions, who = _console_actions(hub)
    try:
        if dead:
            result, _ = actions.bulk_retry(who, connector=connector, via="cli")
            console.print(f"retried {result.retried} of {result.matched} dead deliveries")
        else:
            assert message_id is not None
            r = (actions.replay(who, message_id, remap=remap, via="cli") if record is None
                 else actions.replay_record(who, message_id, record, via="cli"))
            console.print(f"{r.id}: {r.status} — {r.detail}")
    except HubError as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from None
    finally:
        hub.stop()


@app.command()
def reconcile(
    check: Annotated[list[str] | None, typer.Option(help="run only this check (repeat for more)")] = None,
    replay: Annotated[str | None, typer.Option(help="instead: replay the message a mismatch (its id) lacks")] = None,
) -> None:
    """Compare the systems' own records (reconcile.yaml) and list the mismatches; exit 1 if any."""
    from rich.table import Table

    hub = _hub()
    actions, who = _console_actions(hub)
    try:
        if replay:
            r = actions.replay_mismatch(who, replay, via="cli")
            console.print(f"{r.id}: {r.status} — {r.detail}")
            return
        with console.status("reconciling…") as status:
            run_id = actions.reconcile(who, only=check, via="cli")
            status.update("done")
        run, mismatches = hub.reconciler.run_with_mismatches(run_id)
        table = Table("check", "left count", "left total", "right count", "right total", "mismatches")
        for c in run.summary:
            left, right = c["left"] or {}, c["right"] or {}
            table.add_row(c["check"], str(left.get("count", "–")), str(left.get("total", "–")),
                          str(right.get("count", "–")), str(right.get("total", "–")),
                          f"[red]{c['error']}[/]" if c["error"] else str(c["mismatches"]))
        console.print(table)
        for m in mismatches:
            console.print(f"{m.id}  {m.check}  {m.kind}  {m.key}  {m.left_amount} / {m.right_amount}")
        console.print(f"run {run_id}: {run.status}")
        if run.status != "ok":
            raise typer.Exit(1)
    except HubError as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from None
    finally:
        hub.stop()

retention_app = typer.Typer(help="Retention of payloads (mappings/retention.yaml).", no_args_is_help=True)
app.add_typer(retention_app, name="retention")


@retention_app.command("run")
def retention_run(
    dry_run: Annotated[bool, typer.Option(help="only count what is due")] = False,
    connector: Annotated[list[str] | None, typer.Option(help="only this connector (repeat for more)")] = None,
) -> None:
    """Purge (and archive) payloads older than each connector's days; the messages' metadata stays."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
    from rich.table import Table

    hub = _hub()
    try:
        if hub.retention.plan is None:
            console.print(f"[red]error:[/] no mappings/retention.yaml in {hub.settings.config_dir}")
            raise typer.Exit(2)
        tasks: dict[str, TaskID] = {}
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=console, transient=False) as bar:
            def progress(name: str, done: int, due: int) -> None:
                if name not in tasks:
                    tasks[name] = bar.add_task(name, total=due)
                bar.update(tasks[name], completed=done)

            result = hub.retention.run(dry_run=dry_run, progress=progress, connectors=connector)
        table = Table("connector", "days", "legal hold", "due", "purged", "archive")
        for c in result.connectors:
            table.add_row(c.connector, str(c.days or "–"), "yes" if c.legal_hold else "", str(c.due), str(c.purged),
                          c.archive or "")
        console.print(table)
        console.print(f"{'would purge' if dry_run else 'purged'} "
                      f"{sum(c.due for c in result.connectors) if dry_run else result.purged} message payload(s)")
    finally:
        hub.stop()


# ---------------------------------------------------------------------------------------------
# Dashboard users and API tokens (hub.auth), for the first steps on a new installation.
users_app = typer.Typer(help="Dashboard users.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for machines.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")


def _auth() -> tuple[AuthService, AuditLog]:
    from hub.auth import AuditLog, AuthService
    from hub.store import Database
    from hub.store.migrate import upgrade

    db = Database(_settings().database_url)
    upgrade(db)
    return AuthService(db), AuditLog(db)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="the login name")],
    role: Annotated[str, typer.Option(help="viewer, operator or admin")] = "viewer",
    password: Annotated[str | None, typer.Option(help="asked for when not given",
                                                    envvar="HUB_NEW_USER_PASSWORD")] = None,
) -> None:
    """Add a dashboard user (viewer reads; operator also replays, retries, pauses; admin manages)."""
    from hub.auth import InvalidRequest

    secret = password or typer.prompt("password", hide_input=True, confirmation_prompt=True)
    auth, audit = _auth()
    try:
        user = auth.create_user(name, secret, role)
    except InvalidRequest as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from None
    audit.record(os.environ.get("USER", "cli"), "user.create", name, via="cli", detail={"role": role})
    console.print(f"added [bold]{user.username}[/] as {user.role}")


@users_app.command("list")
def users_list() -> None:
    """Every dashboard user with role and last login."""
    auth, _ = _auth()
    table = Table()
    for col in ("user", "role", "active", "last login"):
        table.add_column(col)
    for u in auth.list_users():
        table.add_row(u.username, u.role, "yes" if u.active else "no",
                      u.last_login_at.isoformat(timespec="seconds") if u.last_login_at else "—")
    console.print(table)


@tokens_app.command("create")
def tokens_create(
    name: Annotated[str, typer.Argument(help="who will use it, e.g. erp-reporting")],
    scope: Annotated[list[str], typer.Option(help="query, operate or admin (repeat for several)")] = ["query"],  # noqa: B006
    days: Annotated[int | None, typer.Option(help="expires after this many days")] = None,
) -> None:
    """Create an API token and print it once (the hub keeps only its hash)."""
    from hub.auth import InvalidRequest

    auth, audit = _auth()
    try:
        new = auth.create_token(name, scope, created_by="cli", expires_in_days=days)
    except InvalidRequest as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from None
    audit.record(os.environ.get("USER", "cli"), "token.create", name, via="cli", detail={"scopes": new.info.scopes})
    console.print(new.token, soft_wrap=True, highlight=False)


if __name__ == "__main__":
    app()
