"""The production deployment files are valid."""

from __future__ import annotations

import shutil
import subprocess

from hub.settings import REPO_ROOT


def test_docker_compose_config_accepts_the_compose_file():
    exe = shutil.which("docker-compose")
    assert exe, "Debian's docker-compose is needed to validate docker-compose.yml (./dev test installs it)"
    result = subprocess.run([exe, "-f", str(REPO_ROOT / "docker-compose.yml"), "config", "--services"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"postgres", "redis", "hub-migrate", "hub-api", "hub-worker", "mocks"}


def test_the_ci_script_runs_exactly_the_readme_test_command():
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "exec ./dev test\n" in ci
    assert "./dev test" in readme and "./dev up" in readme
