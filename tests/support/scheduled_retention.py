"""One process that asks for the sweeper's retention run at a signal: ``python scheduled_retention.py DIR``.

It builds a hub from the environment, writes ``DIR/ready-<pid>``, waits for ``DIR/go`` and prints
``ran`` when it applied the policy (an empty line when another process had taken the period's run).
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
    print("ran" if hub.retention.run_scheduled() is not None else "", flush=True)
finally:
    hub.stop()
