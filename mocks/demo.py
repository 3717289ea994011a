"""``python -m mocks.demo``: a realistic batch of business through the seven reference systems.

The company's people act through their own systems — salespeople enter orders in CRM, the
warehouse scans deliveries in WMS, a supplier reports a delay in SRM, the service desk opens
a complaint, finance runs a payment run in ERP, the bank delivers its daily statement (a GBK
CSV file the hub takes from a drop folder) — and everything between the systems goes through
the hub. Most systems call the hub's webhooks; the hub reads the WMS's stock ledger over HTTP and
MES's completed work orders from MES's own database (the summary says which comes in how). The systems' own simulation (MES completing work and investigating
complaints, suppliers confirming, OA deciding, WMS shipping) is driven tick by tick here, so
a run is quick and repeatable.

The hub is another company's product as far as the reference systems are concerned: the demo
starts it as a separate process (``hub up``, which starts the seven systems beside it) and
talks to it only over HTTP. Options: ``--host``, ``--port``, ``--rounds``, ``--pause``,
``--stay/--no-stay``.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from mocks.common.config import MockSettings
from mocks.common.db import read_only_url

SYSTEMS = ("crm", "erp", "mrp", "mes", "wms", "srm", "oa", "audit")
"""The seven business systems and the audit archive (which keeps the hub's wire-tapped copies)."""
TICK_ORDER = ("oa", "srm", "mrp", "mes", "wms", "erp")
"""Systems that act on their own each round (CRM's own simulation, which invents orders, is left out)."""
FINAL_ORDER_STATES = frozenset({"invoiced", "blocked", "cancelled"})
HTTP_TIMEOUT_S = 10.0
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_ROUNDS = 120
DEFAULT_PAUSE_S = 0.3
START_TIMEOUT_S = 180.0
"""The hub answers once the systems are up and their master data matched: minutes on a busy machine."""
DEMO_DIR = Path(".hub")
"""Where the demo keeps the hub's database and log (a fresh database every run)."""
PAYMENT_HORIZON_DAYS = 90
"""Finance's payment run pays every approved payable due within this many days."""
COMPLAINT_SEVERITY = "high"
FINANCE_MANAGER = 90008
"""周敏, finance manager: ERP's employee id of the person who approves payment runs."""
BANK_DROP = DEMO_DIR / "drop" / "bank"
"""Where the bank's statement files land (``HUB_BANK_DROP`` for the hub's ``bank`` connector)."""
STATEMENT_HEADER = ("交易日期", "流水号", "付款人", "付款账号", "金额", "币种", "摘要")


def company_env(data_dir: Path, hub_url: str, ports: dict[str, int]) -> dict[str, str]:
    """The environment of a hub and its reference systems on a scratch folder and ports of their own: this
    process's environment without its ``HUB_*`` and ``MOCK_*`` settings, the systems on ``ports`` calling the
    hub at ``hub_url``, their data, the bank's drop folder and MES's database (read-only) in ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "MOCK_"))}
    env.update({f"MOCK_{s.upper()}_PORT": str(p) for s, p in ports.items()})
    env.update({f"HUB_URL_{s.upper()}": f"http://127.0.0.1:{p}" for s, p in ports.items()})
    env.update(MOCK_DATA_DIR=str(data_dir / "mocks"), MOCK_HUB_URL=hub_url, MOCK_SIMULATION="0",
               HUB_BANK_DROP=str(data_dir / "bank"),
               HUB_MES_DB_URL=read_only_url(f"sqlite:///{data_dir}/mocks/mes.db"))
    return env


@dataclass(frozen=True)
class OrderPlan:
    customer: str
    lines: list[tuple[str, int]]
    label: str


BATCH: tuple[OrderPlan, ...] = (
    OrderPlan("CUS-000101", [("PRD-DESK-1200", 30)], "上海明辉: 30 desks (made to order)"),
    OrderPlan("CUS-000102", [("PRD-CHAIR-ERG", 10)], "北京华远: 10 chairs (bought in, from stock)"),
    OrderPlan("CUS-000103", [("PRD-DESK-1200", 5)], "广州南方: 5 desks (overdue receivable → blocked)"),
    OrderPlan("CUS-000105", [("PRD-DESK-1200", 12), ("PRD-CHAIR-ERG", 12)], "深圳前海: desks and chairs"),
)


@dataclass
class Company:
    """The seven systems over HTTP, as their users would act on them."""

    urls: dict[str, str]
    bank_drop: Path | None = None
    """The folder the bank's daily statement is dropped into; none: no statement is sent."""
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=HTTP_TIMEOUT_S))
    transit_ticks: int = 2
    """Rounds between a supplier's confirmation and the goods arriving at the warehouse."""
    _confirmed_at: dict[str, int] = field(default_factory=dict)
    _received: set[str] = field(default_factory=set)
    _in_part: set[str] = field(default_factory=set)
    """Purchase orders whose first part arrived and whose rest is still on the road."""
    _round: int = 0

    def call(self, system: str, method: str, path: str, **kw: Any) -> Any:
        r = self.client.request(method, self.urls[system].rstrip("/") + path, **kw)
        if r.status_code >= 400:
            raise RuntimeError(f"{system} {method} {path} → {r.status_code}: {r.text[:300]}")
        return r.json() if r.content else None

    # ---------------------------------------------------------------- what people do
    def place_order(self, customer: str, lines: list[tuple[str, int]], required: date | None = None) -> str:
        """A salesperson enters and submits an order in CRM; returns the CRM order number."""
        required = required or date.today() + timedelta(days=28)
        order = self.call("crm", "POST", "/api/v1/salesOrders", json={
            "customerId": customer,
            "lines": [{"productCode": p, "quantity": q, "requiredDate": required.isoformat()} for p, q in lines]})
        self.call("crm", "POST", f"/api/v1/salesOrders/{order['orderNo']}/submit")
        return str(order["orderNo"])

    def receive_deliveries(self, *, short_by: int = 0, split: bool = False) -> list[str]:
        """The warehouse scans every expected delivery that has arrived at the dock (open ASNs).

        ``short_by``: the first delivery is that many short on its first line (flagged). ``split``: the
        next full delivery comes in two parts (a partial receipt, the rest on the next round), which the
        hub's aggregator gathers into one ``purchase_order.fully_received``.
        """
        received = []
        for asn in self.call("wms", "GET", "/api/asn") or []:
            if asn.get("status") not in ("OPEN", "open", "EXPECTED", "expected", "PENDING"):
                continue
            if asn["ref"] in self._in_part:  # the rest of a delivery that came in two parts (already on its way,
                # whatever the supplier reported since, a delay included)
                lines = [{"ln": ln["ln"], "sku": ln["sku"], "qty": ln["qty"] - ln.get("received", 0)}
                         for ln in asn.get("lines", [])]
                self.call("wms", "POST", "/api/receipts", json={"asn": asn["asn"], "lines": lines})
                self._in_part.discard(asn["ref"])
                continue
            po = self.client.get(self.urls["srm"].rstrip("/") + f"/api/purchaseOrders/{asn['ref']}")
            if po.status_code != 200 or po.json().get("status") not in ("CONFIRMED", "CHANGED"):
                continue  # the truck leaves the supplier only after the supplier confirmed
            seen = self._confirmed_at.setdefault(asn["ref"], self._round)
            if self._round - seen < self.transit_ticks:
                continue  # …and is on the road for a while
            if split and not short_by and (halves := [ln for ln in asn.get("lines", []) if ln["qty"] >= 2]):
                # a delivery in two parts: half of each line now, the rest on the next round
                self.call("wms", "POST", "/api/receipts", json={"asn": asn["asn"], "partial": True, "lines": [
                    {"ln": ln["ln"], "sku": ln["sku"], "qty": ln["qty"] // 2} for ln in halves]})
                self._in_part.add(asn["ref"])
                self._received.add(asn["ref"])
                received.append(asn["ref"])
                split = False
                continue
            lines = [{"ln": ln["ln"], "sku": ln["sku"], "qty": max(0, ln["qty"] - (short_by if i == 0 else 0))}
                     for i, ln in enumerate(asn.get("lines", []))]
            self.call("wms", "POST", "/api/receipts", json={"asn": asn["asn"], "lines": lines})
            received.append(asn["ref"])
            self._received.add(asn["ref"])
            short_by = 0
        return received

    def report_delay(self, days: int = 7) -> str | None:
        """A supplier reports that the first line of a confirmed PO still on its way will be late."""
        for po in self.call("srm", "GET", "/api/purchaseOrders") or []:
            if po.get("status") == "CONFIRMED" and po["poNo"] not in self._received:
                line = po["lines"][0]
                new = _srm_date(line.get("confirmedDate") or line.get("promisedDate"), days)
                self.call("srm", "POST", f"/api/purchaseOrders/{po['poNo']}/delay", json={
                    "lineNo": line["lineNo"], "newDate": new, "reason": "原材料短缺 raw material shortage"})
                return str(po["poNo"])
        return None

    def open_complaint(self, customer: str, order_no: str, product: str) -> str:
        """The service desk logs a customer's complaint about an order in CRM."""
        c = self.call("crm", "POST", "/api/v1/complaints", json={
            "customerId": customer, "orderNo": order_no, "productCode": product, "severity": COMPLAINT_SEVERITY,
            "description": "桌腿焊点开裂 a welded leg joint cracked"})
        return str(c["complaintId"])

    def run_payment_run(self, *, horizon_days: int = PAYMENT_HORIZON_DAYS) -> dict[str, Any]:
        """Finance pays every approved supplier payable due within ``horizon_days`` (ERP payment run)."""
        due_by = date.today() + timedelta(days=horizon_days)
        return dict(self.call("erp", "POST", "/api/payment-runs", json={
            "run_ref": f"DEMO-{due_by:%Y%m%d}-{self._round}", "due_by": due_by.isoformat(),
            "approved_by": FINANCE_MANAGER}))

    def tick(self, systems: tuple[str, ...] = TICK_ORDER) -> None:
        self._round += 1
        for s in systems:
            self.call(s, "POST", "/_admin/simulation/tick")

    def order(self, order_no: str) -> dict[str, Any]:
        return dict(self.call("crm", "GET", f"/api/v1/salesOrders/{order_no}"))

    def open_payables(self, *, horizon_days: int = PAYMENT_HORIZON_DAYS) -> list[dict[str, Any]]:
        """Supplier payables ERP may pay now: open (received, not held) and due within the horizon."""
        due_by = (date.today() + timedelta(days=horizon_days)).isoformat()
        return [p for p in self.call("erp", "GET", "/api/payables", params={"status": "open"}) or []
                if p["due_date"] <= due_by]

    def in_part(self) -> set[str]:
        """Purchase orders received in part whose rest is still to come."""
        return set(self._in_part)

    def send_bank_statement(self, orders: Sequence[str]) -> list[str]:
        """The bank's daily statement: the customers of ``orders`` pay their open invoices in full; the
        file (CSV, GBK, Chinese headers) is written under a temporary name and renamed when complete.
        Returns the statement's references."""
        assert self.bank_drop is not None
        invoices = [i for i in self.call("erp", "GET", "/api/receivables")["items"]
                    if i.get("ext_ref") in orders and float(i["open_amount"]) > 0]
        if not invoices:
            return []
        today = date.today()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(STATEMENT_HEADER)
        refs = []
        for n, inv in enumerate(invoices, start=1):
            ref = f"BK{today:%Y%m%d}-{n:04d}"
            refs.append(ref)
            writer.writerow((f"{today:%Y/%m/%d}", ref, f"客户 {inv['customer_id']}", f"62220202{n:08d}",
                             f"{float(inv['open_amount']):,.2f}", inv.get("currency") or "CNY",
                             f"货款 {inv['invoice_no']}"))
        self.bank_drop.mkdir(parents=True, exist_ok=True)
        name = f"statement-{today:%Y%m%d}-{int(time.time())}.csv"
        part = self.bank_drop / f"{name}.part"
        part.write_bytes(out.getvalue().encode("gb18030"))
        part.rename(self.bank_drop / name)
        return refs

    def payments_posted(self, refs: Sequence[str]) -> bool:
        """Whether ERP has posted a payment for each statement reference."""
        posted = {p.get("bank_ref") for p in self.call("erp", "GET", "/api/payments") or []}
        return set(refs) <= posted

    def open_work(self) -> int:
        """Work still under way: unfinished work orders in MES, purchase orders whose goods are still
        to come (a short delivery, flagged at the dock, is settled: the rest is not on its way) and
        requisitions on their way to becoming purchase orders — raised by MRP and not yet in SRM, or
        in SRM awaiting OA's approval."""
        work = [w for w in self.call("mes", "GET", "/api/WorkOrders") or []
                if w.get("Status") not in ("Completed", "Closed")]
        pos = [p for p in self.call("srm", "GET", "/api/purchaseOrders") or []
               if p.get("status") not in ("RECEIVED", "PARTIALLY_RECEIVED", "CLOSED", "REJECTED")]
        in_srm = {r["requisitionNo"]: r["status"] for r in self.call("srm", "GET", "/api/requisitions") or []}
        raised = [p["order_no"] for p in self.call("mrp", "GET", "/api/planned-orders",
                                                   params={"action": "buy", "status": "released"}) or []]
        requisitions = [no for no in raised if in_srm.get(no, "AWAITING_APPROVAL") == "AWAITING_APPROVAL"]
        return len(work) + len(pos) + len(requisitions) + len(self._in_part)


def _srm_date(value: str | None, days: int) -> str:
    base = date.today() if not value else date(*map(int, value.replace("-", "/").split("/")))
    return (base + timedelta(days=days)).strftime("%Y/%m/%d")


@dataclass
class DemoResult:
    orders: dict[str, str]
    states: dict[str, str]
    delayed_po: str | None
    complaint: str | None
    seconds: float
    payment_runs: list[dict[str, Any]] = field(default_factory=list)
    statement: list[str] = field(default_factory=list)
    """The bank statement's references (each a customer payment ERP posts)."""


def run_batch(company: Company, *, rounds: int = DEFAULT_ROUNDS, pause_s: float = 0.5,
              progress: Callable[[int, int, dict[str, str]], None] | None = None,
              hub_busy: Callable[[], bool] | None = None) -> DemoResult:
    """Place the batch, then act and tick until every order is invoiced, blocked or cancelled,
    the complaint is resolved and finance has paid what the company owes its suppliers.

    ``hub_busy``: whether the hub still has messages on their way; the batch does not end while it
    has (their deliveries may start work of their own: a requisition that becomes a purchase order)."""
    started = time.monotonic()
    orders = {company.place_order(p.customer, p.lines): p.label for p in BATCH}
    delayed = complaint = None
    statement: list[str] | None = None
    shorted = split = False
    states: dict[str, str] = {}
    runs: list[dict[str, Any]] = []
    for n in range(rounds):
        time.sleep(pause_s)
        if n == 0 or any(s == "submitted" for s in states.values()):
            states = {no: company.order(no)["status"] for no in orders}
        if any(s == "submitted" for s in states.values()):
            if progress:
                progress(n + 1, rounds, states)
            continue  # the day starts once ERP has checked every order's credit (its customers pay as it goes)
        company.tick()
        arrived = company.receive_deliveries(short_by=0 if shorted else 2, split=shorted and not split)
        shorted = bool(arrived) or shorted
        split = split or bool(company.in_part())
        if delayed is None and n >= 2:
            delayed = company.report_delay()
        states = {no: company.order(no)["status"] for no in orders}
        first = next(iter(orders))
        if complaint is None and states[first] in ("shipped", "invoiced"):
            complaint = company.open_complaint(BATCH[0].customer, first, BATCH[0].lines[0][0])
        if company.bank_drop is not None and statement is None and all(
                s in FINAL_ORDER_STATES for s in states.values()):
            statement = company.send_bank_statement(list(orders))   # the day's invoices, paid
        if progress:
            progress(n + 1, rounds, states)
        if not (all(s in FINAL_ORDER_STATES for s in states.values()) and complaint and not company.open_work()):
            continue
        if hub_busy is not None and hub_busy():
            continue
        if statement and not company.payments_posted(statement):
            continue
        resolved = company.call("crm", "GET", f"/api/v1/complaints/{complaint}")["status"] in ("resolved", "closed")
        if company.open_payables():
            runs.append(company.run_payment_run())
        elif resolved:
            break
    return DemoResult(orders, states, delayed, complaint, time.monotonic() - started, runs,
                      statement=statement or [])


# --------------------------------------------------------------------- running the demo
def die_with_parent() -> None:
    """Have the kernel stop this child process when the demo dies (Linux; elsewhere the demo stops it)."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def start_hub(host: str, port: int, *, database: Path, log: Path, fresh: bool = True) -> subprocess.Popen[bytes]:
    """``hub up`` with the seven systems beside it (started by the hub), on a fresh database unless
    ``fresh`` is false (``--database`` names one to keep). A fresh hub starts with fresh systems too:
    it polls the WMS's ledger and MES's work orders from the start, so an earlier run's must be gone
    before it reads them, not only reset once the systems answer."""
    if fresh:
        database.unlink(missing_ok=True)
        for system in SYSTEMS:
            remove_sqlite(MockSettings.from_env(system).database_url)
    env = {**os.environ, "HUB_DATABASE_URL": f"sqlite:///{database}", "MOCK_SIMULATION": "0",
           "HUB_BANK_DROP": str(BANK_DROP.resolve()),
           "HUB_MES_DB_URL": read_only_url(MockSettings.from_env("mes").database_url),
           # the systems' ports (MOCK_<SYS>_PORT may move them) are where the hub calls them
           **{f"HUB_URL_{s.upper()}": f"http://127.0.0.1:{MockSettings.from_env(s).port}" for s in SYSTEMS}}
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "hub.cli", "up", "--host", host, "--port", str(port),
                                 "--mocks", "--no-simulation"], env=env, stdout=out, stderr=subprocess.STDOUT,
                                preexec_fn=die_with_parent)


def remove_sqlite(url: str) -> None:
    """Delete a SQLite database file (with its WAL files); any other database is left alone."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url.removeprefix("sqlite:///"))
        for f in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            f.unlink(missing_ok=True)


def wait_until_up(urls: Sequence[str], proc: subprocess.Popen[bytes], timeout_s: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    for url in urls:
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                raise SystemExit(f"the hub stopped (exit {proc.returncode}) before {url} answered")
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not start within {timeout_s:.0f} s")
            time.sleep(0.2)


def api_token(database: Path) -> str | None:
    """A read-only API token for the summary, made with the hub's own CLI (None if that fails)."""
    env = {**os.environ, "HUB_DATABASE_URL": f"sqlite:///{database}"}
    done = subprocess.run([sys.executable, "-m", "hub.cli", "tokens", "create", "demo-summary", "--scope", "query"],
                          env=env, capture_output=True, text=True, check=False)
    token = done.stdout.strip().splitlines()[-1].strip() if done.returncode == 0 and done.stdout.strip() else ""
    return token or None


def message_counts(hub_url: str, token: str) -> dict[str, int]:
    """Inbound messages by status, read page by page from the hub's API."""
    counts: Counter[str] = Counter()
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        r = httpx.get(f"{hub_url}/api/messages", params=params, headers={"Authorization": f"Bearer {token}"},
                      timeout=HTTP_TIMEOUT_S)
        r.raise_for_status()
        page = r.json()
        counts.update(m["status"] for m in page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return dict(counts)


ADAPTERS = {"http": "HTTP polling of {path}", "database": "database polling of its own tables",
            "files": "file drop ({pattern} files)"}


def adapter_lines(connectors: list[dict[str, Any]]) -> list[str]:
    """How each system's messages come in, from the hub's ``GET /api/connectors``: webhooks, or the
    adapter that reads it (with the records read so far), and webhooks for its other events."""
    lines = []
    for c in connectors:
        events = set((c.get("inbound") or {}).get("events") or {})
        poll = c.get("poll")
        if poll is None:
            if events:
                lines.append(f"  {c['name']:<5} webhooks")
            continue
        read = (c.get("poller") or {}).get("records", 0)
        line = f"  {c['name']:<5} {ADAPTERS[poll['kind']].format(**poll)}: {read} record(s) read"
        lines.append(line + (", webhooks for its other events" if events - {poll.get("event")} else ""))
    return lines


def connectors_of(hub_url: str, token: str) -> list[dict[str, Any]]:
    r = httpx.get(f"{hub_url}/api/connectors", headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT_S)
    r.raise_for_status()
    return list(r.json())


def pattern_lines(company: Company) -> list[str]:
    """What the enricher, the recipient list and the wire taps did, as the systems show it."""
    approvals = [a for a in company.call("oa", "GET", "/api/processinstances") or []
                 if a["processCode"] == "PURCHASE_REQUISITION"]
    with_stock = sum(any(f["name"] == "仓库库存" for f in a["formComponentValues"]) for a in approvals)
    notices = {n["bizId"] for u in company.call("oa", "GET", "/api/users") or []
               for n in company.call("oa", "GET", "/api/notifications", params={"userId": u["userId"]}) or []
               if (n.get("bizId") or "").startswith("mrp:")}
    copies = Counter(c["type"] for c in company.call("audit", "GET", "/api/events") or [])
    return [f"requisition approvals in OA showing WMS's stock (enricher): {with_stock} of {len(approvals)}",
            f"planning notices (recipient list): {sum(n.endswith(':buy') for n in notices)} to 采购部, "
            f"{sum(n.endswith(':make') for n in notices)} to 生产部",
            f"audit archive (wire taps): {sum(copies.values())} copies — "
            + ", ".join(f"{t} {n}" for t, n in sorted(copies.items()))]


def print_summary(result: DemoResult, hub_url: str, counts: dict[str, int] | None,
                  connectors: list[dict[str, Any]] | None = None, patterns: Sequence[str] = ()) -> None:
    print(f"\nDemo batch: {len(result.orders)} orders in {result.seconds:.0f} s")
    for no, label in result.orders.items():
        print(f"  {no:<20} {result.states.get(no, '?'):<10} {label}")
    if counts is not None:
        failures = sum(counts.get(k, 0) for k in ("failed", "dead", "rejected"))
        print("messages: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + f" — failures {failures}")
        print(f"  ({COUNTS_NOTE})")
    if connectors:
        print("how each system comes in:")
        print("\n".join(adapter_lines(connectors)))
    if result.delayed_po:
        print(f"supplier delay reported on {result.delayed_po}")
    if result.complaint:
        print(f"complaint {result.complaint} opened, investigated by quality in MES, resolved through OA")
    paid = sum(len(r.get("paid", [])) for r in result.payment_runs)
    if result.payment_runs:
        print(f"payment runs: {len(result.payment_runs)}, supplier payables paid: {paid}")
    if result.statement:
        print(f"bank statement (GBK CSV, {BANK_DROP}): {len(result.statement)} customer payment(s) posted in ERP")
    for line in patterns:
        print(line)
    print(f"dashboard: {hub_url}/ui   ·   API: {hub_url}/docs")


COUNTS_NOTE = ("ignored: events a system sends that no flow needs; no_route: translated, but no system "
               "subscribes to that case — both by design, not failures")


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m mocks.demo",
                                description="Start the hub and the seven systems, run a batch of business "
                                            "through them, and stay up.")
    p.add_argument("--host", default=DEFAULT_HOST, help="address the hub listens on")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help="port the hub listens on")
    p.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="at most this many simulation rounds")
    p.add_argument("--pause", type=float, default=DEFAULT_PAUSE_S, help="seconds between rounds")
    p.add_argument("--database", type=Path, default=None,
                   help=f"the hub's SQLite file, kept as it is (default: {DEMO_DIR / 'demo.db'}, "
                        "deleted and made afresh each run)")
    p.add_argument("--stay", action=argparse.BooleanOptionalAction, default=True,
                   help="stay up after the batch until interrupted")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # stop as on Ctrl-C, so the hub and the systems stop too
    DEMO_DIR.mkdir(exist_ok=True)
    database, log = args.database or DEMO_DIR / "demo.db", DEMO_DIR / "demo.log"
    hub_url = f"http://{args.host}:{args.port}"
    urls = {s: f"http://127.0.0.1:{MockSettings.from_env(s).port}" for s in SYSTEMS}
    print(f"starting the hub and the seven systems (database: {database}"
          f"{'' if args.database else ', made afresh'}; log: {log})…", flush=True)
    hub = start_hub(args.host, args.port, database=database, log=log, fresh=args.database is None)
    try:
        wait_until_up([hub_url, *urls.values()], hub)
        for url in urls.values():
            httpx.post(f"{url}/_admin/reset", timeout=30).raise_for_status()

        def report(n: int, total: int, states: dict[str, str]) -> None:
            done = sum(1 for v in states.values() if v in FINAL_ORDER_STATES)
            print(f"\rround {n}/{total}: orders settled {done}/{len(states)} "
                  f"({', '.join(sorted(set(states.values())))})" + " " * 10, end="", flush=True)
        company = Company(urls, bank_drop=BANK_DROP)
        result = run_batch(company, rounds=args.rounds, pause_s=args.pause, progress=report)
        token = api_token(database)
        print_summary(result, hub_url, message_counts(hub_url, token) if token else None,
                      connectors_of(hub_url, token) if token else None, pattern_lines(company))
        if args.stay:
            print(f"The hub stays up at {hub_url}/ui — press Ctrl-C to stop.", flush=True)
            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        hub.terminate()
        try:
            hub.wait(timeout=15)
        except subprocess.TimeoutExpired:
            hub.kill()


if __name__ == "__main__":
    main()
