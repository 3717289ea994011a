"""The README's quickstart, run exactly as written: pasted into bash on a fresh checkout, it works.

The blocks are found by their marker comments (``<!-- readme-test: NAME … -->`` before a ```bash
fence) and run in one bash, in a temporary folder holding the repository's ``examples/`` and
``.venv`` (so its ``.hub/`` database is new), on a free port (``HUB_PORT``) with the ledger on
another (``HUB_URL_LEDGER``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

from hub.settings import REPO_ROOT
from tests.support.target import free_port

README = REPO_ROOT / "README.md"


def readme_block(name: str) -> str:
    """The bash block after the marker ``<!-- readme-test: name …-->`` in README.md."""
    text = README.read_text(encoding="utf-8")
    found = re.search(rf"<!-- readme-test: {re.escape(name)}\b[^>]*-->\n```bash\n(.*?)\n```", text, re.S)
    assert found, f"README.md has no bash block marked readme-test: {name}"
    return found.group(1)


def run_in_fresh_copy(tmp_path: Path, script: str, timeout: float) -> subprocess.CompletedProcess[str]:
    work = tmp_path / "checkout"
    work.mkdir()
    shutil.copytree(REPO_ROOT / "examples", work / "examples")
    (work / ".venv").symlink_to(REPO_ROOT / ".venv")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(HOME=str(tmp_path), HUB_PORT=str(free_port()), HUB_URL_LEDGER=f"http://127.0.0.1:{free_port()}")
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("w") as stdout, err.open("w") as stderr:  # files: the background hub keeps pipes open
        proc = subprocess.Popen(["bash", "-c", f"set -e\n{script}"], cwd=work, env=env, stdout=stdout,
                                stderr=stderr, text=True, start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)  # the hub and the ledger the snippet left in the background
    return subprocess.CompletedProcess(proc.args, proc.returncode, out.read_text(), err.read_text())


def json_after(marker: str, out: str) -> object:
    """The JSON document printed after the line containing ``marker`` (json.tool's indented output)."""
    rest = out[out.index(marker):]
    start = rest.index("\n{") + 1
    return json.JSONDecoder().raw_decode(rest[start:])[0]


def test_the_readme_quickstart_accepts_the_order_and_lists_it_then_the_tour_retries_it_to_delivered(tmp_path):
    quickstart, tour = readme_block("quickstart"), readme_block("tour")
    assert "${HUB_PORT:-8000}" in quickstart  # pasteable as is: 8000 unless HUB_PORT says otherwise
    marker = "echo '--- tour'"
    result = run_in_fresh_copy(tmp_path, f"{quickstart}\n{marker}\n{tour}", timeout=180)
    out = result.stdout
    assert result.returncode == 0, f"stdout:\n{out}\nstderr:\n{result.stderr}"
    assert "hub is up at" in out
    accepted = re.search(r"\{'id': '([0-9a-f-]{36})', 'status': 'accepted'", out)
    assert accepted, out
    listed = json_after("{'id'", out)
    assert [m["id"] for m in listed["items"]] == [accepted.group(1)]  # type: ignore[index]
    assert listed["items"][0]["subject"] == "WS-1"  # type: ignore[index]
    final = json.loads(out[out.rindex("\n{\n"):])  # the tour ends with json.tool's listing of the message
    assert final["items"][0]["status"] == "delivered", out
    assert "ledger: booked /ledger/orders/WS-1" in out
