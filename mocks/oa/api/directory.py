"""``/api/users``, ``/api/departments`` and ``/api/onboardings``: the company directory."""

from __future__ import annotations

from fastapi import APIRouter

from mocks.common import SessionDep
from mocks.oa.api import ERRORS
from mocks.oa.rules import directory
from mocks.oa.schemas import DbId, DepartmentOut, OnboardingIn, OnboardingOut, UserOut

router = APIRouter(tags=["directory"], responses=ERRORS)


@router.post("/api/onboardings", status_code=201, response_model=OnboardingOut, summary="Onboard an employee",
             description="Creates the user (`userId` given, or generated `emp0010`…), manager defaulting to "
                         "the department head, roles from OA's known roles; emits `user_onboarded`.")
def onboard(body: OnboardingIn, session: SessionDep) -> OnboardingOut:
    return OnboardingOut.of(directory.onboard(
        session, name=body.name, dept_id=body.dept_id, position=body.position,
        manager_user_id=body.manager_user_id, start_date=body.start_date, roles=body.roles, user_id=body.user_id))


@router.get("/api/onboardings", response_model=list[OnboardingOut], summary="List onboardings")
def list_onboardings(session: SessionDep) -> list[OnboardingOut]:
    return [OnboardingOut.of(o) for o in directory.list_onboardings(session)]


@router.get("/api/onboardings/{onboardingId}", response_model=OnboardingOut, summary="One onboarding")
def get_onboarding(onboardingId: str, session: SessionDep) -> OnboardingOut:  # noqa: N803
    return OnboardingOut.of(directory.get_onboarding(session, onboardingId))


@router.get("/api/users", response_model=list[UserOut], summary="List users")
def list_users(session: SessionDep, deptId: DbId | None = None) -> list[UserOut]:  # noqa: N803
    return [UserOut.of(u) for u in directory.list_users(session, deptId)]


@router.get("/api/users/{userId}", response_model=UserOut, summary="One user")
def get_user(userId: str, session: SessionDep) -> UserOut:  # noqa: N803
    return UserOut.of(directory.get_user(session, userId))


@router.get("/api/departments", response_model=list[DepartmentOut], summary="List departments with heads")
def list_departments(session: SessionDep) -> list[DepartmentOut]:
    return [DepartmentOut.of(d, directory.members(session, d.dept_id)) for d in directory.list_departments(session)]


@router.get("/api/departments/{deptId}", response_model=DepartmentOut, summary="One department")
def get_department(deptId: DbId, session: SessionDep) -> DepartmentOut:  # noqa: N803
    dept = directory.get_department(session, deptId)
    return DepartmentOut.of(dept, directory.members(session, dept.dept_id))
