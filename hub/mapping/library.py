"""Mapping files, compiled once and cached, with the test cases that sit beside them.

A mapping is ``mappings/<system>/<name>.jsonata``. Its test cases, if any,
are ``<name>.tests.yaml`` beside it: a list of cases, each::

    - name: two lines and a Chinese customer name
      input: {...}                 # what the mapping reads
      bindings: {source: crm}      # optional extra $variables
      xref: {customer: {CUS-000101: "100001"}}   # optional fixtures for $xref
      expected: {...}              # exact output; or
      error: "no erp id yet"       # the error the mapping must raise (a substring)
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from hub.errors import ConfigError, MappingError
from hub.mapping.diff import Difference, differences
from hub.mapping.engine import Compiled, Engine, Functions
from hub.mapping.functions import CodeTables, fixture_xref, hub_functions

SUFFIX = ".jsonata"
CASES_SUFFIX = ".tests.yaml"


@dataclass(frozen=True)
class MappingCase:
    name: str
    input: Any
    expected: Any = None
    error: str | None = None
    bindings: dict[str, Any] = field(default_factory=dict)
    xref: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseResult:
    mapping: str
    case: str
    passed: bool
    actual: Any = None
    expected: Any = None
    error: str | None = None
    differences: list[Difference] = field(default_factory=list)
    """Where the actual output differs from the expected one (a failed case that produced a result)."""


@dataclass
class Mapping:
    name: str
    """Path relative to the mappings folder, e.g. ``crm/sales_order_placed.jsonata``."""
    path: Path
    compiled: Compiled
    cases: list[MappingCase]

    @property
    def source(self) -> str:
        return self.compiled.source

    def evaluate(self, data: Any, bindings: dict[str, Any] | None = None,
                 functions: Functions | None = None) -> Any:
        return self.compiled.evaluate(data, bindings, functions)


class MappingLibrary:
    def __init__(self, root: Path, engine: Engine):
        self.root = root
        self.engine = engine
        self.codes = CodeTables(root / "codemaps")
        self._cache: dict[str, Mapping] = {}
        self._lock = threading.Lock()
        self.version = self.digest()
        """The digest of the files this process has loaded (see :meth:`digest`), changed by :meth:`reload`."""

    def get(self, name: str) -> Mapping:
        """The mapping ``name`` (relative path), compiled on first use."""
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        if not is_mapping_name(name):
            raise ConfigError(f"{name!r} is not a mapping name: a relative path inside the mappings folder "
                              f"ending in {SUFFIX}, without '..'")
        with self._lock:
            if name not in self._cache:
                self._cache[name] = self._load(name)
            return self._cache[name]

    def exists(self, name: str) -> bool:
        return is_mapping_name(name) and (self.root / name).is_file()

    def names(self) -> list[str]:
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob(f"*{SUFFIX}"))

    def all(self) -> list[Mapping]:
        return [self.get(n) for n in self.names()]

    def reload(self) -> None:
        with self._lock:
            self._cache.clear()
            self.codes = CodeTables(self.root / "codemaps")
            self.version = self.digest()

    def digest(self) -> str:
        """A short digest of every mapping file and code table on disk: two processes with the same
        digest translate alike, so it names the version a process has loaded."""
        h = hashlib.sha256()
        files = [*self.root.rglob(f"*{SUFFIX}"), *(self.root / "codemaps").rglob("*")]
        for path in sorted(p for p in files if p.is_file()):
            h.update(str(path.relative_to(self.root)).encode() + b"\0" + path.read_bytes() + b"\0")
        return h.hexdigest()[:12]

    def _load(self, name: str) -> Mapping:
        path = self.root / name
        if not path.is_file():
            raise ConfigError(f"mapping file {name} does not exist", file=str(path))
        compiled = self.engine.compile(path.read_text(encoding="utf-8"), file=str(path))
        return Mapping(name=name, path=path, compiled=compiled, cases=_load_cases(path))

    def run_cases(self, mapping: Mapping) -> list[CaseResult]:
        return [self.run_case(mapping, case) for case in mapping.cases]

    def run_case(self, mapping: Mapping, case: MappingCase) -> CaseResult:
        bindings = {"source": "test", "target": "test", **case.bindings}
        functions = hub_functions(source=str(bindings["source"]), target=str(bindings["target"]),
                                  xref=fixture_xref(case.xref), codes=self.codes)
        try:
            actual = mapping.evaluate(case.input, bindings, functions)
        except MappingError as exc:
            if case.error is not None and case.error in str(exc):
                return CaseResult(mapping.name, case.name, True, error=str(exc))
            return CaseResult(mapping.name, case.name, False, expected=case.expected, error=str(exc))
        if case.error is not None:
            return CaseResult(mapping.name, case.name, False, actual=actual,
                              error=f"expected an error containing {case.error!r}, got a result")
        passed = actual == case.expected
        return CaseResult(mapping.name, case.name, passed, actual=actual, expected=case.expected,
                          differences=[] if passed else differences(case.expected, actual))


def is_mapping_name(name: str) -> bool:
    """Whether ``name`` can only name a mapping file inside the mappings folder.

    Names come from configuration and from the dashboard's query strings, so an absolute path,
    a ``..`` segment or another suffix must never reach the file system.
    """
    path = PurePosixPath(name)
    return (bool(name) and "\\" not in name and "\x00" not in name and not path.is_absolute()
            and ".." not in path.parts and name.endswith(SUFFIX))


def _load_cases(path: Path) -> list[MappingCase]:
    cases_path = path.with_name(path.name.removesuffix(SUFFIX) + CASES_SUFFIX)
    if not cases_path.is_file():
        return []
    raw = yaml.safe_load(cases_path.read_text(encoding="utf-8")) or []
    if not isinstance(raw, list):
        raise ConfigError("test cases must be a list", file=str(cases_path), line=1)
    cases = []
    allowed = {"name", "input", "expected", "error", "bindings", "xref"}
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or "name" not in item or "input" not in item:
            raise ConfigError(f"case #{i + 1} needs at least 'name' and 'input'", file=str(cases_path))
        unknown = set(item) - allowed
        if unknown:
            raise ConfigError(f"case {item['name']!r}: unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}",
                              file=str(cases_path))
        if ("expected" in item) == ("error" in item):
            raise ConfigError(f"case {item['name']!r} needs exactly one of 'expected' or 'error'",
                              file=str(cases_path))
        cases.append(MappingCase(name=item["name"], input=item["input"], expected=item.get("expected"),
                                 error=item.get("error"), bindings=item.get("bindings") or {},
                                 xref={k: {str(a): b for a, b in v.items()} for k, v in (item.get("xref") or {}).items()}))
    return cases
