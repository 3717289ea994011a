"""``python -m mocks.screenshots`` (``./dev screenshots``): retake the README's pictures from a real demo.

Pictures taken by hand go stale as the dashboard grows pages; these are taken the same way every time,
so one command brings them up to date. The hub (``hub up --mocks``) and the seven systems start on a
scratch data folder and free ports — a demo already running on the default ports is left alone — the
demo's batch of business runs through them, and Debian's Chromium, driven by Playwright, logs in and
saves each page of :data:`SHOTS` at a fixed viewport into ``docs/images/``. Options: ``--out``,
``--only NAME…``, ``--keep`` (keep the scratch folder, with the hub's log, for a look afterwards).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from mocks.common.testing import free_port
from mocks.demo import (
    DEFAULT_PAUSE_S,
    DEFAULT_ROUNDS,
    FINAL_ORDER_STATES,
    SYSTEMS,
    Company,
    DemoResult,
    company_env,
    die_with_parent,
    run_batch,
    wait_until_up,
)

REPO = Path(__file__).resolve().parent.parent
IMAGES = REPO / "docs" / "images"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIME_ZONE = "Asia/Shanghai"
"""The company's business time zone: the dashboard and the browser both show it."""
DESKTOP = (1280, 860)
PHONE = (390, 844)
STEP_TIMEOUT_MS = 30_000
"""How long one page may take to show its data (generous: the machine may be busy)."""
SHOWN_MAPPING = "bank/in_payment.received.jsonata"
"""The mapping pictured: the bank statement's Chinese CSV columns read in JSONata, with its test cases."""
ADMIN = ("admin", "admin")
"""The development login ``hub up`` creates on a fresh database."""


@dataclass(frozen=True)
class Shot:
    """One picture: a dashboard page (its route as the dashboard declares it), in a language and a viewport."""

    name: str
    """The file in docs/images, without ``.png``."""
    route: str
    """The dashboard's route under ``/ui``; ``{…}`` parameters are filled from the demo's own data."""
    ready: str
    """A CSS selector that is visible only once the page shows its data."""
    locale: str = "en-US"
    viewport: tuple[int, int] = DESKTOP
    whole: bool = False
    """The whole page, not only the viewport (for pages about as tall as a screen, so nothing is cut off)."""


SHOTS: tuple[Shot, ...] = (
    Shot("overview", "/", ".stat .n", whole=True),
    Shot("traces-en", "/traces", "[data-testid=recent-transactions] tbody tr", whole=True),
    Shot("traces-zh", "/traces", "[data-testid=recent-transactions] tbody tr", locale="zh-CN", whole=True),
    Shot("trace-en", "/traces/{correlation_id}", "[data-testid=trace-picture]"),
    Shot("trace-zh", "/traces/{correlation_id}", "[data-testid=trace-picture]", locale="zh-CN"),
    Shot("trace-phone", "/traces/{correlation_id}", "[data-testid=trace-picture]", viewport=PHONE),
    Shot("message", "/messages/{message_id}", "[data-testid=rounds]"),
    Shot("connectors-en", "/connectors", "[data-testid=base-url]"),
    Shot("connectors-zh", "/connectors", "[data-testid=base-url]", locale="zh-CN"),
    Shot("mapping", "/mappings/{name:path}", "details.block summary"),
    Shot("masterdata", "/masterdata", "main table tbody tr"),
    Shot("golden-record", "/masterdata/golden/{golden_id}", "tr[data-field]", whole=True),
    Shot("stewardship", "/masterdata/reviews", "section[data-review] table"),
)


# ------------------------------------------------------------------------------- the company
@dataclass
class Demo:
    """The hub and the seven systems on a scratch folder: where they answer, and the hub's log."""

    hub_url: str
    company: Company
    log: Path
    env: dict[str, str]
    """The hub's environment, for its CLI (``hub masterdata load``)."""


@contextmanager
def running_company(scratch: Path) -> Iterator[Demo]:
    """``hub up --mocks`` on a fresh SQLite database in ``scratch``, every system on a free port."""
    ports = {s: free_port() for s in SYSTEMS}
    hub_port = free_port()
    hub_url = f"http://127.0.0.1:{hub_port}"
    env = company_env(scratch, hub_url, ports)
    env.update(HUB_DATABASE_URL=f"sqlite:///{scratch}/hub.db", HUB_TIME_ZONE=TIME_ZONE)
    log = scratch / "hub.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "hub.cli", "up", "--port", str(hub_port), "--mocks",
                                 "--no-simulation"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                preexec_fn=die_with_parent)
    urls = {s: f"http://127.0.0.1:{p}" for s, p in ports.items()}
    try:
        wait_until_up([hub_url, *urls.values()], proc)
        yield Demo(hub_url, Company(urls, bank_drop=scratch / "bank"), log, env)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


TRADE_FAIR = ({"system": "expo", "id": "EXPO-0017", "name": "明辉商贸(上海)有限公司",
               "contacts": [{"name": "王磊", "phone": "021-58881234"}],
               "addresses": [{"street": "浦东新区张江路88号", "city": "上海"}]},)
"""Leads from a trade fair's visitor list, without tax ids: 明辉商贸 may be 明辉贸易 (same street and city,
a similar name) — the demo's own systems always carry valid tax ids, so only such a list gives a steward a pair."""


def load_trade_fair_leads(demo: Demo, scratch: Path) -> None:
    """``hub masterdata load`` of :data:`TRADE_FAIR`, as a data steward would load such a list."""
    leads = scratch / "trade-fair.jsonl"
    leads.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in TRADE_FAIR), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "hub.cli", "masterdata", "load", "--entity", "customer", str(leads)],
                          cwd=REPO, env=demo.env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PageError(f"hub masterdata load failed: {done.stderr[-500:]}")


# ------------------------------------------------------------------------------ the pictures
class PageError(RuntimeError):
    """A page answered with an error or never showed its data: no picture of it is kept."""


def busiest_transaction(page: Any) -> str:
    """The recent transaction that touches the most systems (the traces page lists them)."""
    page.goto("/ui/traces")
    rows = page.locator("[data-testid=recent-transactions] tbody tr")
    rows.first.wait_for()
    best, most = "", 0
    for row in rows.all():
        systems = len(row.locator("td").nth(1).inner_text().split("→"))
        href = row.locator("a[href*='/traces/']").first.get_attribute("href") or ""
        if systems > most:
            best, most = href.rsplit("/", 1)[-1], systems
    if not best:
        raise PageError("the traces page lists no transaction")
    return best


def api(page: Any, path: str, **params: Any) -> Any:
    """The hub's operations API, with the browser's dashboard session."""
    r = page.request.get(path, params=params)
    if not r.ok:
        raise PageError(f"{path} → {r.status}: {r.text()[:300]}")
    return r.json()


def richest_golden_record(page: Any) -> str:
    """The customer golden record that the most systems know (the most cross-references)."""
    found = api(page, "/api/masterdata/customer", limit=200)
    records = found["items"] if isinstance(found, dict) else found
    if not records:
        raise PageError("no customer golden record: the master data was not loaded")
    return str(max(records, key=lambda g: len(g.get("xrefs") or g.get("sources") or []))["id"])


def delivered_message(page: Any, correlation_id: str) -> str:
    """The first message of the transaction that was translated and delivered (mappings and attempts to show)."""
    messages = api(page, f"/api/traces/{correlation_id}")
    delivered = [m for m in messages if m["status"] == "delivered"]
    if not delivered:
        raise PageError(f"nothing in transaction {correlation_id} was delivered")
    return str(delivered[0]["id"])


def parameters(page: Any) -> dict[str, str]:
    """Values for the routes' ``{…}`` parameters, chosen from what the demo left behind."""
    correlation_id = busiest_transaction(page)
    return {"correlation_id": correlation_id, "message_id": delivered_message(page, correlation_id),
            "golden_id": richest_golden_record(page), "name": SHOWN_MAPPING}


def fill(route: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], route)


def login(page: Any) -> None:
    page.goto("/ui/login")
    page.get_by_label(re.compile("Username|用户名")).fill(ADMIN[0])
    page.get_by_label(re.compile("Password|密码")).fill(ADMIN[1])
    page.get_by_role("button", name=re.compile("Log in|登录")).click()
    page.wait_for_url(re.compile(r"/ui/(?!login)"))


def take(browser: Any, hub_url: str, shot: Shot, values: dict[str, str], out: Path) -> Path:
    """Log in fresh in the shot's language and viewport, open its page, wait for its data, save the picture."""
    width, height = shot.viewport
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale=shot.locale,
                              timezone_id=TIME_ZONE, base_url=hub_url, device_scale_factor=1)
    ctx.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        page = ctx.new_page()
        failed: list[str] = []
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url} answered {r.status}"))
        login(page)
        answer = page.goto("/ui" + fill(shot.route, values))
        if answer is None or not answer.ok:
            raise PageError(f"{shot.name}: {page.url} answered {answer.status if answer else 'nothing'}")
        page.locator(shot.ready).first.wait_for(state="visible")
        page.evaluate("document.fonts.ready")
        path = out / f"{shot.name}.png"
        if failed:
            raise PageError(f"{shot.name}: {', '.join(failed)}")
        page.screenshot(path=str(path), full_page=shot.whole)
        return path
    finally:
        ctx.close()


def take_all(hub_url: str, shots: Sequence[Shot], out: Path, done: Callable[[Shot, Path], None]) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(base_url=hub_url, locale="en-US", timezone_id=TIME_ZONE)
            ctx.set_default_timeout(STEP_TIMEOUT_MS)
            page = ctx.new_page()
            login(page)
            values = parameters(page)
            ctx.close()
            for shot in shots:
                done(shot, take(browser, hub_url, shot, values, out))
        finally:
            browser.close()


# ---------------------------------------------------------------------------------- the command
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m mocks.screenshots",
                                description="Run the demo on a scratch folder and retake the README's pictures.")
    p.add_argument("--out", type=Path, default=IMAGES, help=f"where the pictures go (default: {IMAGES})")
    p.add_argument("--only", nargs="+", metavar="NAME", choices=[s.name for s in SHOTS],
                   help="retake only these pictures")
    p.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="at most this many demo rounds")
    p.add_argument("--keep", action="store_true", help="keep the scratch folder (the hub's log is in it)")
    return p.parse_args(argv)


def retake(shots: Sequence[Shot], out: Path, rounds: int, scratch: Path, console: Console) -> DemoResult:
    """Start the company, run the demo's batch and the steward's list through it, then take ``shots``."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        start = progress.add_task("starting the hub and the seven systems", total=1)
        with running_company(scratch) as demo:
            progress.update(start, completed=1)
            batch = progress.add_task("demo batch: rounds", total=rounds)

            def round_done(n: int, total: int, states: dict[str, str]) -> None:
                progress.update(batch, completed=n,
                                description=f"demo batch: rounds (orders {', '.join(sorted(set(states.values())))})")
            result = run_batch(demo.company, rounds=rounds, pause_s=DEFAULT_PAUSE_S, progress=round_done)
            unsettled = {no: state for no, state in result.states.items() if state not in FINAL_ORDER_STATES}
            if unsettled:
                raise PageError(f"the demo batch did not settle in {rounds} rounds: {unsettled}")
            progress.update(batch, total=progress.tasks[batch].completed, description="demo batch: done")
            leads = progress.add_task("a trade fair's leads for the data steward", total=1)
            load_trade_fair_leads(demo, scratch)
            progress.update(leads, completed=1)
            pictures = progress.add_task("pictures", total=len(shots))

            def picture_done(shot: Shot, path: Path) -> None:
                shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
                progress.console.print(f"  {shown}  {shot.viewport[0]}×{shot.viewport[1]} {shot.locale}"
                                       f"  {path.stat().st_size // 1024} KiB")
                progress.advance(pictures)
            take_all(demo.hub_url, shots, out, picture_done)
    return result


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: install Debian's chromium package (./dev screenshots does)")
    shots = [s for s in SHOTS if not args.only or s.name in args.only]
    console = Console()
    scratch = Path(tempfile.mkdtemp(prefix="hub-screenshots-"))
    done = False
    try:
        result = retake(shots, args.out, args.rounds, scratch, console)
        done = True
        console.print(f"{len(shots)} picture(s) in {args.out} from a batch of {len(result.orders)} orders "
                      f"({result.seconds:.0f} s) — look at each before committing them")
    except Exception as exc:  # a clear line, not a traceback: the hub's log says the rest
        console.print(f"[red]stopped:[/] {type(exc).__name__}: {exc}")
        raise SystemExit(1) from exc
    finally:
        if args.keep or not done:
            console.print(f"scratch folder kept: {scratch} (the hub's log is {scratch / 'hub.log'})")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
