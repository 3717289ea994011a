"""Typed settings, read from ``HUB_*`` environment variables (pydantic-settings).

=====================  =================================================  ==============================
variable               meaning                                            default
=====================  =================================================  ==============================
HUB_DATABASE_URL       SQLAlchemy URL (SQLite or PostgreSQL)              ``sqlite:///.hub/hub.db``
HUB_BROKER_URL         unset: in-process broker; ``redis://…``: Redis     unset
HUB_CONFIG_DIR         folder holding ``connectors/`` and ``mappings/``   the repository root
HUB_MAPPING_ENGINE     ``jlens`` (fast, Rust) or ``jsonata-python``       ``jlens``
HUB_WORKER_THREADS     worker threads (embedded and ``hub worker``)       ``8``
HUB_MAX_PAYLOAD_BYTES  largest webhook body accepted                      ``1048576`` (1 MiB)
HUB_SWEEP_INTERVAL_S   how often committed-but-idle work is re-enqueued   ``10``
HUB_SWEEP_GRACE_S      how long work may wait before the sweeper acts     ``30``
HUB_LEASE_S            a delivery in flight is its worker's this long,    ``15``
                       renewed every third of it (``hub.delivery.lease``)
HUB_MAX_WORKER_DEATHS  a delivery whose worker stopped this many times    ``3``
                       is parked as a poison message (dead, with reason)
HUB_POLLER_LEASE_S     a polled source is read by one process, which      ``30``
                       holds its lease this long, renewed at each page
                       or batch (``hub.adapters.state``); a dead
                       leader is replaced once it runs out
HUB_SECRET_<NAME>      a connector's webhook secret (``whsec_…``)         a development secret
HUB_URL_<NAME>         a connector's base URL                             the connector file's base_url
HUB_ADMIN_USER         first dashboard admin, created when no user exists ``admin`` (development only)
HUB_ADMIN_PASSWORD     that admin's password                              ``admin`` (development only)
HUB_SESSION_SECRET     key signing dashboard session cookies (at least    random per process (development
                       32 characters, the same on every API process)      only; required in production)
HUB_SESSION_IDLE_S     a session ends after this long without a request   ``1800`` (30 min)
HUB_SESSION_MAX_S      a session ends this long after login, whatever     ``43200`` (12 h)
HUB_SECURE_COOKIES     send cookies over HTTPS only                       ``true`` in production, else ``false``
HUB_ENV                ``development`` or ``production``                  production when PostgreSQL or
                                                                          Redis is configured, else
                                                                          development
HUB_OUTBOUND_ALLOW     hosts, *.domains, IPs and CIDRs connectors may     this machine in development,
                       call (see :mod:`hub.connectors.allow`)             nothing in production
HUB_TIME_ZONE          the business's time zone: the dashboard shows      the host's zone (``TZ``,
                       times in it (IANA name, e.g. ``Asia/Shanghai``)    ``/etc/timezone``,
                                                                          ``/etc/localtime``), else UTC
=====================  =================================================  ==============================

Misconfiguration fails at start with a message naming the variable. A production start
(see :attr:`Settings.production`) refuses the published development credentials — the
``admin``/``admin`` login, the development webhook secrets and a missing or short
``HUB_SESSION_SECRET`` — naming what to set (:func:`production_problems`,
:func:`session_secret_problem`).
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hub.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:///.hub/hub.db"
DEFAULT_WORKER_THREADS = 8
DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024
DEFAULT_SWEEP_INTERVAL_S = 10.0
DEFAULT_SWEEP_GRACE_S = 30.0
DEFAULT_LEASE_S = 15.0
DEFAULT_MAX_WORKER_DEATHS = 3
DEFAULT_POLLER_LEASE_S = 30.0
DEFAULT_ADMIN_USER = "admin"
DEFAULT_ADMIN_PASSWORD = "admin"
"""Development defaults: the hub logs a warning at start while the admin password is this one."""
DEFAULT_SESSION_IDLE_S = 30 * 60.0
DEFAULT_SESSION_MAX_S = 12 * 3600.0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUB_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    broker_url: str | None = None
    config_dir: Path = REPO_ROOT
    mapping_engine: Literal["jlens", "jsonata-python"] = "jlens"
    worker_threads: int = Field(DEFAULT_WORKER_THREADS, ge=1, le=256)
    max_payload_bytes: int = Field(DEFAULT_MAX_PAYLOAD_BYTES, ge=1024)
    sweep_interval_s: float = Field(DEFAULT_SWEEP_INTERVAL_S, gt=0)
    sweep_grace_s: float = Field(DEFAULT_SWEEP_GRACE_S, ge=0)
    lease_s: float = Field(DEFAULT_LEASE_S, ge=0.3)
    max_worker_deaths: int = Field(DEFAULT_MAX_WORKER_DEATHS, ge=1)
    poller_lease_s: float = Field(DEFAULT_POLLER_LEASE_S, ge=1)
    redis_namespace: str = "hub"
    admin_user: str = Field(DEFAULT_ADMIN_USER, min_length=1, max_length=100)
    admin_password: SecretStr = SecretStr(DEFAULT_ADMIN_PASSWORD)
    session_secret: SecretStr | None = None
    session_idle_s: float = Field(DEFAULT_SESSION_IDLE_S, gt=0)
    session_max_s: float = Field(DEFAULT_SESSION_MAX_S, gt=0)
    secure_cookies: bool | None = None
    env: Literal["development", "production"] | None = None
    outbound_allow: str | None = None
    time_zone: str | None = None

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, v: str) -> str:
        if not v.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        if v.startswith("postgresql://"):
            v = "postgresql+psycopg://" + v.removeprefix("postgresql://")
        return v

    @field_validator("broker_url")
    @classmethod
    def _known_broker(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        if not v.startswith(("redis://", "rediss://")):
            raise ValueError("must be unset (embedded broker) or a redis:// URL")
        return v

    @field_validator("config_dir")
    @classmethod
    def _config_dir_exists(cls, v: Path) -> Path:
        if not (v / "connectors").is_dir():
            raise ValueError(f"{v} has no connectors/ folder")
        return v.resolve()

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}: give an IANA name such as Asia/Shanghai") from None
        return v

    @cached_property
    def zone(self) -> ZoneInfo:
        """The business time zone: ``HUB_TIME_ZONE``, else the host's."""
        return ZoneInfo(self.time_zone or host_time_zone())

    @cached_property
    def embedded(self) -> bool:
        return self.broker_url is None

    @cached_property
    def production(self) -> bool:
        """``HUB_ENV``, else production as soon as PostgreSQL or Redis is configured."""
        if self.env is not None:
            return self.env == "production"
        return self.database_url.startswith("postgresql") or self.broker_url is not None

    @cached_property
    def cookies_https_only(self) -> bool:
        return self.secure_cookies if self.secure_cookies is not None else self.production

    def connector_secret(self, connector: str) -> str:
        """``HUB_SECRET_<CONNECTOR>``, else the development secret shared with the mocks."""
        return os.environ.get(f"HUB_SECRET_{connector.upper()}") or dev_secret(connector)

    def connector_url(self, connector: str, default: str) -> str:
        return os.environ.get(f"HUB_URL_{connector.upper()}") or default


def host_time_zone() -> str:
    """The host's IANA time zone name (``TZ``, ``/etc/timezone``, the ``/etc/localtime`` link), else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    try:
        link = os.readlink("/etc/localtime")
        candidates.append(link.split("zoneinfo/", 1)[1] if "zoneinfo/" in link else "")
    except OSError:
        pass
    for name in candidates:
        if name:
            try:
                ZoneInfo(name)
                return name
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return "UTC"


def dev_secret(connector: str) -> str:
    """``whsec_`` + base64(SHA-256("dev-secret-<connector>")): for laptops only, never production."""
    digest = hashlib.sha256(f"dev-secret-{connector}".encode()).digest()
    return "whsec_" + base64.b64encode(digest).decode()


def production_problems(settings: Settings, connectors: list[str]) -> list[str]:
    """What a production start must not run with: the development webhook secrets, each naming its variable.

    (The ``admin``/``admin`` login is refused where the users are known: :meth:`hub.admin.AdminServices.bootstrap`.)
    """
    if not settings.production:
        return []
    problems = [f"HUB_SECRET_{name.upper()} is unset: connector {name!r} would accept webhooks signed with "
                "the published development secret" for name in sorted(connectors)
                if settings.connector_secret(name) == dev_secret(name)]
    return problems


MIN_SESSION_SECRET_CHARS = 32


def session_secret_problem(secret: str | None) -> str | None:
    """Why ``HUB_SESSION_SECRET`` cannot sign production sessions, or None."""
    hint = ("set HUB_SESSION_SECRET to the same random value on every API process "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)")
    if not secret:
        return f"HUB_SESSION_SECRET is unset: {hint}"
    if len(secret) < MIN_SESSION_SECRET_CHARS:
        return f"HUB_SESSION_SECRET is shorter than {MIN_SESSION_SECRET_CHARS} characters: {hint}"
    return None


PRODUCTION_REFUSAL = ("refusing a production start (HUB_ENV=production, or PostgreSQL/Redis configured; "
                      "HUB_ENV=development for a trial): ")


def check_production(settings: Settings, connectors: list[str]) -> None:
    """Refuse to start in production with development credentials (ConfigError naming each variable)."""
    problems = production_problems(settings, connectors)
    if problems:
        raise ConfigError(PRODUCTION_REFUSAL + "; ".join(problems))


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, failing with the variable's name when one is wrong."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"HUB_{str(e['loc'][0]).upper()}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None
