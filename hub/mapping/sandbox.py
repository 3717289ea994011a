"""Untrusted JSONata (the playground's edited source) runs in a separate process with limits.

A viewer can type any expression into the playground. In the hub's own
process an expression like ``$count([1..1e7].[1..1e7])`` could exhaust memory
and one that loops would hold the interpreter for its whole timeout, stalling
webhooks and health checks. Here each evaluation goes to a warm child process
(``python -m hub.mapping.sandbox``, a fresh interpreter that inherits nothing
of the hub's threads) that runs with an address-space limit and the engine's
own step, depth and size limits; the parent waits at most
:data:`SANDBOX_TIMEOUT_S` and kills the child on breach. A killed child is
replaced on the next call.

``$xref`` needs the live cross-reference, which only the parent can read: the
child asks over its pipe (JSON lines) and the parent answers, so the child
holds no database connection. ``$codemap`` reads the code tables in the child.
"""

from __future__ import annotations

import json
import os
import queue
import resource
import select
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.errors import MappingError
from hub.mapping.engine import UNTRUSTED_LIMITS
from hub.mapping.functions import XrefResolver

SANDBOX_TIMEOUT_S = 5.0
"""Wall-clock time one evaluation may take, from the request to the answer."""
SANDBOX_MEMORY_BYTES = 768 * 1024 * 1024
"""Address space a sandbox process may grow by beyond what it has when it starts."""
SANDBOX_PROCESSES = 2
"""Evaluations that may run at once; further ones wait for a free process."""
START_TIMEOUT_S = 30.0

_XREF, _OK, _ERROR, _READY = "xref", "ok", "error", "ready"


@dataclass(frozen=True)
class Job:
    source: str
    data: Any
    bindings: dict[str, Any]
    origin: str
    target: str
    file: str


class Sandbox:
    """A small pool of limited processes evaluating untrusted expressions for one engine."""

    def __init__(self, *, engine: str, codes_root: Path, processes: int = SANDBOX_PROCESSES,
                 timeout_s: float = SANDBOX_TIMEOUT_S, memory_bytes: int = SANDBOX_MEMORY_BYTES):
        self.engine = engine
        self.codes_root = codes_root
        self.timeout_s = timeout_s
        self.memory_bytes = memory_bytes
        self._idle: queue.Queue[_Child | None] = queue.Queue()
        for _ in range(processes):
            self._idle.put(None)  # a slot; its process starts on first use
        self._closed = False

    def evaluate(self, source: str, data: Any, *, bindings: dict[str, Any], origin: str, target: str,
                 xref: XrefResolver, file: str) -> Any:
        """The result of ``source`` on ``data``; :class:`MappingError` for any failure, limits included."""
        if self._closed:
            raise MappingError("the mapping sandbox is shut down")
        try:
            child = self._idle.get(timeout=self.timeout_s * 2)
        except queue.Empty:
            raise MappingError("the playground is busy with other evaluations; try again in a moment",
                               code="busy") from None
        try:
            if child is None or not child.alive():
                child = _Child.start(self.engine, self.codes_root, self.memory_bytes)
            return child.run(Job(source, data, bindings, origin, target, file), xref, self.timeout_s)
        except BaseException:
            if child is not None:
                child.kill()
            child = None
            raise
        finally:
            self._idle.put(child)

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                child = self._idle.get_nowait()
            except queue.Empty:
                return
            if child is not None:
                child.kill()


class _Child:
    """One sandbox process, spoken to in JSON lines over its standard input and output."""

    def __init__(self, process: subprocess.Popen[bytes], memory_bytes: int):
        self.process = process
        self.memory_bytes = memory_bytes
        self._buffer = b""

    @classmethod
    def start(cls, engine: str, codes_root: Path, memory_bytes: int) -> _Child:
        process = subprocess.Popen(
            [sys.executable, "-m", "hub.mapping.sandbox", engine, str(codes_root), str(memory_bytes)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True)
        child = cls(process, memory_bytes)
        try:
            ready = child._read(time.monotonic() + START_TIMEOUT_S)
        except EOFError:
            ready = None
        if ready != {_READY: True}:
            child.kill()
            raise MappingError("the mapping sandbox did not start")
        return child

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, job: Job, xref: XrefResolver, timeout_s: float) -> Any:
        deadline = time.monotonic() + timeout_s
        self._send({"job": job.__dict__})
        while True:
            try:
                reply = self._read(deadline)
            except EOFError:
                self.kill()
                raise MappingError("the expression used more memory than the playground allows "
                                   f"({self.memory_bytes // 2**20} MB) and was stopped", code="memory",
                                   file=job.file) from None
            if reply is None:
                self.kill()
                raise MappingError(f"the expression ran longer than {timeout_s:g} s and was stopped "
                                   "(is there an endless recursion or a very large range?)",
                                   code="timeout", file=job.file)
            if _XREF in reply:
                try:
                    self._send({"answer": xref(*reply[_XREF])})
                except Exception as exc:  # the store's fault, reported as the lookup's answer
                    self._send({"failed": f"$xref failed: {exc}"})
            elif _OK in reply:
                return reply[_OK]
            else:
                error = reply[_ERROR]
                raise MappingError(error["message"], file=job.file, position=error.get("position"),
                                   code=error.get("code"))

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()

    def _send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(message).encode() + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the child is gone: the next read says so

    def _read(self, deadline: float) -> dict[str, Any] | None:
        """The next message; ``None`` when the deadline passes, :class:`EOFError` when the child has ended."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise EOFError
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        message: dict[str, Any] = json.loads(line)
        return message


def _serve(engine_name: str, codes_root: str, memory_bytes: int) -> None:
    """The child's loop: one job at a time until its standard input closes."""
    from hub.mapping.engine import make_engine
    from hub.mapping.functions import CodeTables, hub_functions

    engine = make_engine(engine_name)
    codes = CodeTables(Path(codes_root))
    _limit_memory(memory_bytes)
    out = sys.stdout.buffer
    lines = sys.stdin.buffer

    def send(message: dict[str, Any]) -> None:
        out.write(json.dumps(message, default=str).encode() + b"\n")
        out.flush()

    def ask_parent(entity: str, value: str, frm: str, to: str) -> Any:
        send({_XREF: [entity, value, frm, to]})
        answer = json.loads(lines.readline() or b"{}")
        if "failed" in answer:
            raise MappingError(answer["failed"])
        return answer.get("answer")

    send({_READY: True})
    for line in lines:
        job = Job(**json.loads(line)["job"])
        try:
            functions = hub_functions(source=job.origin, target=job.target, xref=ask_parent, codes=codes)
            compiled = engine.compile(job.source, file=job.file)
            send({_OK: compiled.evaluate(job.data, job.bindings, functions, limits=UNTRUSTED_LIMITS)})
        except MappingError as exc:
            send({_ERROR: {"message": exc.message, "position": exc.position, "code": exc.code}})
        except MemoryError:
            send({_ERROR: {"message": "the expression used more memory than the playground allows",
                           "code": "memory"}})
        except RecursionError:
            send({_ERROR: {"message": "the expression nests or recurses too deeply", "code": "depth"}})


def _limit_memory(extra_bytes: int) -> None:
    with open("/proc/self/statm") as f:
        current = int(f.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (current + extra_bytes, current + extra_bytes))


if __name__ == "__main__":
    _serve(sys.argv[1], sys.argv[2], int(sys.argv[3]))
