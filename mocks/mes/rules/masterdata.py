"""Parts (from item.upserted), BOM versions (from bom.released), operators
(from employee.onboarded): upserts keyed by the sender's reference, so a
retried delivery changes nothing twice."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.mes.models import Bom, BomLine, Operator, Part
from mocks.mes.rules.common import get_part, next_number
from mocks.mes.timefmt import now_local


def upsert_part(session: Session, *, part_no: str | None, description: str, uom: str, make_or_buy: str,
                external_item_no: str | None, active: bool = True) -> tuple[Part, bool]:
    """Create or update a part; found by PartNo, else by ExternalItemNo, else created.

    Without a PartNo, a new part is numbered ``P-`` + the external item number,
    so the sender learns MES's id from the answer.
    """
    if part_no is None and external_item_no is None:
        raise BusinessError("part_no_required", "give PartNo or ExternalItemNo", field="PartNo")
    by_external = (session.scalar(select(Part).where(Part.external_item_no == external_item_no))
                   if external_item_no else None)
    part = session.get(Part, part_no) if part_no else by_external
    if by_external is not None and part is not by_external:
        raise BusinessError("external_item_conflict", f"external item {external_item_no} is already "
                            f"part {by_external.part_no}", field="ExternalItemNo", status=409)
    if part is not None and external_item_no and part.external_item_no not in (None, external_item_no):
        raise BusinessError("external_item_conflict",
                            f"part {part.part_no} belongs to external item {part.external_item_no}",
                            field="ExternalItemNo", status=409)
    created = part is None
    if part is None:
        new_no = part_no or "P-" + re.sub(r"[^A-Za-z0-9-]", "-", str(external_item_no)).upper()
        part = Part(part_no=new_no)
        session.add(part)
    part.description, part.uom, part.make_or_buy, part.active = description, uom, make_or_buy, active
    part.external_item_no = external_item_no or part.external_item_no
    session.flush()
    return part, created


def list_parts(session: Session) -> Sequence[Part]:
    return session.scalars(select(Part).order_by(Part.part_no)).all()


def get_part_by_path(session: Session, part_no: str) -> Part:
    part = session.get(Part, part_no)
    if part is None:
        raise NotFound("part", part_no, field="PartNo")
    return part


class BomLineSpec(NamedTuple):
    component_part_no: str
    qty: float
    uom: str | None = None
    line_no: int | None = None


def upsert_bom(session: Session, *, bom_code: str | None, part_no: str, version: str, base_qty: float,
               effective_from: datetime | None, lines: Sequence[BomLineSpec]) -> tuple[Bom, bool]:
    """Create or replace the BOM version (PartNo, Version); its lines are replaced as a whole."""
    get_part(session, part_no)
    components = []
    for i, line in enumerate(lines):
        components.append(get_part(session, line.component_part_no, field=f"Lines.{i}.ComponentPartNo"))
        if line.component_part_no == part_no:
            raise BusinessError("bom_cycle", f"part {part_no} cannot be its own component",
                                field=f"Lines.{i}.ComponentPartNo")
    bom = session.scalar(select(Bom).where(Bom.part_no == part_no, Bom.version == version))
    created = bom is None
    if bom is None:
        bom = Bom(part_no=part_no, version=version)
        session.add(bom)
    bom.bom_code = bom_code or f"BOM-{part_no}-{version}"
    bom.base_qty, bom.effective_from, bom.received_at = base_qty, effective_from, now_local()
    bom.lines.clear()
    session.flush()
    for i, (line, component) in enumerate(zip(lines, components, strict=True), start=1):
        bom.lines.append(BomLine(line_no=line.line_no or i * 10, component_part_no=component.part_no,
                                 qty=line.qty, uom=line.uom or component.uom))
    session.flush()
    return bom, created


def list_boms(session: Session, part_no: str | None = None) -> Sequence[Bom]:
    q = select(Bom).order_by(Bom.part_no, Bom.version)
    if part_no:
        q = q.where(Bom.part_no == part_no)
    return session.scalars(q).all()


def get_bom(session: Session, part_no: str, version: str) -> Bom:
    bom = session.scalar(select(Bom).where(Bom.part_no == part_no, Bom.version == version))
    if bom is None:
        raise NotFound("BOM", f"{part_no}/{version}", field="Version")
    return bom


def latest_bom_version(session: Session, part_no: str) -> str | None:
    return session.scalar(select(Bom.version).where(Bom.part_no == part_no)
                          .order_by(Bom.version.desc()).limit(1))


def upsert_operator(session: Session, *, operator_no: str | None, employee_id: str | None, name: str,
                    department: str | None, position: str | None, shift: str, roles: list[str],
                    start_date: datetime | None, active: bool = True) -> tuple[Operator, bool]:
    """Create or update an operator; found by EmployeeId (the sender's id), else OperatorNo.

    New operators without an OperatorNo are numbered ``OP-`` + 3 digits.
    """
    op = None
    if employee_id:
        op = session.scalar(select(Operator).where(Operator.employee_id == employee_id))
        if op is not None and operator_no and op.operator_no != operator_no:
            raise BusinessError("operator_conflict", f"employee {employee_id} is already operator "
                                f"{op.operator_no}", field="OperatorNo", status=409)
    if op is None and operator_no:
        op = session.get(Operator, operator_no)
        if op is not None and employee_id and op.employee_id not in (None, employee_id):
            raise BusinessError("operator_conflict",
                                f"operator {operator_no} belongs to employee {op.employee_id}",
                                field="OperatorNo", status=409)
    created = op is None
    if op is None:
        op = Operator(operator_no=operator_no or next_number(session, Operator.operator_no, "OP-", 3))
        session.add(op)
    op.employee_id = employee_id or op.employee_id
    op.name, op.department, op.position, op.shift = name, department, position, shift
    op.roles, op.start_date, op.active = list(roles), start_date, active
    session.flush()
    return op, created


def list_operators(session: Session) -> Sequence[Operator]:
    return session.scalars(select(Operator).order_by(Operator.operator_no)).all()


def get_operator_by_path(session: Session, operator_no: str) -> Operator:
    op = session.get(Operator, operator_no)
    if op is None:
        raise NotFound("operator", operator_no, field="OperatorNo")
    return op
