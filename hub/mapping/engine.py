"""One small interface over two JSONata engines: compile once, evaluate with bindings.

``jlens`` (Rust, on PyPI) is the default: 5–15× faster than jsonata-python
on the shipped mappings (``python -m benchmarks.mapping_engines``). ``jsonata-python`` is the
pure-Python fallback (``HUB_MAPPING_ENGINE=jsonata-python``). Both get the
same hub functions as plain Python callables, and both raise
:class:`~hub.errors.MappingError` with the file and position.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from hub.errors import MappingError

Functions = Mapping[str, Callable[..., Any]]


@dataclass(frozen=True, kw_only=True)
class Limits:
    """What one evaluation may spend before it fails with a :class:`MappingError`.

    ``max_steps``, ``max_array`` and ``max_string`` bind jlens only (jsonata-python has a
    time and a depth limit alone); ``None`` means no limit.
    """

    timeout_s: float
    max_depth: int
    max_steps: int | None = None
    max_array: int | None = None
    max_string: int | None = None


TRUSTED_LIMITS = Limits(timeout_s=5.0, max_depth=500, max_steps=10_000_000, max_array=1_000_000)
"""The mapping files of the configuration: fast, in process; a runaway one fails its message."""
UNTRUSTED_LIMITS = Limits(timeout_s=4.0, max_depth=200, max_steps=20_000_000, max_array=1_000_000,
                          max_string=10_000_000)
"""Source typed into the playground, evaluated in :mod:`hub.mapping.sandbox` (which also bounds memory)."""


class Compiled(Protocol):
    source: str

    def evaluate(self, data: Any, bindings: Mapping[str, Any] | None = None,
                 functions: Functions | None = None, *, limits: Limits = TRUSTED_LIMITS) -> Any: ...


class Engine(Protocol):
    name: str

    def compile(self, source: str, *, file: str | None = None) -> Compiled: ...


class JlensEngine:
    name = "jlens"

    def compile(self, source: str, *, file: str | None = None) -> Compiled:
        import jlens

        try:
            return _JlensCompiled(jlens.Expression(source), source, file)
        except jlens.JlensError as exc:
            raise MappingError(str(exc), file=file, position=exc.position, code=exc.code) from None


class _JlensCompiled:
    def __init__(self, expr: Any, source: str, file: str | None):
        self.expr = expr
        self.source = source
        self.file = file

    def evaluate(self, data: Any, bindings: Mapping[str, Any] | None = None,
                 functions: Functions | None = None, *, limits: Limits = TRUSTED_LIMITS) -> Any:
        import jlens

        env = {**(bindings or {}), **(functions or {})}
        try:
            return self.expr.evaluate(data, env, timeout=limits.timeout_s, max_depth=limits.max_depth,
                                      max_steps=limits.max_steps, max_array_length=limits.max_array,
                                      max_string_length=limits.max_string)
        except MappingError as exc:
            exc.file = exc.file or self.file
            raise
        except jlens.JlensError as exc:
            raise MappingError(str(exc), file=self.file, position=exc.position, code=exc.code) from None


class JsonataPythonEngine:
    name = "jsonata-python"

    def compile(self, source: str, *, file: str | None = None) -> Compiled:
        import jsonata

        try:
            return _JsonataPythonCompiled(jsonata.Jsonata(source), source, file)
        except jsonata.JException as exc:
            raise MappingError(str(exc), file=file, position=getattr(exc, "location", None),
                               code=getattr(exc, "error", None)) from None


class _JsonataPythonCompiled:
    def __init__(self, expr: Any, source: str, file: str | None):
        self.expr = expr
        self.source = source
        self.file = file
        self._lock = threading.Lock()  # jsonata-python keeps evaluation state on the expression

    def evaluate(self, data: Any, bindings: Mapping[str, Any] | None = None,
                 functions: Functions | None = None, *, limits: Limits = TRUSTED_LIMITS) -> Any:
        import jsonata

        with self._lock:
            frame = self.expr.create_frame()
            frame.set_runtime_bounds(int(limits.timeout_s * 1000), limits.max_depth)
            for name, value in (bindings or {}).items():
                frame.bind(name, value)
            for name, fn in (functions or {}).items():
                frame.bind(name, jsonata.Jsonata.JLambda(fn))
            try:
                return _plain(self.expr.evaluate(data, frame))
            except MappingError as exc:
                exc.file = exc.file or self.file
                raise
            except jsonata.JException as exc:
                raise MappingError(str(exc), file=self.file, position=getattr(exc, "location", None),
                                   code=getattr(exc, "error", None)) from None
            except MemoryError:  # the sandbox's address-space limit, met inside the engine
                raise MappingError("the expression used more memory than it may", file=self.file,
                                   code="memory") from None
            except Exception as exc:  # a host function's own error
                cause = exc.__cause__ or exc.__context__
                if isinstance(cause, MappingError):
                    cause.file = cause.file or self.file
                    raise cause from None
                raise MappingError(f"{type(exc).__name__}: {exc}", file=self.file) from None


def _plain(value: Any) -> Any:
    """jsonata-python returns its own list subclass for sequences; give back plain JSON values."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


ENGINES: dict[str, Callable[[], Engine]] = {"jlens": JlensEngine, "jsonata-python": JsonataPythonEngine}


def make_engine(name: str) -> Engine:
    try:
        return ENGINES[name]()
    except KeyError:
        raise MappingError(f"unknown mapping engine {name!r}; choose from {', '.join(ENGINES)}") from None
