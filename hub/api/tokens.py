"""Admin API: users and API tokens (needs the ``manage`` permission: an admin, or an ``admin`` token)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from hub.api.security import AdminDep, Manager
from hub.auth.passwords import MIN_PASSWORD_LENGTH
from hub.auth.roles import ROLES, SCOPES
from hub.auth.service import MAX_TOKEN_DAYS, USERNAME
from hub.auth.views import NewToken, TokenView, UserView

router = APIRouter(prefix="/api", tags=["users and tokens"])


NAME_CHARS = r"^[^\x00-\x1f\x7f]{1,100}$"
"""A token's name: 1–100 characters, none of them a control character."""
PASSWORD_RULE = f"at least {MIN_PASSWORD_LENGTH} characters"
ROLE_RULE: dict[str, Any] = {"enum": list(ROLES)}
SCOPES_RULE: dict[str, Any] = {"items": {"enum": list(SCOPES)}, "minItems": 1, "uniqueItems": True}


class TokenRequest(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=NAME_CHARS, examples=["erp-reporting"],
                      description="1–100 characters, no control characters")
    scopes: list[str] = Field(description=f"one or more of: {', '.join(SCOPES)}", examples=[["query"]],
                              json_schema_extra=SCOPES_RULE)
    expires_in_days: int | None = Field(None, ge=1, le=MAX_TOKEN_DAYS)


class UserRequest(BaseModel):
    username: str = Field(pattern=USERNAME.pattern, examples=["liqiang"],
                          description="1–100 letters, digits or . _ @ -")
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, description=PASSWORD_RULE)
    role: str = Field(description=f"one of: {', '.join(ROLES)}", examples=["operator"], json_schema_extra=ROLE_RULE)


class UserChange(BaseModel):
    role: str | None = Field(None, description=f"one of: {', '.join(ROLES)}", json_schema_extra=ROLE_RULE)
    active: bool | None = None
    password: str | None = Field(None, min_length=MIN_PASSWORD_LENGTH, description=PASSWORD_RULE)


@router.get("/tokens", response_model=list[TokenView], summary="Every API token (never its value)")
async def list_tokens(_: Manager, admin: AdminDep) -> list[TokenView]:
    return await run_in_threadpool(admin.auth.list_tokens)


@router.post("/tokens", response_model=NewToken, status_code=201,
             summary="Create a token; its value is in this answer only",
             description="The answer carries `Cache-Control: no-store`: no cache keeps the token's value.")
async def create_token(req: TokenRequest, who: Manager, admin: AdminDep, response: Response) -> NewToken:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
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
