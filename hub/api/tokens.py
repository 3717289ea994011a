"""Admin API: users and API tokens (needs the ``manage`` permission: an admin, or an ``admin`` token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from hub.api.security import AdminDep, Manager
from hub.auth.roles import ROLES, SCOPES
from hub.auth.views import NewToken, TokenView, UserView

router = APIRouter(prefix="/api", tags=["users and tokens"])


class TokenRequest(BaseModel):
    name: str = Field(examples=["erp-reporting"])
    scopes: list[str] = Field(description=f"some of: {', '.join(SCOPES)}", examples=[["query"]])
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class UserRequest(BaseModel):
    username: str = Field(examples=["liqiang"])
    password: str = Field(min_length=1)
    role: str = Field(description=f"one of: {', '.join(ROLES)}", examples=["operator"])


class UserChange(BaseModel):
    role: str | None = None
    active: bool | None = None
    password: str | None = None


@router.get("/tokens", response_model=list[TokenView], summary="Every API token (never its value)")
async def list_tokens(_: Manager, admin: AdminDep) -> list[TokenView]:
    return await run_in_threadpool(admin.auth.list_tokens)


@router.post("/tokens", response_model=NewToken, status_code=201,
             summary="Create a token; its value is in this answer only")
async def create_token(req: TokenRequest, who: Manager, admin: AdminDep) -> NewToken:
    new = await run_in_threadpool(lambda: admin.auth.create_token(req.name, req.scopes, created_by=who.actor,
                                                                  expires_in_days=req.expires_in_days))
    await run_in_threadpool(admin.audit.record, who.actor, "token.create", req.name, via="api",
                            detail={"scopes": new.info.scopes, "id": new.info.id})
    return new


@router.delete("/tokens/{token_id}", response_model=TokenView, summary="Revoke a token")
async def revoke_token(token_id: str, who: Manager, admin: AdminDep) -> TokenView:
    view = await run_in_threadpool(admin.auth.revoke_token, token_id)
    await run_in_threadpool(admin.audit.record, who.actor, "token.revoke", view.name, via="api",
                            detail={"id": token_id})
    return view


@router.get("/users", response_model=list[UserView], summary="Every dashboard user")
async def list_users(_: Manager, admin: AdminDep) -> list[UserView]:
    return await run_in_threadpool(admin.auth.list_users)


@router.post("/users", response_model=UserView, status_code=201, summary="Add a dashboard user")
async def create_user(req: UserRequest, who: Manager, admin: AdminDep) -> UserView:
    view = await run_in_threadpool(admin.auth.create_user, req.username, req.password, req.role)
    await run_in_threadpool(admin.audit.record, who.actor, "user.create", req.username, via="api",
                            detail={"role": req.role})
    return view


@router.patch("/users/{user_id}", response_model=UserView, summary="Change a user's role, state or password")
async def update_user(user_id: str, change: Annotated[UserChange, Body()], who: Manager,
                      admin: AdminDep) -> UserView:
    view = await run_in_threadpool(lambda: admin.auth.update_user(user_id, role=change.role, active=change.active,
                                                                  password=change.password))
    changed = {k: v for k, v in change.model_dump(exclude_none=True).items() if k != "password"}
    if change.password:
        changed["password"] = "changed"
    await run_in_threadpool(admin.audit.record, who.actor, "user.update", view.username, via="api",
                            detail=changed)
    return view
