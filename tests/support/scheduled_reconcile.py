"""One process that asks for the sweeper's reconciliation run at a signal: ``python scheduled_reconcile.py DIR``.

It builds a hub from the environment, writes ``DIR/ready-<pid>``, waits for ``DIR/go`` and prints the
id of the run it started (an empty line when another process had started it).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from hub.runtime import Hub
from hub.settings import load_settings

folder = Path(sys.argv[1])
hub = Hub.build(load_settings())
try:
    (folder / f"ready-{os.getpid()}").touch()
    while not (folder / "go").exists():
        time.sleep(0.001)
    print(hub.reconciler.run_scheduled() or "", flush=True)
finally:
    hub.stop()
