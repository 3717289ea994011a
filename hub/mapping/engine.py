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
from typing import Any, Protocol

from hub.errors import MappingError

EVALUATION_TIMEOUT_S = 5.0
MAX_DEPTH = 500

Functions = Mapping[str, Callable[..., Any]]


class Compiled(Protocol):
    source: str

    def evaluate(self, data: Any, bindings: Mapping[str, Any] | None = None,
                 functions: Functions | None = None) -> Any: ...


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
                 functions: Functions | None = None) -> Any:
        import jlens

        env = {**(bindings or {}), **(functions or {})}
        try:
            return self.expr.evaluate(data, env, timeout=EVALUATION_TIMEOUT_S, max_depth=MAX_DEPTH)
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
                 functions: Functions | None = None) -> Any:
        import jsonata

        with self._lock:
            frame = self.expr.create_frame()
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
            except MappingError:
                raise
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
