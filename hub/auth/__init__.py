"""Who may do what: users with roles, API tokens with scopes, sessions, CSRF and the audit log.

- :mod:`hub.auth.roles` — roles, scopes and the permissions they grant (the one table of it),
- :mod:`hub.auth.service` — users, password checks, tokens (only hashes are stored),
- :mod:`hub.auth.audit` — the audit log,
- :mod:`hub.auth.actions` — operator actions, permission-checked and audited,
- :mod:`hub.auth.csrf` — per-session CSRF tokens.

The core never imports this package; the faces (API, dashboard, CLI) do.
"""

from hub.auth.actions import Actions
from hub.auth.audit import AuditLog
from hub.auth.roles import ACT, MANAGE, READ, ROLES, SCOPES, Principal
from hub.auth.service import AuthService
from hub.errors import AuthError, CsrfRejected, Forbidden, InvalidRequest, NotAuthenticated

__all__ = ["ACT", "MANAGE", "READ", "ROLES", "SCOPES", "Actions", "AuditLog", "AuthError", "AuthService",
           "CsrfRejected", "Forbidden", "InvalidRequest", "NotAuthenticated", "Principal"]
