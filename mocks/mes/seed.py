"""Seed MES from the shared company: parts (items with an MES id), routings,
BOM versions, and operators (employees with an MES id). No work orders."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mocks.common import company
from mocks.mes.models import Bom, BomLine, Operator, Part, RoutingStep
from mocks.mes.timefmt import now_local


def _mes_part_no(key: str) -> str | None:
    return company.by_key(company.ITEMS, key)["ids"]["mes"]


def seed(session: Session) -> None:
    now = now_local()
    for item in company.ITEMS:
        part_no = item["ids"]["mes"]
        if part_no is None:
            continue
        session.add(Part(part_no=part_no, description=company.seen_by(item, "mes")["name"], uom=item["uom"],
                         make_or_buy="Make" if item["supply"] == "make" else "Buy",
                         external_item_no=item["ids"]["erp"], active=True,
                         routing=[RoutingStep(operation_no=s["op"], name=s["name"], work_center=s["work_center"],
                                              minutes_per_unit=s["minutes_per_unit"])
                                  for s in company.ROUTINGS.get(item["key"], [])]))
    session.flush()
    for bom in company.BOMS:
        parent = _mes_part_no(bom["parent"])
        assert parent is not None
        lines = []
        for i, line in enumerate(bom["lines"], start=1):
            component = _mes_part_no(line["component"])
            assert component is not None
            lines.append(BomLine(line_no=i * 10, component_part_no=component, qty=float(line["qty"]),
                                 uom=company.by_key(company.ITEMS, line["component"])["uom"]))
        session.add(Bom(bom_code=f"BOM-{parent}-{bom['version']}", part_no=parent, version=bom["version"],
                        base_qty=float(bom["base_qty"]), effective_from=None, received_at=now, lines=lines))
    departments = {d["key"]: d["name"] for d in company.DEPARTMENTS}
    for emp in company.EMPLOYEES:
        if emp["ids"]["mes"] is None:
            continue
        session.add(Operator(operator_no=emp["ids"]["mes"], employee_id=emp["ids"]["oa"], name=emp["name"],
                             department=departments[emp["department"]], position=emp["position"], shift="Day",
                             roles=list(emp["roles"]), start_date=None, active=True))
