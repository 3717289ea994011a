"""Departments, users and onboarding: who exists, who heads what, and new employees."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.oa import events
from mocks.oa.clock import now
from mocks.oa.models import ONBOARDING_PREFIX, Department, Onboarding, User, number_of

KNOWN_ROLES: frozenset[str] = frozenset({
    "approver_l1", "approver_l2", "buyer", "salesperson", "sales_manager", "production_manager",
    "quality_manager", "warehouse_supervisor", "finance_manager", "operator", "employee",
})
"""Roles OA can grant; an onboarding naming another is refused (permissions must exist everywhere)."""
GENERATED_USER_PREFIX = "emp"
GENERATED_USER_DIGITS = 4
JOB_NUMBER_PREFIX = "E"


def user(session: Session, user_id: str, *, field: str = "userId") -> User:
    """The active user ``user_id`` — a 422 naming ``field`` if OA does not know them."""
    found = session.get(User, user_id)
    if found is None or not found.active:
        raise BusinessError("unknown_user", f"user {user_id!r} does not exist in OA", field=field)
    return found


def department(session: Session, dept_id: int, *, field: str = "deptId") -> Department:
    found = session.get(Department, dept_id)
    if found is None:
        raise BusinessError("unknown_department", f"department {dept_id} does not exist in OA", field=field)
    return found


def get_user(session: Session, user_id: str) -> User:
    found = session.get(User, user_id)
    if found is None:
        raise NotFound("user", user_id, field="userId")
    return found


def get_department(session: Session, dept_id: int) -> Department:
    found = session.get(Department, dept_id)
    if found is None:
        raise NotFound("department", dept_id, field="deptId")
    return found


def list_users(session: Session, dept_id: int | None = None) -> list[User]:
    q = select(User).order_by(User.job_number)
    if dept_id is not None:
        q = q.where(User.dept_id == dept_id)
    return list(session.scalars(q))


def list_departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.dept_id)))


def members(session: Session, dept_id: int) -> list[str]:
    return list(session.scalars(select(User.user_id).where(User.dept_id == dept_id, User.active)
                                .order_by(User.job_number)))


def onboard(session: Session, *, name: str, dept_id: int, position: str, manager_user_id: str | None,
            start_date: date, roles: list[str], user_id: str | None = None) -> Onboarding:
    """Create the new employee's user (id given, or ``emp`` + number) and announce it.

    The manager defaults to the department head; every role must be one OA knows.
    """
    dept = department(session, dept_id)
    manager_id = manager_user_id or dept.manager_user_id
    if manager_id is not None:
        user(session, manager_id, field="managerUserId")
    unknown = sorted(set(roles) - KNOWN_ROLES)
    if unknown:
        raise BusinessError("unknown_role", f"role(s) {', '.join(unknown)} do not exist in OA; "
                            f"known: {', '.join(sorted(KNOWN_ROLES))}", field="roles")
    if user_id is not None and session.get(User, user_id) is not None:
        raise BusinessError("user_exists", f"user {user_id!r} already exists", field="userId", status=409)
    created = now()
    new = User(user_id=user_id or _next_user_id(session), job_number=_next_job_number(session), name=name,
               dept_id=dept.dept_id, position=position, manager_user_id=manager_id,
               roles=sorted(set(roles)) or ["employee"], hired_date=start_date, active=True)
    session.add(new)
    session.flush()
    record = Onboarding(user_id=new.user_id, name=name, dept_id=dept.dept_id, position=position,
                        manager_user_id=manager_id, start_date=start_date, roles=list(new.roles),
                        status="COMPLETED", create_time=created)
    session.add(record)
    session.flush()
    session.refresh(new)
    events.user_onboarded(session, record, new, dept)
    return record


def get_onboarding(session: Session, onboarding_id: str) -> Onboarding:
    number = number_of(onboarding_id, ONBOARDING_PREFIX)
    found = session.get(Onboarding, number) if number is not None else None
    if found is None:
        raise NotFound("onboarding", onboarding_id, field="onboardingId")
    return found


def list_onboardings(session: Session) -> list[Onboarding]:
    return list(session.scalars(select(Onboarding).order_by(Onboarding.id)))


def _next_user_id(session: Session) -> str:
    pattern = re.compile(rf"^{GENERATED_USER_PREFIX}(\d+)$")
    taken = [int(m.group(1)) for uid in session.scalars(select(User.user_id))
             if (m := pattern.match(uid))]
    count = session.scalar(select(func.count()).select_from(User)) or 0
    n = max([count, *taken]) + 1
    return f"{GENERATED_USER_PREFIX}{n:0{GENERATED_USER_DIGITS}d}"


def _next_job_number(session: Session) -> str:
    numbers = [int(j[len(JOB_NUMBER_PREFIX):]) for j in session.scalars(select(User.job_number))
               if j.startswith(JOB_NUMBER_PREFIX) and j[len(JOB_NUMBER_PREFIX):].isdigit()]
    return f"{JOB_NUMBER_PREFIX}{max(numbers, default=0) + 1:03d}"
