"""Shared fixtures: settings on a fresh database, the quickstart config, a real target, a running hub.

PostgreSQL and Redis fixtures connect to the servers on this machine and FAIL (never skip)
when they are missing: the test command starts them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.runtime import Hub
from hub.settings import REPO_ROOT, Settings, load_settings
from tests.support.target import Target

QUICKSTART = REPO_ROOT / "examples" / "quickstart"
PG_ADMIN_URL = os.environ.get("HUB_TEST_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("HUB_TEST_REDIS", "redis://127.0.0.1:6379/0")
FAST_RETRY_ENV = "HUB_TEST_FAST"


@pytest.fixture
def target() -> Iterator[Target]:
    with Target() as t:
        yield t


@pytest.fixture
def make_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {"database_url": f"sqlite:///{tmp_path}/hub.db", "config_dir": QUICKSTART,
                                     "worker_threads": 4, "sweep_interval_s": 0.5, "sweep_grace_s": 1.0,
                                     "env": "development"}  # the tests sign with the development secrets
        values.update(overrides)
        return load_settings(**values)
    return make


FAST_RETRY = """
retry:
  in_place_attempts: 2
  in_place_max: 1s
  schedule: [0.3s, 0.3s]
  jitter: 0
"""


@pytest.fixture
def fast_config(tmp_path: Path) -> Path:
    """The quickstart config with the ledger retrying in fractions of a second (2 rounds, then dead)."""
    import re
    import shutil

    dest = tmp_path / "config"
    shutil.copytree(QUICKSTART, dest, symlinks=False)
    ledger = dest / "connectors" / "ledger.yaml"
    text, replaced = re.subn(r"retry:[^\n]*\n(  .*\n)+", FAST_RETRY.lstrip("\n"), ledger.read_text(encoding="utf-8"))
    assert replaced == 1, "the quickstart ledger's retry block was not found: the fast schedule would not apply"
    ledger.write_text(text, encoding="utf-8")
    return dest


@pytest.fixture
def point_ledger_at(monkeypatch: pytest.MonkeyPatch):
    def point(url: str) -> None:
        monkeypatch.setenv("HUB_URL_LEDGER", url)
    return point


@pytest.fixture
def hub(make_settings, fast_config: Path, target: Target, point_ledger_at) -> Iterator[Hub]:
    """An embedded hub (SQLite, in-process broker, worker threads) delivering to ``target``."""
    point_ledger_at(target.url)
    h = Hub.build(make_settings(config_dir=fast_config))
    h.start_workers()
    yield h
    h.stop()


@pytest.fixture(scope="session")
def pg_admin():
    """The PostgreSQL server on this machine; fails the run if it is down."""
    import sqlalchemy as sa

    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as c:
            c.execute(sa.text("SELECT 1"))
    except Exception as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc}. Start it (see README).")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url(pg_admin) -> Iterator[str]:
    """A fresh database for one test, dropped afterwards."""
    import sqlalchemy as sa

    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    with pg_admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with pg_admin.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def redis_namespace() -> Iterator[str]:
    """A Redis namespace of one test's own; keys are deleted afterwards. Fails if Redis is down."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except Exception as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {exc}. Start it (see README).")
    ns = f"hub-test-{uuid.uuid4().hex[:10]}"
    yield ns
    for key in client.scan_iter(f"{ns}*"):
        client.delete(key)
    client.close()
