"""Roles, token scopes and the permissions they grant — decided here, once.

::

    role / scope          read   act (replay, retry, pause)   manage (users, tokens, connectors)
    viewer  / query        ✓
    operator/ operate      ✓      ✓
    admin   / admin        ✓      ✓                            ✓

A :class:`Principal` is whoever makes a request: a dashboard user (by session)
or an API token (by ``Authorization: Bearer``). Faces ask ``principal.can(ACT)``;
they never compare role names themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

VIEWER, OPERATOR, ADMIN = "viewer", "operator", "admin"
ROLES: tuple[str, ...] = (VIEWER, OPERATOR, ADMIN)

READ, ACT, MANAGE = "read", "act", "manage"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    VIEWER: frozenset({READ}),
    OPERATOR: frozenset({READ, ACT}),
    ADMIN: frozenset({READ, ACT, MANAGE}),
}

QUERY, OPERATE, ADMIN_SCOPE = "query", "operate", "admin"
SCOPES: dict[str, frozenset[str]] = {
    QUERY: ROLE_PERMISSIONS[VIEWER],
    OPERATE: ROLE_PERMISSIONS[OPERATOR],
    ADMIN_SCOPE: ROLE_PERMISSIONS[ADMIN],
}
"""Token scopes; the webhook endpoint needs none (it is authenticated by its signature)."""


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user (``kind="user"``) or an API token (``kind="token"``)."""

    id: str
    name: str
    kind: str
    permissions: frozenset[str]
    role: str | None = None
    scopes: tuple[str, ...] = field(default=())

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def actor(self) -> str:
        """How the audit log names this principal: the username, or ``token:<name>``."""
        return self.name if self.kind == "user" else f"token:{self.name}"


def permissions_for_scopes(scopes: list[str] | tuple[str, ...]) -> frozenset[str]:
    granted: set[str] = set()
    for s in scopes:
        granted |= SCOPES.get(s, frozenset())
    return frozenset(granted)


SYSTEM = Principal(id="system", name="system", kind="user", permissions=ROLE_PERMISSIONS[ADMIN], role=ADMIN)
"""The hub itself (start-up tasks such as creating the first admin)."""
