"""Several hub processes asking for one scheduled job at the same moment (retention, reconciliation)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.waiting import eventually

SCRIPT = Path(__file__).parent / "scheduled_job.py"


def ask_at_once(job: str, *, env: dict[str, str], folder: Path, processes: int) -> list[str]:
    """Start ``processes`` hubs, let them ask for ``job`` together, and return what each printed (stripped)."""
    procs = [subprocess.Popen([sys.executable, str(SCRIPT), str(folder), job], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(processes)]
    try:
        eventually(lambda: len(list(folder.glob("ready-*"))) == processes, timeout=180,
                   what="every process ready", interval=0.2)
        (folder / "go").touch()  # all ask at once
        outputs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            p.kill()
    assert all(p.returncode == 0 for p in procs), [err[-2000:] for _, err in outputs]
    return [out.strip() for out, _ in outputs]
