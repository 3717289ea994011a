"""`./dev test` is quiet about Debian installs unless they fail, and says how long the tests took."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from hub.settings import REPO_ROOT

DEV = REPO_ROOT / "dev"


def run_function(tmp_path: Path, call: str, *, apt_fails: bool) -> subprocess.CompletedProcess[str]:
    """Run one of dev's shell functions with a stand-in ``apt-get`` that chatters like debconf."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "apt-get"
    fake.write_text("#!/bin/sh\necho 'debconf: delaying package configuration, since apt-utils is not installed'\n"
                    f"exit {1 if apt_fails else 0}\n")
    fake.chmod(0o755)
    (bin_dir / "id").write_text("#!/bin/sh\necho 0\n")  # dev installs Debian packages only as root
    (bin_dir / "id").chmod(0o755)
    functions = re.search(r"^say\(\).*?(?=^services\(\))", DEV.read_text(), re.S | re.M)
    assert functions, "dev defines say() … before services()"
    script = f"set -euo pipefail\nVENV={tmp_path}\n{functions.group(0)}\n{call}\n"
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    return subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=30)


def test_a_debian_install_that_succeeds_prints_one_line_and_no_debconf_chatter(tmp_path):
    result = run_function(tmp_path, "apt_install no-such-command-xyz some-package", apt_fails=False)
    assert result.returncode == 0
    assert "debconf" not in result.stdout + result.stderr
    assert "installing some-package (Debian)" in result.stdout


def test_a_debian_install_that_fails_shows_its_log_and_stops(tmp_path):
    result = run_function(tmp_path, "apt_install no-such-command-xyz some-package", apt_fails=True)
    assert result.returncode == 1
    assert "debconf: delaying" in result.stderr and "installing some-package failed" in result.stderr


def test_dev_test_reports_how_long_the_tests_took_and_keeps_their_exit_status():
    text = DEV.read_text()
    test_branch = text[text.index("  test)"):text.index(";;", text.index("  test)"))]
    assert 'exec "$VENV/bin/python" -m pytest' not in test_branch  # it must come back to print the time
    assert "tests took" in test_branch and 'exit "$status"' in test_branch
