"""The tiny base every reference system is built on.

One import gives a system what all seven share: settings, the SQLite
database, business errors, the signed-webhook outbox, idempotent request
handling, the simulation ticker and the app factory.
"""

from mocks.common.app import SystemSpec, create_app
from mocks.common.config import SYSTEM_PORTS, MockSettings, dev_secret
from mocks.common.db import SessionDep, session_scope
from mocks.common.errors import BusinessError, NotFound
from mocks.common.webhooks import emit

__all__ = [
    "SYSTEM_PORTS",
    "BusinessError",
    "MockSettings",
    "NotFound",
    "SessionDep",
    "SystemSpec",
    "create_app",
    "dev_secret",
    "emit",
    "session_scope",
]
