"""The integration patterns in a quiet company: the hub and the systems as real HTTP servers, nothing else
under way, and the audit archive out of the hub's reach.

- content enricher: OA's requisition approval shows exactly the stock WMS reports for the item (仓库库存);
- computed recipient list: a planning run tells the departments whose orders it plans;
- wire tap: with the archive down, an order still flows to its invoice and its messages end delivered.

The same patterns over the demo's whole batch are checked in test_flows.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from tests.support.patterns import PURCHASING, canonical, plan_notices, requisition_approvals, stock_shown
from tests.support.target import free_port
from tests.support.waiting import eventually
from tests.support.world import World, company_world

pytestmark = pytest.mark.e2e

CHAIR_MRP, CHAIR_WMS, CHAIR_CRM = "C", "SKU-CHAIR-ERG", "PRD-CHAIR-ERG"


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The company with nothing under way, its audit archive unreachable from the hub (nothing listens there)."""
    down = f"http://127.0.0.1:{free_port()}"
    with company_world(tmp_path_factory.mktemp("quiet"), env_overrides={"HUB_URL_AUDIT": down}) as w:
        yield w


def test_oa_approves_a_requisition_seeing_exactly_the_stock_wms_has_of_the_item(quiet: World):
    wms = quiet.company.call("wms", "GET", "/api/availability", params={"sku": CHAIR_WMS})
    need_by = (date.today() + timedelta(days=30)).strftime("%Y%m%d")
    quiet.company.call("mrp", "POST", "/api/demands", json={  # MRP plans and releases at once (auto-planning)
        "source_ref": "FC-2027-CHAIRS", "source_kind": "forecast", "item": CHAIR_MRP,
        "qty": int(float(wms["on_hand"])) + 500, "due_date": need_by})
    run = quiet.company.call("mrp", "GET", "/api/runs")[0]
    planned = quiet.company.call("mrp", "GET", "/api/planned-orders", params={"run_id": run["run_id"]})
    chairs = next(p for p in planned if p["action"] == PURCHASING and p["item"] == CHAIR_MRP)
    assert chairs["status"] == "released" and chairs["order_no"], chairs
    approval = eventually(lambda: next((a for a in requisition_approvals(quiet)
                                        if a["businessId"] == chairs["order_no"]), None),
                          timeout=60, what=f"OA's approval of {chairs['order_no']}")
    assert stock_shown(approval) == {"item": CHAIR_MRP, "available": float(wms["available"]),
                                     "on_hand": float(wms["on_hand"]),
                                     "incoming": float(sum(i["qty"] for i in wms["incoming"]))}
    assert wms == quiet.company.call("wms", "GET", "/api/availability", params={"sku": CHAIR_WMS}) | {
        "ts": wms["ts"]}, "nothing moved the chairs' stock meanwhile"
    expected = {f"mrp:{run['run_id']}:{p['action']}" for p in planned}
    told = eventually(lambda: (n := {n for n in plan_notices(quiet) if n.startswith(f"mrp:{run['run_id']}:")})
                      >= expected and n, timeout=30, what="the planning notices")
    assert told == expected


def test_with_the_audit_archive_down_an_order_still_flows_to_its_invoice(quiet: World):
    order = quiet.company.place_order("CUS-000102", [(CHAIR_CRM, 4)])

    def invoiced() -> bool:
        quiet.company.tick()
        return quiet.company.order(order)["status"] == "invoiced"
    try:
        eventually(invoiced, timeout=180, interval=0.5, what="the order invoiced")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nopen in the hub:\n{quiet.open_work()}") from None
    for type_ in ("sales_order.placed", "invoice.issued"):
        def settled(type_: str = type_) -> Any:
            [c] = [c for c in canonical(quiet, type_) if c["data"].get("order_no") == order]
            return c["_status"] == "delivered" and c
        try:
            c = eventually(settled, timeout=60, what=f"{type_} of {order} delivered")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nopen in the hub:\n{quiet.open_work()}") from None
        taps = [d for d in c["_deliveries"] if d["connector"] == "audit"]
        assert taps and all(d["status"] in ("pending", "in_flight", "retrying") for d in taps), taps
        assert all(d["status"] == "delivered" for d in c["_deliveries"] if d["connector"] != "audit"), c
    assert quiet.company.call("audit", "GET", "/api/events") == []  # nothing reached it
