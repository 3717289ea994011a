"""The company-wide flows, end to end: the hub and the seven systems as real HTTP servers.

One realistic batch of business (the `python -m mocks.demo` batch) runs through the company; each test
then checks the end state in the systems a flow touches — the state a person would see in
each system, not the hub's own bookkeeping.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mocks.demo import BATCH, DemoResult, pattern_lines, run_batch
from tests.support.patterns import (
    PRODUCTION,
    PURCHASING,
    TAPPED,
    canonical,
    plan_notices,
    requisition_approvals,
    stock_shown,
)
from tests.support.waiting import eventually
from tests.support.world import World, company_world

pytestmark = pytest.mark.e2e

DESK, CHAIR = "PRD-DESK-1200", "PRD-CHAIR-ERG"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with company_world(tmp_path_factory.mktemp("company")) as w:
        yield w


@pytest.fixture(scope="module")
def batch(world: World) -> DemoResult:
    busy = lambda: [(m["connector"], m["native_type"], m["subject"]) for m in world.messages()  # noqa: E731
                    if m["status"] in ("received", "delivering")]
    result = run_batch(world.company, rounds=150, pause_s=0.3, hub_busy=lambda: bool(busy()))
    try:  # let the last deliveries land
        eventually(lambda: not busy(), timeout=60, what="the hub to settle")
    except AssertionError:
        stuck = world.api("/api/deliveries", status="retrying")["items"]
        raise AssertionError(f"still busy: {busy()}\nretrying: "
                             + "\n".join(f"{d['connector']}.{d['operation']}: {d['last_error']}" for d in stuck)
                             ) from None
    return result


def order_of(batch: DemoResult, customer: str) -> str:
    label = next(p.label for p in BATCH if p.customer == customer)
    return next(no for no, lab in batch.orders.items() if lab == label)


def crm(world: World, path: str) -> Any:
    return world.company.call("crm", "GET", path)


def test_every_placed_order_settles_and_only_the_overdue_customer_is_blocked(world, batch):
    states = {batch.orders[no]: st for no, st in batch.states.items()}
    assert list(batch.states.values()).count("blocked") == 1, states
    blocked = crm(world, f"/api/v1/salesOrders/{order_of(batch, 'CUS-000103')}")
    assert blocked["status"] == "blocked"
    assert "overdue" in (blocked.get("creditReason") or "").lower() or "逾期" in (blocked.get("creditReason") or "")
    for no, st in batch.states.items():
        if no != blocked["orderNo"]:
            assert st == "invoiced", states


def test_the_made_to_order_desks_were_produced_shipped_and_invoiced_with_the_defect_rate(world, batch):
    no = order_of(batch, "CUS-000101")
    order = crm(world, f"/api/v1/salesOrders/{no}")
    assert order["status"] == "invoiced"
    assert order.get("defectRate") is not None and order.get("trackingNo") and order.get("invoiceNo"), order
    work = [w for w in world.company.call("mes", "GET", "/api/WorkOrders") if w.get("SourceSalesOrder") == no]
    assert work and all(w["Status"] in ("Completed", "Closed") for w in work)
    shipped = sum(line["qty"] for s in world.company.call("wms", "GET", "/api/shipments", params={"ref": no})
                  for line in s["lines"])
    assert shipped == 30


def test_mes_quality_inspections_show_on_the_crm_order_they_were_produced_for(world, batch):
    no = order_of(batch, "CUS-000101")
    work = [w for w in world.company.call("mes", "GET", "/api/WorkOrders") if w.get("SourceSalesOrder") == no]
    finals = [i for w in work for i in world.company.call("mes", "GET", "/api/Inspections",
                                                          params={"RefDoc": w["WorkOrderNo"], "Kind": "Final"})]
    assert finals, "every completed work order has its final inspection"
    order = eventually(lambda: (o := crm(world, f"/api/v1/salesOrders/{no}"))["qualityInspections"] and o,
                       timeout=30, what="the inspections on the CRM order")
    shown = {i["inspectionNo"]: i for i in order["qualityInspections"]}
    assert {i["InspectionNo"] for i in finals} <= set(shown), (finals, shown)
    desk = next(i for i in finals if i["PartNo"] == "P-T1200")
    mine = shown[desk["InspectionNo"]]
    assert (mine["kind"], mine["productCode"], mine["qtyInspected"]) == ("final", DESK, desk["QtyInspected"])
    assert mine["result"] == desk["Result"].lower()
    assert mine["productionOrderNo"] in {w["ExternalOrderNo"] for w in work}  # MRP's number, not MES's
    assert order["qualityResult"] in ("pass", "conditional", "fail")


def test_erp_holds_exactly_one_sales_order_per_crm_order_and_invoices_each_shipped_one(world, batch):
    for no in batch.orders:
        orders = world.company.call("erp", "GET", "/api/sales-orders", params={"ext_ref": no})
        assert len(orders) == 1, (no, orders)
    invoices = world.company.call("erp", "GET", "/api/invoices")
    invoiced = {i.get("so_ref") or i.get("ext_ref") for i in invoices}
    for no, st in batch.states.items():
        assert (no in invoiced) == (st == "invoiced"), (no, st, invoiced)


def test_stock_in_wms_agrees_with_erp_book_stock(world, batch):
    for sku, material in (("SKU-DESK-1200", "100-0001"), ("SKU-CHAIR-ERG", "100-0002")):
        wms = world.company.call("wms", "GET", "/api/availability", params={"sku": sku})
        erp = world.company.call("erp", "GET", f"/api/inventory-value/{material}")
        assert float(wms["on_hand"]) == float(erp["qty"]), (sku, wms, erp)


def test_purchases_were_approved_ordered_received_and_booked_as_payables(world, batch):
    pos = world.company.call("srm", "GET", "/api/purchaseOrders")
    issued = [p for p in pos if p["poNo"] != "PO-2026-0001"]
    assert issued, "the MRP run should have raised requisitions that became purchase orders"
    payables = {p["po_number"] for p in world.company.call("erp", "GET", "/api/payables")}
    receipts = world.company.call("wms", "GET", "/api/receipts")
    for po in issued:
        assert po["status"] in ("RECEIVED", "PARTIALLY_RECEIVED", "CLOSED"), po
        assert po["poNo"] in payables
    assert any(r["status"] == "DISCREPANCY" for r in receipts), "the short delivery must be flagged"
    approvals = world.company.call("oa", "GET", "/api/processinstances")
    assert any(a["processCode"] == "PURCHASE_REQUISITION" and a["result"] == "agree" for a in approvals)


def test_a_purchase_order_received_in_two_parts_is_gathered_into_one_and_erp_closes_its_commitment(world, batch):
    receipts = world.company.call("wms", "GET", "/api/receipts")
    parts = [ref for ref in {r["ref"] for r in receipts} if sum(r["ref"] == ref for r in receipts) == 2]
    assert len(parts) == 1, f"one purchase order arrives in two parts: {parts}"
    commitment = world.company.call("erp", "GET", f"/api/purchase-commitments/{parts[0]}")
    assert commitment["status"] == "closed"
    assert sorted(commitment["closed_receipts"]) == sorted(r["rcv"] for r in receipts if r["ref"] == parts[0])
    gathered = [m for m in world.messages() if m["native_type"] == "aggregation/purchase_order_received"
                and m["subject"] == parts[0]]
    assert [m["status"] for m in gathered] == ["delivered"]


def test_a_supplier_delay_reaches_planning_the_shop_floor_and_the_ledger(world, batch):
    assert batch.delayed_po
    po = world.company.call("srm", "GET", f"/api/purchaseOrders/{batch.delayed_po}")
    assert po["delayNotices"], po
    supplies = world.company.call("mrp", "GET", "/api/supplies")
    assert any(s.get("ref") == batch.delayed_po for s in supplies)
    commitment = world.company.call("erp", "GET", f"/api/purchase-commitments/{batch.delayed_po}")
    [delay] = commitment["delays"]
    line = next(i for i in commitment["items"] if i["line_no"] == delay["line_no"])
    assert line["expected_date"] == delay["new_date"] and delay["new_date"] > (delay["old_date"] or "")
    assert delay["reason"] and "raw material shortage" in delay["reason"]


def test_mrps_replan_after_the_delay_reaches_every_production_order_it_moved(world, batch):
    """One MRP event names 0..n moved production orders: the hub splits it, one message per order."""
    replans = [m for m in world.messages(connector="mrp") if m["native_type"] == "supply.delayed_replanned"]
    assert replans, "MRP re-plans when a purchase order is late"
    for m in replans:
        detail = world.api(f"/api/messages/{m['id']}")
        moved = [a for a in detail["body"]["data"]["affected_orders"] if a["order_no"]]
        current = [c for c in detail["canonical"] if c["current"]]
        assert sorted(c["envelope"]["data"]["order_no"] for c in current) == sorted(a["order_no"] for a in moved)
        assert all(c["envelope"]["type"] == "production_order.rescheduled" for c in current)
        pegged = {a["order_no"] for a in moved if (a.get("origin_ref") or "").startswith("SO-")}
        to_crm = {c["id"] for c in current if c["envelope"]["data"]["order_no"] in pegged}
        shown = {d["canonical_id"] for d in detail["deliveries"]
                 if d["connector"] == "crm" and d["status"] == "delivered"}
        assert to_crm <= shown, (to_crm, detail["deliveries"])
        assert detail["status"] != "failed", detail["error"]


def test_procure_to_pay_ends_in_a_payment_that_purchasing_hears_about(world, batch):
    assert batch.payment_runs, "finance ran payments once the goods were in"
    payables = world.company.call("erp", "GET", "/api/payables")
    assert payables and all(p["status"] in ("paid", "on_hold") for p in payables), payables
    paid = [p for p in payables if p["status"] == "paid"]
    assert paid, payables
    payments = {v["payment_no"]: v for v in world.company.call("erp", "GET", "/api/vendor-payments")}
    assert {p["payment_no"] for p in paid} == set(payments)  # each payable paid exactly once
    for p in paid:
        assert payments[p["payment_no"]]["amount"] == p["gross"] and payments[p["payment_no"]]["run_no"]
    expected = {f"payment:{no}" for no in payments}
    told = eventually(lambda: {n["bizId"] for n in world.company.call("oa", "GET", "/api/notifications",
                                                                     params={"userId": "liuyang"})
                               if (n.get("bizId") or "").startswith("payment:")} >= expected,
                      timeout=30, what="purchasing to hear of every payment")
    assert told


def test_a_complaint_is_investigated_in_mes_closes_its_oa_task_and_the_finding_shows_in_crm(world, batch):
    assert batch.complaint
    [task] = [t for t in world.company.call("oa", "GET", "/api/tasks") if t.get("sourceId") == batch.complaint]
    assert task["handledIn"] == "MES"

    def investigated() -> Any:
        world.company.tick(("mes",))
        found = world.company.call("mes", "GET", "/api/Complaints", params={"ExternalRef": batch.complaint})
        return found and found[0]["Status"] == "Resolved" and found[0]
    mes = eventually(investigated, timeout=60, interval=0.5, what="quality to resolve the complaint in MES")
    first = next(iter(batch.orders))
    assert mes["SourceSalesOrder"] == first and mes["WorkOrders"] and mes["Inspections"]
    c = eventually(lambda: (x := crm(world, f"/api/v1/complaints/{batch.complaint}"))["status"]
                   in ("resolved", "closed") and x, timeout=30, what="the resolution in CRM")
    assert (c["rootCause"], c["correctiveAction"], c["disposition"]) == (
        mes["RootCause"], mes["CorrectiveAction"], mes["Disposition"].lower())
    done = world.company.call("oa", "GET", f"/api/tasks/{task['taskId']}")
    assert (done["status"], done["completedByUserId"], done["correctiveAction"]) == (
        "COMPLETED", "yangjing", mes["CorrectiveAction"])


def test_one_order_can_be_followed_across_the_systems_by_its_correlation_id(world, batch):
    no = order_of(batch, "CUS-000101")
    placed = world.messages(subject=no, type="sales_order.placed")[0]
    trace = world.api(f"/api/traces/{placed['correlation_id']}")
    systems = {m["connector"] for m in trace}
    assert {"crm", "erp", "mrp", "mes", "wms"} <= systems, systems
    assert all(m["status"] not in ("failed", "dead") for m in trace)
    assert trace[0]["id"] == placed["id"]


def test_nothing_failed_or_died_on_the_way(world, batch):
    bad = [m for m in world.messages() if m["status"] in ("failed", "dead", "rejected")]
    assert bad == [], bad[:3]


def test_sales_can_ask_for_stock_credit_and_order_status_through_the_hub(world, batch):
    stock = world.api("/query/inventory.availability", item=DESK, system="crm")
    assert isinstance(stock["answer"]["available"], (int, float))
    credit = world.api("/query/customer.credit_status", customer="CUS-000103", system="crm")
    erp_view = world.company.call("erp", "GET", "/api/customers/100003/credit-status")  # ERP's id for it
    assert credit["answer"]["blocked"] is erp_view["blocked"]
    assert float(credit["answer"]["credit_limit"]) == float(erp_view["credit_limit"])
    status = world.api("/query/sales_order.status", order_no=order_of(batch, "CUS-000101"), system="crm")
    assert {k for k, v in status["sources"].items() if v["status"] == "ok"} == {"erp", "mes", "wms"}


def test_a_customer_created_in_crm_appears_once_in_erp_and_an_update_does_not_duplicate_it(world, batch):
    created = world.company.call("crm", "POST", "/api/v1/customers", json={
        "name": "成都蓉城家具贸易有限公司", "uscc": "91510100MA61X0001W", "creditLimit": 80000,
        "currency": "CNY", "paymentTermsDays": 30})
    cid = created["customerId"]
    found = eventually(lambda: [c for c in world.company.call("erp", "GET", "/api/customers")
                                if c.get("tax_no") == "91510100MA61X0001W"], timeout=30)
    assert len(found) == 1
    world.company.call("crm", "PATCH", f"/api/v1/customers/{cid}", json={"name": "成都蓉城家具贸易有限公司（新）"})
    eventually(lambda: [c for c in world.company.call("erp", "GET", "/api/customers")
                        if c.get("tax_no") == "91510100MA61X0001W" and "新" in c["name"]], timeout=30)
    assert len([c for c in world.company.call("erp", "GET", "/api/customers")
                if c.get("tax_no") == "91510100MA61X0001W"]) == 1


def test_a_customer_renamed_in_crm_as_soon_as_it_is_created_settles_on_the_new_name_everywhere(world):
    """ERP reports each change the hub writes to it; such an echo must not go back to CRM, or the
    first name, still on its way, and the new one chase each other between the two systems forever."""
    created = world.company.call("crm", "POST", "/api/v1/customers", json={
        "name": "绵阳涪城办公家具有限公司", "uscc": "91510700MA62Y00029", "creditLimit": 60000,
        "currency": "CNY", "paymentTermsDays": 30})
    cid = created["customerId"]
    renamed = "绵阳涪城办公家具有限公司（更名）"
    world.company.call("crm", "PATCH", f"/api/v1/customers/{cid}", json={"name": renamed})

    def erp_customer() -> dict[str, Any] | None:
        found = [c for c in world.company.call("erp", "GET", "/api/customers") if c.get("tax_no") == "91510700MA62Y00029"]
        assert len(found) <= 1, f"the customer was archived twice in ERP: {found}"
        return found[0] if found else None

    def about_it() -> list[dict[str, Any]]:
        erp = erp_customer()
        subjects = [cid] + ([str(erp["customer_id"])] if erp else [])
        return [m for subject in subjects for m in world.messages(subject=subject, type="party.customer.upserted")]

    def settled() -> bool:
        erp = erp_customer()
        return (erp is not None and erp["name"] == renamed
                and world.company.call("crm", "GET", f"/api/v1/customers/{cid}")["name"] == renamed
                and all(m["status"] not in ("received", "delivering") for m in about_it()))
    eventually(settled, timeout=60, interval=0.5, what="CRM and ERP on the new name, and no message about it in motion")
    echoes = [m for m in about_it() if m["connector"] == "erp"]
    assert echoes, "ERP reported the customer it was given"
    for echo in echoes:  # each says what it reports back, and goes nowhere near CRM
        detail = world.api(f"/api/messages/{echo['id']}")
        canonical = detail["canonical"][0]
        assert canonical["echo_of"]["connector"] == "erp" and canonical["echo_of"]["origin"] == "crm"
        assert "crm" not in {d["connector"] for d in detail["deliveries"]}
    assert len(about_it()) == 2 + len(echoes), [(m["connector"], m["native_type"]) for m in about_it()]


@pytest.mark.postgres
@pytest.mark.redis
def test_the_flows_run_the_same_on_postgresql_and_redis(tmp_path: Path, pg_url: str, redis_namespace: str):
    from tests.conftest import REDIS_URL

    with company_world(tmp_path, mode="production", database_url=pg_url, redis_url=REDIS_URL,
                       namespace=redis_namespace) as w:
        chairs = w.company.place_order("CUS-000102", [(CHAIR, 6)])
        blocked = w.company.place_order("CUS-000103", [(DESK, 2)])
        # no tick before ERP has checked the overdue customer's credit: a tick may have that customer pay
        eventually(lambda: w.company.order(blocked)["status"] == "blocked", timeout=120,
                   what="the overdue customer's order blocked")

        def settled() -> bool:
            w.company.tick()
            return (w.company.order(chairs)["status"] == "invoiced"
                    and w.company.order(blocked)["status"] == "blocked")
        try:
            eventually(settled, timeout=120, interval=0.5, what="the chair order invoiced and the other blocked")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nchairs: {w.company.order(chairs)['status']}, other: "
                                 f"{w.company.order(blocked)['status']}\nopen in the hub:\n{w.open_work()}") from None
        assert len(w.company.call("erp", "GET", "/api/sales-orders", params={"ext_ref": chairs})) == 1
        placed = w.messages(subject=chairs, type="sales_order.placed")[0]
        trace = w.api(f"/api/traces/{placed['correlation_id']}")
        assert {"crm", "erp", "wms"} <= {m["connector"] for m in trace}


def test_the_wms_ledger_and_mes_work_orders_are_polled_and_the_bank_statement_taken_from_a_folder(world, batch):
    pollers = {name: world.api(f"/api/connectors/{name}")["poller"] for name in ("wms", "mes", "bank")}
    assert {name: p["kind"] for name, p in pollers.items()} == {"wms": "http", "mes": "database", "bank": "files"}
    ledger, cursor = [], None
    while True:
        page = world.company.call("wms", "GET", "/api/ledger", params={"limit": 1000, "cursor": cursor or 0})
        ledger += page["items"]
        if not (cursor := page["next"]):
            break
    assert ledger, "the batch moved stock"
    eventually(lambda: world.api("/api/connectors/wms")["poller"]["records"] == len(ledger), timeout=60,
               interval=0.5, what="every ledger entry of the WMS read once")
    completed = sorted(w["ExternalOrderNo"] for w in world.company.call("mes", "GET", "/api/WorkOrders")
                       if w["Status"] in ("Completed", "Closed"))
    assert completed, "the made-to-order desks were produced"
    eventually(lambda: sorted(m["subject"] for m in world.messages(connector="mes", type="production_order.completed"))
               == completed, timeout=60, interval=0.5, what="each completed work order read once from MES's database")
    assert all(world.api(f"/api/connectors/{name}")["poller"]["state"] != "failing" for name in pollers)


def test_the_banks_gbk_statement_file_becomes_payments_in_erp_and_crm_hears_of_each(world, batch):
    assert batch.statement, "the bank's statement paid the invoiced orders"
    def posted_refs() -> list[str]:
        return sorted(p["bank_ref"] for p in world.company.call("erp", "GET", "/api/payments") or []
                      if p.get("bank_ref"))
    try:
        eventually(lambda: posted_refs() == sorted(batch.statement), timeout=90, what="ERP to post the statement")
    except AssertionError:
        raise AssertionError(f"posted {posted_refs()}; bank poller: {world.api('/api/connectors/bank')['poller']}"
                             f"\n{world.open_work()}") from None
    posted = [p for p in world.company.call("erp", "GET", "/api/payments") or [] if p.get("bank_ref")]
    lines = [m for m in world.messages() if m["connector"] == "bank"]
    assert sorted(m["subject"] for m in lines) == sorted(batch.statement)
    assert {m["status"] for m in lines} == {"delivered"}
    invoices = {p["invoice_no"] for p in posted}
    eventually(lambda: {m["subject"] for m in world.messages() if m["connector"] == "erp"
                        and m["type"] == "payment.received" and m["status"] == "delivered"} >=
               {p["payment_no"] for p in posted}, timeout=60, what="ERP's posted payments to reach CRM")
    assert invoices


# ------------------------------------------------------------------ content enricher
def test_every_requisition_approval_in_oa_shows_the_warehouse_stock_of_its_item(world, batch):
    approvals = requisition_approvals(world)
    assert approvals, "the batch's planning runs raise purchase requisitions that OA approves"
    for a in approvals:
        shown = stock_shown(a)
        assert shown is not None, a["formComponentValues"]
        [planned] = world.company.call("mrp", "GET", "/api/planned-orders", params={"order_no": a["businessId"]})
        assert shown["item"] == planned["item"]  # the requisition's item, in MRP's code as the form lists it
        assert shown["available"] <= shown["on_hand"], shown


# ------------------------------------------------------------------ computed recipient list
def test_each_planning_run_tells_the_departments_whose_orders_it_plans_and_no_other(world, batch):
    plans = canonical(world, "mrp.plan.released")
    actions = {str(p["data"]["run_id"]): {o["action"] for o in p["data"]["planned_orders"]} for p in plans}
    assert any(PURCHASING in a and PRODUCTION not in a for a in actions.values()), actions
    assert any(PRODUCTION in a for a in actions.values()), actions
    expected = {f"mrp:{run}:{action}" for run, acts in actions.items() for action in acts}
    told = eventually(lambda: (seen := plan_notices(world)) >= expected and seen, timeout=30,
                      what="OA to send every planning notice")
    assert told == expected  # a buy-only run told no one in 生产部, a make-only run no one in 采购部
    for p in plans:
        ops = sorted(d["operation"] for d in p["_deliveries"] if d["connector"] == "oa")
        want = sorted({PURCHASING: "notify_plan_purchasing", PRODUCTION: "notify_plan_production"}[a]
                      for a in actions[str(p["data"]["run_id"])])
        assert ops == want, (p["data"]["run_id"], ops)


def test_a_planning_run_that_plans_nothing_tells_no_one_and_says_why(world, batch):
    empty = [m for m in world.messages(type="mrp.plan.released") if m["status"] == "no_route"]
    assert empty, "the batch's later runs find nothing left to plan"
    detail = world.api(f"/api/messages/{empty[0]['id']}")
    current = next(c for c in detail["canonical"] if c["current"])
    assert current["envelope"]["data"]["planned_orders"] == []
    assert "recipient list names no operation" in str(detail), detail


# ------------------------------------------------------------------ wire tap
def test_the_audit_archive_holds_one_copy_of_every_business_event_it_taps(world, batch):
    for type_ in TAPPED:
        sent = {c["id"]: c for c in canonical(world, type_)}
        assert sent, f"the batch makes {type_}"

        def archived() -> Any:
            copies = world.company.call("audit", "GET", "/api/events", params={"type": type_})
            return {c["id"] for c in copies} >= set(sent) and copies
        copies = eventually(archived, timeout=60, what=f"a copy of every {type_} in the archive")
        assert len(copies) == len({c["id"] for c in copies}), "each event once"
        for copy in copies:
            original = {k: v for k, v in sent[copy["id"]].items() if not k.startswith("_")}
            assert copy["event"]["data"] == original["data"]
            assert copy["correlationId"] == original["correlationid"]


def test_the_copies_leave_the_messages_status_to_their_real_deliveries(world, batch):
    placed = canonical(world, "sales_order.placed")
    for c in placed:
        taps = [d for d in c["_deliveries"] if d["connector"] == "audit"]
        real = [d for d in c["_deliveries"] if d["connector"] != "audit"]
        assert [d["operation"] for d in taps] == ["archive"] and real, c["_deliveries"]
    refused = [m for m in world.messages(type="approval.decided") if m["status"] == "no_route"]
    assert refused, "OA's refused credit release reaches no system (only the archive's copy)"
    detail = world.api(f"/api/messages/{refused[0]['id']}")
    assert "audit takes only a wire tap's copy" in str(detail), detail


def test_the_demo_summary_says_what_the_enricher_the_recipient_list_and_the_wire_taps_did(world, batch):
    approvals = len(requisition_approvals(world))
    enricher, recipients, _ = pattern_lines(world.company)
    assert approvals and enricher.endswith(f": {approvals} of {approvals}"), enricher
    buys, makes = (int(n) for n in re.findall(r"(\d+) to ", recipients))
    assert buys and makes, recipients

    def every_type_archived() -> str | bool:
        line = pattern_lines(world.company)[2]
        return all(f"{t} " in line for t in TAPPED) and line
    taps = eventually(every_type_archived, timeout=30, what="copies of every tapped type in the summary")
    count = re.match(r"audit archive \(wire taps\): (\d+) copies", str(taps))
    assert count and int(count[1]) >= len(TAPPED), taps
