"""Users, sessions and API tokens: who may come in, and as whom.

Passwords are argon2 hashes (:mod:`hub.auth.passwords`); tokens are random and
only their SHA-256 is stored (a token has 256 bits of entropy, so a fast hash
is the right tool — unlike a password). Everything returns views, never rows.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from hub.auth.roles import ROLE_PERMISSIONS, ROLES, SCOPES, Principal, permissions_for_scopes
from hub.auth.views import NewToken, TokenView, UserView
from hub.errors import InvalidRequest, NotFound
from hub.ids import new_id
from hub.store import Database
from hub.store.models import ApiToken, AuditEntry, User

log = logging.getLogger("hub.auth")

TOKEN_PREFIX = "hub_"
TOKEN_BYTES = 32
SHOWN_PREFIX_CHARS = 12
TOKEN_TOUCH_INTERVAL_S = 60.0
"""``last_used_at`` is written at most this often per token, so reads do not become writes."""
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,100}$")
MAX_TOKEN_DAYS = 3650
"""Longest lifetime a token may be given (ten years); without one, a token lives until revoked."""
LOGOUT = "logout"
"""The audit action that ends a session: its target is the session id, refused from then on."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AuthService:
    def __init__(self, db: Database):
        self.db = db

    # ------------------------------------------------------------------ users
    def ensure_admin(self, username: str, password: str) -> bool:
        """Create the first admin when there is no admin yet; True if it was created.

        (Only the absence of an *admin* counts: users added first from the CLI must not lock
        the hub out of its users and tokens pages.)
        """
        with self.db.session() as s:
            if s.scalar(select(func.count()).select_from(User).where(User.role == "admin")):
                return False
            if s.scalar(select(User.id).where(User.username == username)):
                log.warning("no admin exists and %r is taken by a non-admin: set HUB_ADMIN_USER to a free name "
                            "or give %r the admin role with `hub users`", username, username)
                return False
        try:
            self.create_user(username, password, "admin", check_strength=False)
        except InvalidRequest:  # another replica created it first
            return False
        log.info("created the first admin user %r", username)
        return True

    def has_admin(self) -> bool:
        with self.db.session() as s:
            return bool(s.scalar(select(func.count()).select_from(User).where(User.role == "admin")))

    def create_user(self, username: str, password: str, role: str, *, check_strength: bool = True) -> UserView:
        if not USERNAME.match(username):
            raise InvalidRequest("a username is 1–100 letters, digits or . _ @ -")
        self._check_role(role)
        if check_strength:
            self._check_password(password)
        now = datetime.now(UTC)
        user = User(id=new_id(), username=username, password_hash=hash_password(password), role=role,
                    active=True, created_at=now, updated_at=now, password_changed_at=now)
        try:
            with self.db.session() as s:
                s.add(user)
        except IntegrityError:
            raise InvalidRequest(f"a user named {username!r} already exists") from None
        return _user_view(user)

    def list_users(self) -> list[UserView]:
        with self.db.session() as s:
            return [_user_view(u) for u in s.scalars(select(User).order_by(User.username))]

    def get_user(self, user_id: str) -> UserView:
        with self.db.session() as s:
            u = s.get(User, user_id)
            if u is None:
                raise NotFound(f"no user {user_id}")
            return _user_view(u)

    def update_user(self, user_id: str, *, role: str | None = None, active: bool | None = None,
                    password: str | None = None) -> UserView:
        """Change a role, (de)activate, or set a new password (which ends the user's sessions)."""
        now = datetime.now(UTC)
        with self.db.session() as s:
            u = s.get(User, user_id, with_for_update=True)
            if u is None:
                raise NotFound(f"no user {user_id}")
            was_active_admin = u.role == "admin" and u.active
            if role is not None:
                self._check_role(role)
                u.role = role
            if active is not None:
                u.active = active
            if password is not None:
                self._check_password(password)
                u.password_hash = hash_password(password)
                u.password_changed_at = now
            if was_active_admin and not self._an_active_admin_remains(s):
                raise InvalidRequest("this would leave the hub without an active admin")
            u.updated_at = now
            return _user_view(u)

    def authenticate(self, username: str, password: str) -> Principal | None:
        """The user, if the name and password match an active account; records the login time."""
        with self.db.session() as s:
            u = s.scalar(select(User).where(User.username == username)) if USERNAME.match(username) else None
            ok, new_hash = verify_password(password, u.password_hash if u else None)
            if u is None or not ok or not u.active:
                return None
            if new_hash:
                u.password_hash = new_hash
            u.last_login_at = datetime.now(UTC)
            return _user_principal(u)

    def has_password(self, username: str, password: str) -> bool:
        """Whether ``password`` opens ``username``'s account (to warn about development defaults)."""
        with self.db.session() as s:
            u = s.scalar(select(User).where(User.username == username))
        return bool(u and u.active and verify_password(password, u.password_hash)[0])

    def session_principal(self, user_id: str, login_at: datetime, session_id: str) -> Principal | None:
        """The user of a session, if still active, the session began after the last password change
        and was not logged out."""
        with self.db.session() as s:
            u = s.get(User, user_id)
            if u is None or not u.active or login_at < u.password_changed_at - timedelta(seconds=1):
                return None
            ended = s.scalar(select(AuditEntry.id).where(
                AuditEntry.action == LOGOUT, AuditEntry.actor == u.username, AuditEntry.target == session_id,
                AuditEntry.at >= login_at - timedelta(seconds=1)).limit(1))
            return None if ended else _user_principal(u)

    def end_session(self, who: Principal, session_id: str, *, via: str = "ui") -> None:
        """Log a session out for good: the ``logout`` audit entry naming it is what refuses it from now on."""
        with self.db.session() as s:
            s.add(AuditEntry(id=new_id(), at=datetime.now(UTC), actor=who.actor[:100], action=LOGOUT,
                             target=session_id, via=via, detail=None))

    # ------------------------------------------------------------------ tokens
    def create_token(self, name: str, scopes: list[str], *, created_by: str | None,
                     expires_in_days: int | None = None) -> NewToken:
        """A new token; its plain value is returned this once and never stored."""
        name = name.strip()
        if not name or len(name) > 100 or any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
            raise InvalidRequest("a token needs a name of 1–100 characters, none of them a control character")
        if expires_in_days is not None and not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
            raise InvalidRequest(f"a token expires in 1–{MAX_TOKEN_DAYS} days (or never, when left empty)")
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown or not scopes:
            raise InvalidRequest(f"scopes must be some of {', '.join(SCOPES)}" +
                                 (f" (unknown: {', '.join(unknown)})" if unknown else ""))
        plain = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        now = datetime.now(UTC)
        row = ApiToken(id=new_id(), name=name, token_hash=token_hash(plain), prefix=plain[:SHOWN_PREFIX_CHARS],
                       scopes=sorted(set(scopes)), created_by=created_by, created_at=now,
                       expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None)
        with self.db.session() as s:
            s.add(row)
        return NewToken(token=plain, info=_token_view(row))

    def list_tokens(self) -> list[TokenView]:
        with self.db.session() as s:
            return [_token_view(t) for t in s.scalars(select(ApiToken).order_by(ApiToken.created_at.desc()))]

    def revoke_token(self, token_id: str) -> TokenView:
        with self.db.session() as s:
            t = s.get(ApiToken, token_id)
            if t is None:
                raise NotFound(f"no token {token_id}")
            t.revoked_at = t.revoked_at or datetime.now(UTC)
            return _token_view(t)

    def token_principal(self, plain: str) -> Principal | None:
        """The token's principal if it exists, is not revoked and has not expired."""
        now = datetime.now(UTC)
        with self.db.session() as s:
            t = s.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(plain)))
            if t is None or t.revoked_at is not None or (t.expires_at is not None and t.expires_at <= now):
                return None
            if t.last_used_at is None or (now - t.last_used_at).total_seconds() > TOKEN_TOUCH_INTERVAL_S:
                t.last_used_at = now
            return Principal(id=t.id, name=t.name, kind="token", permissions=permissions_for_scopes(t.scopes),
                             scopes=tuple(t.scopes))

    # ------------------------------------------------------------------ checks
    @staticmethod
    def _check_role(role: str) -> None:
        if role not in ROLES:
            raise InvalidRequest(f"role must be one of {', '.join(ROLES)}")

    @staticmethod
    def _check_password(password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidRequest(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")

    @staticmethod
    def _an_active_admin_remains(s: Session) -> bool:
        s.flush()
        return bool(s.scalar(select(func.count()).select_from(User)
                             .where(User.role == "admin", User.active.is_(True))))


def _user_view(u: User) -> UserView:
    return UserView(id=u.id, username=u.username, role=u.role, active=u.active, created_at=u.created_at,
                    last_login_at=u.last_login_at)


def _user_principal(u: User) -> Principal:
    return Principal(id=u.id, name=u.username, kind="user", permissions=ROLE_PERMISSIONS[u.role], role=u.role)


def _token_view(t: ApiToken) -> TokenView:
    return TokenView(id=t.id, name=t.name, prefix=t.prefix, scopes=list(t.scopes), created_by=t.created_by,
                     created_at=t.created_at, expires_at=t.expires_at, last_used_at=t.last_used_at,
                     revoked_at=t.revoked_at)
