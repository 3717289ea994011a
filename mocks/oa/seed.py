"""OA's starting state, from the shared company dataset (:mod:`mocks.common.company`).

Departments get OA's numeric ids (root 1 = the company, then 101…), with the
company key kept as ``sourceIdentifier``; each head is the member whose
manager sits outside the department. Users are the employees under their OA
ids (``zhangwei``, ``liuyang``…). Process definitions carry the company's
approval threshold; the routing table sends complaints to quality.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from mocks.common import company
from mocks.oa.clock import money
from mocks.oa.models import Department, ProcessDefinition, RoutingRule, User

ROOT_DEPT_ID = 1
FIRST_DEPT_ID = 101
GENERAL_MANAGER = "zhangwei"

PROCESSES: list[dict[str, Any]] = [
    {"process_code": "PURCHASE_REQUISITION", "name": "采购申请", "first": "liuyang"},
    {"process_code": "PURCHASE_ORDER", "name": "采购订单审批", "first": "liuyang"},
    {"process_code": "SALES_CREDIT", "name": "信用放行审批", "first": "wangfang"},
    {"process_code": "EXPENSE", "name": "费用报销", "first": "zhoumin"},
]
"""First approver per process; the second (at/above the threshold) is always the general manager."""

ROUTING: list[dict[str, Any]] = [
    {"source_type": "complaint", "severity": "critical", "dept": "QA", "notify": [GENERAL_MANAGER]},
    {"source_type": "complaint", "severity": None, "dept": "QA", "notify": []},
    {"source_type": "purchase_delay", "severity": None, "dept": "PUR", "notify": []},
]


def dept_ids() -> dict[str, int]:
    """Company department key → OA ``deptId``."""
    return {d["key"]: FIRST_DEPT_ID + n for n, d in enumerate(company.DEPARTMENTS)}


def seed(session: Session) -> None:
    ids = dept_ids()
    staff = {e["key"]: e for e in company.EMPLOYEES}
    session.add(Department(dept_id=ROOT_DEPT_ID, name=company.COMPANY["name"], name_en=company.COMPANY["name_en"],
                           source_identifier=None, parent_id=None, manager_user_id=GENERAL_MANAGER))
    for d in company.DEPARTMENTS:
        session.add(Department(dept_id=ids[d["key"]], name=d["name"], name_en=d["name_en"],
                               source_identifier=d["key"], parent_id=ROOT_DEPT_ID,
                               manager_user_id=_head(d["key"], staff)))
    session.flush()
    for e in company.EMPLOYEES:
        manager = staff[e["manager"]]["ids"]["oa"] if e["manager"] else None
        session.add(User(user_id=e["ids"]["oa"], job_number=e["key"], name=e["name"], dept_id=ids[e["department"]],
                         position=e["position"], manager_user_id=manager, roles=list(e["roles"]), active=True))
    session.flush()
    for p in PROCESSES:
        session.add(ProcessDefinition(process_code=p["process_code"], name=p["name"],
                                      first_approver_user_id=p["first"], second_approver_user_id=GENERAL_MANAGER,
                                      threshold_amount=money(Decimal(str(company.APPROVAL_THRESHOLD_CNY)))))
    for r in ROUTING:
        session.add(RoutingRule(source_type=r["source_type"], severity=r["severity"], dept_id=ids[r["dept"]],
                                notify_user_ids=list(r["notify"])))


def _head(dept_key: str, staff: dict[str, dict[str, Any]]) -> str | None:
    """The member whose manager is outside the department (or who has none)."""
    for e in staff.values():
        if e["department"] == dept_key and (e["manager"] is None or staff[e["manager"]]["department"] != dept_key):
            return str(e["ids"]["oa"])
    return None
