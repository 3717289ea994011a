"""One process that asks for a sweeper's scheduled job at a signal: ``python scheduled_job.py DIR JOB``.

``JOB`` is ``retention`` or ``reconcile``. It builds a hub from the environment, writes
``DIR/ready-<pid>``, waits for ``DIR/go`` and prints what it did: ``ran`` for the retention policy
applied, the id of the reconciliation run it started — or an empty line when another process had
taken the period's run.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from hub.runtime import Hub
from hub.settings import load_settings

folder, job = Path(sys.argv[1]), sys.argv[2]
hub = Hub.build(load_settings())
try:
    (folder / f"ready-{os.getpid()}").touch()
    while not (folder / "go").exists():
        time.sleep(0.001)
    if job == "retention":
        print("ran" if hub.retention.run_scheduled() is not None else "", flush=True)
    else:
        print(hub.reconciler.run_scheduled() or "", flush=True)
finally:
    hub.stop()
