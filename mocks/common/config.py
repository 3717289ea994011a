"""Settings of a reference system, read from ``MOCK_*`` environment variables.

Every system reads the same variables, with its name in the ones that
differ per system:

=========================  ==========================================  =========================
variable                   meaning                                     default
=========================  ==========================================  =========================
``MOCK_<SYS>_PORT``        the port it listens on                       9101 … 9108 (see below)
``MOCK_<SYS>_SECRET``      Standard Webhooks secret (``whsec_…``)       :func:`dev_secret`
``MOCK_<SYS>_DATABASE``    SQLAlchemy URL of its state                  ``sqlite:///.mocks/<sys>.db``
``MOCK_HUB_URL``           where its webhooks go (``/webhooks/<sys>``)  ``http://127.0.0.1:8000``
``MOCK_WEBHOOKS``          ``0`` keeps events in the outbox, unsent      ``1``
``MOCK_SIMULATION``        ``1`` lets the system act on its own          ``0``
``MOCK_SIM_INTERVAL``      seconds between simulation ticks             ``2``
``MOCK_SEED``              seed of the simulation's random choices      ``42``
=========================  ==========================================  =========================
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from pydantic import BaseModel, Field

SYSTEM_PORTS: dict[str, int] = {
    "crm": 9101,
    "erp": 9102,
    "mrp": 9103,
    "mes": 9104,
    "wms": 9105,
    "srm": 9106,
    "oa": 9107,
    "audit": 9108,
}
DEFAULT_HUB_URL = "http://127.0.0.1:8000"
DEFAULT_DATA_DIR = ".mocks"
DEFAULT_SIM_INTERVAL_S = 2.0
DEFAULT_SEED = 42


def dev_secret(system: str) -> str:
    """The development webhook secret of ``system``, shared by convention with the hub.

    ``whsec_`` + base64 of SHA-256 of ``"dev-secret-<system>"``: the hub's
    ``HUB_SECRET_<SYSTEM>`` defaults to the same value, so a laptop works
    with no configuration. Production sets real secrets on both sides.
    """
    digest = hashlib.sha256(f"dev-secret-{system}".encode()).digest()
    return "whsec_" + base64.b64encode(digest).decode()


class MockSettings(BaseModel):
    system: str
    port: int
    database_url: str
    hub_url: str = DEFAULT_HUB_URL
    secret: str
    webhooks_enabled: bool = True
    simulation: bool = False
    sim_interval_s: float = Field(default=DEFAULT_SIM_INTERVAL_S, gt=0)
    seed: int = DEFAULT_SEED

    @property
    def webhook_url(self) -> str:
        return f"{self.hub_url.rstrip('/')}/webhooks/{self.system}"

    @classmethod
    def from_env(cls, system: str, **overrides: object) -> MockSettings:
        env = os.environ
        up = system.upper()
        data_dir = Path(env.get("MOCK_DATA_DIR", DEFAULT_DATA_DIR))
        values: dict[str, object] = {
            "system": system,
            "port": int(env.get(f"MOCK_{up}_PORT", SYSTEM_PORTS[system])),
            "database_url": env.get(f"MOCK_{up}_DATABASE", f"sqlite:///{data_dir / (system + '.db')}"),
            "hub_url": env.get("MOCK_HUB_URL", DEFAULT_HUB_URL),
            "secret": env.get(f"MOCK_{up}_SECRET", dev_secret(system)),
            "webhooks_enabled": env.get("MOCK_WEBHOOKS", "1") not in ("0", "false", "no"),
            "simulation": env.get("MOCK_SIMULATION", "0") in ("1", "true", "yes"),
            "sim_interval_s": float(env.get("MOCK_SIM_INTERVAL", DEFAULT_SIM_INTERVAL_S)),
            "seed": int(env.get("MOCK_SEED", DEFAULT_SEED)),
        }
        values.update(overrides)
        return cls(**values)
