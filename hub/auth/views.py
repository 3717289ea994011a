"""What the security services return: users, tokens and audit entries, never their secrets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class UserView(BaseModel):
    id: str
    username: str
    role: str = Field(examples=["operator"])
    active: bool
    created_at: datetime
    last_login_at: datetime | None


class TokenView(BaseModel):
    id: str
    name: str
    prefix: str = Field(description="first characters of the token, to recognise it")
    scopes: list[str] = Field(examples=[["query"]])
    created_by: str | None
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        from datetime import UTC

        return self.revoked_at is None and (self.expires_at is None or self.expires_at > datetime.now(UTC))


class NewToken(BaseModel):
    token: str = Field(description="shown once: store it now, the hub keeps only its hash")
    info: TokenView


class AuditView(BaseModel):
    id: str
    at: datetime
    actor: str = Field(examples=["liqiang"])
    action: str = Field(examples=["replay"])
    target: str | None
    via: str = Field(examples=["ui"])
    detail: dict[str, Any] | None


class AuditPage(BaseModel):
    items: list[AuditView]
    next_cursor: str | None = None
