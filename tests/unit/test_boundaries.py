"""The boundary between the hub and the reference systems holds in both directions.

`mocks/` are other companies' systems: the hub starts them as a separate process and talks to
them over HTTP, and they reach the hub the same way (webhooks, ``hub up`` as a subprocess).
Neither side imports the other.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.settings import REPO_ROOT

IMPORTING_MODULES = ("importlib.import_module", "__import__", "import_module")


def _python_files(package: str) -> Iterator[Path]:
    yield from sorted((REPO_ROOT / package).rglob("*.py"))


def _imports_of(path: Path) -> Iterator[tuple[int, str]]:
    """Every module ``path`` imports (at any depth, inside functions too), with its line; plus the
    string given to ``importlib.import_module`` / ``__import__``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in IMPORTING_MODULES and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield node.lineno, first.value


def _offences(package: str, forbidden: str) -> list[str]:
    return [f"{path.relative_to(REPO_ROOT)}:{line} imports {module}"
            for path in _python_files(package) for line, module in _imports_of(path)
            if module == forbidden or module.startswith(forbidden + ".")]


def test_no_module_of_the_hub_imports_the_reference_systems():
    assert _offences("hub", "mocks") == []


def test_no_reference_system_imports_the_hub():
    assert _offences("mocks", "hub") == []


@pytest.mark.parametrize("root", ["hub.cli", "hub.api", "hub.runtime"])
def test_loading_the_hub_loads_no_reference_system(root: str):
    """The command line (with ``hub up``'s search for the mocks), the API and the runtime, loaded in a
    fresh interpreter, leave no ``mocks`` module behind."""
    code = (f"import json, sys; import {root}; "
            "from hub import cli; cli._mocks_available(); "
            "print(json.dumps(sorted(m for m in sys.modules if m == 'mocks' or m.startswith('mocks.'))))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_hub_finds_the_reference_systems_without_importing_them():
    from hub.cli import _mocks_available

    assert _mocks_available() is True
