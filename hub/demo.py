"""``hub demo``: a realistic batch of business through the seven reference systems.

The company's people act through their own systems — salespeople enter orders in CRM, the
warehouse scans deliveries in WMS, a supplier reports a delay in SRM, the service desk opens
a complaint — and everything between the systems goes through the hub. The systems' own
simulation (MES completing work, suppliers confirming, OA deciding, WMS shipping) is driven
tick by tick here, so a run is quick and repeatable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

SYSTEMS = ("crm", "erp", "mrp", "mes", "wms", "srm", "oa")
TICK_ORDER = ("oa", "srm", "mrp", "mes", "wms", "erp")
"""Systems that act on their own each round (CRM's own simulation, which invents orders, is left out)."""
FINAL_ORDER_STATES = frozenset({"invoiced", "blocked", "cancelled"})
HTTP_TIMEOUT_S = 10.0


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
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=HTTP_TIMEOUT_S))
    transit_ticks: int = 2
    """Rounds between a supplier's confirmation and the goods arriving at the warehouse."""
    _confirmed_at: dict[str, int] = field(default_factory=dict)
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

    def receive_deliveries(self, *, short_by: int = 0) -> list[str]:
        """The warehouse scans every expected delivery that has arrived at the dock (open ASNs)."""
        received = []
        for asn in self.call("wms", "GET", "/api/asn") or []:
            if asn.get("status") not in ("OPEN", "open", "EXPECTED", "expected", "PENDING"):
                continue
            po = self.client.get(self.urls["srm"].rstrip("/") + f"/api/purchaseOrders/{asn['ref']}")
            if po.status_code != 200 or po.json().get("status") not in ("CONFIRMED", "CHANGED"):
                continue  # the truck leaves the supplier only after the supplier confirmed
            seen = self._confirmed_at.setdefault(asn["ref"], self._round)
            if self._round - seen < self.transit_ticks:
                continue  # …and is on the road for a while
            lines = [{"ln": ln["ln"], "sku": ln["sku"], "qty": max(0, ln["qty"] - (short_by if i == 0 else 0))}
                     for i, ln in enumerate(asn.get("lines", []))]
            self.call("wms", "POST", "/api/receipts", json={"asn": asn["asn"], "lines": lines})
            received.append(asn["ref"])
            short_by = 0
        return received

    def report_delay(self, days: int = 7) -> str | None:
        """A supplier reports that the first line of its newest confirmed PO will be late."""
        for po in self.call("srm", "GET", "/api/purchaseOrders") or []:
            if po.get("status") == "CONFIRMED":
                line = po["lines"][0]
                new = _srm_date(line.get("confirmedDate") or line.get("promisedDate"), days)
                self.call("srm", "POST", f"/api/purchaseOrders/{po['poNo']}/delay", json={
                    "lineNo": line["lineNo"], "newDate": new, "reason": "原材料短缺 raw material shortage"})
                return str(po["poNo"])
        return None

    def open_complaint(self, customer: str, order_no: str, product: str) -> str:
        c = self.call("crm", "POST", "/api/v1/complaints", json={
            "customerId": customer, "orderNo": order_no, "productCode": product, "severity": "high",
            "description": "桌腿焊点开裂 a welded leg joint cracked"})
        return str(c["complaintId"])

    def tick(self, systems: tuple[str, ...] = TICK_ORDER) -> None:
        self._round += 1
        for s in systems:
            self.call(s, "POST", "/_admin/simulation/tick")

    def order(self, order_no: str) -> dict[str, Any]:
        return self.call("crm", "GET", f"/api/v1/salesOrders/{order_no}")

    def open_work(self) -> int:
        """Work still under way: unfinished work orders in MES and purchase orders not yet received."""
        work = [w for w in self.call("mes", "GET", "/api/WorkOrders") or []
                if w.get("Status") not in ("Completed", "Closed")]
        pos = [p for p in self.call("srm", "GET", "/api/purchaseOrders") or []
               if p.get("status") not in ("RECEIVED", "CLOSED", "REJECTED")]
        return len(work) + len(pos)


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


def run_batch(company: Company, *, rounds: int = 120, pause_s: float = 0.5,
              progress: Callable[[int, int, dict[str, str]], None] | None = None) -> DemoResult:
    """Place the batch, then act and tick until every order is invoiced, blocked or cancelled."""
    started = time.monotonic()
    orders = {company.place_order(p.customer, p.lines): p.label for p in BATCH}
    delayed = complaint = None
    shorted = False
    states: dict[str, str] = {}
    for n in range(rounds):
        time.sleep(pause_s)
        company.tick()
        shorted = bool(company.receive_deliveries(short_by=0 if shorted else 2)) or shorted
        if delayed is None and n >= 2:
            delayed = company.report_delay()
        states = {no: company.order(no)["status"] for no in orders}
        first = next(iter(orders))
        if complaint is None and states[first] in ("shipped", "invoiced"):
            complaint = company.open_complaint(BATCH[0].customer, first, BATCH[0].lines[0][0])
        if progress:
            progress(n + 1, rounds, states)
        if all(s in FINAL_ORDER_STATES for s in states.values()) and complaint and not company.open_work():
            break
    return DemoResult(orders, states, delayed, complaint, time.monotonic() - started)
