"""``hub worker`` whose translation of a web shop order numbered ``DIE-…`` kills its own process, as a
crash in native code or an exhausted memory would — while the file named by ``HUB_TEST_DIE_SWITCH``
exists. The fault tests' poison translation: ``python tests/support/dying_worker.py worker``.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from hub.pipeline import inbound

POISON_PREFIX = "DIE-"
_read_native = inbound.read_native


def _dying_read_native(registry: Any, connector: str, body: Any, **kwargs: Any) -> Any:
    number = str(((body or {}).get("order") or {}).get("number", "")) if isinstance(body, dict) else ""
    switch = os.environ.get("HUB_TEST_DIE_SWITCH")
    if number.startswith(POISON_PREFIX) and switch and Path(switch).exists():
        os.kill(os.getpid(), signal.SIGKILL)
    return _read_native(registry, connector, body, **kwargs)


inbound.read_native = _dying_read_native  # before the translator imports it

import hub.translate  # noqa: E402

hub.translate.read_native = _dying_read_native  # type: ignore[attr-defined]

from hub.cli import app  # noqa: E402

if __name__ == "__main__":
    app()
