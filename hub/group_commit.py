"""Group commit: many callers' rows written in one transaction, each caller answered after it.

A caller hands its item over and blocks. If no batch is being written, it becomes the writer:
it takes every item waiting (its own among them, in arrival order, at most ``max_batch``),
writes them with one call of ``write`` — one transaction — and wakes their callers with their
answers. Items that arrive meanwhile wait for the next batch, written by one of their callers.
So there is no writer thread to start, stop or lose, a lone caller writes at once, and under
load the cost of a commit (SQLite's write lock, a PostgreSQL round trip and WAL flush) is shared
by everyone who arrived while the previous one ran.

``write`` returns one answer per item, or raises: then every caller of that batch gets
:class:`BatchFailed` (the cause chained) — nobody is answered for an item whose transaction did
not commit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class BatchFailed(Exception):
    """The batch holding this caller's item was not written; ``__cause__`` says why."""


@dataclass(eq=False)
class _Pending(Generic[T, R]):
    item: T
    done: bool = False
    answer: R | None = None
    error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    def __init__(self, write: Callable[[Sequence[T]], Sequence[R]], *, max_batch: int):
        self.write = write
        self.max_batch = max_batch
        self._cond = threading.Condition()
        self._waiting: list[_Pending[T, R]] = []
        self._writing = False

    @property
    def waiting(self) -> int:
        """Items handed over and not yet taken into a batch."""
        with self._cond:
            return len(self._waiting)

    def submit(self, item: T) -> R:
        """Write ``item`` in the next batch and return its answer once that batch is committed."""
        mine: _Pending[T, R] = _Pending(item)
        with self._cond:
            self._waiting.append(mine)
        while True:
            with self._cond:
                self._cond.wait_for(lambda: mine.done or not self._writing)
                if mine.done:
                    return _outcome(mine)
                self._writing = True
                batch = self._waiting[:self.max_batch]
                del self._waiting[:self.max_batch]
            try:
                self._write(batch)  # more than max_batch waiting ahead of ``mine``: it goes in a later one
            finally:
                with self._cond:
                    self._writing = False
                    self._cond.notify_all()

    def _write(self, batch: list[_Pending[T, R]]) -> None:
        try:
            answers = self.write([p.item for p in batch])
            if len(answers) != len(batch):
                raise RuntimeError(f"group commit: {len(answers)} answers for {len(batch)} items")
        except BaseException as exc:
            for p in batch:
                p.error, p.done = exc, True
            if not isinstance(exc, Exception):
                raise
            return
        for p, answer in zip(batch, answers, strict=True):
            p.answer, p.done = answer, True


def _outcome(p: _Pending[T, R]) -> R:
    if p.error is not None:  # one exception per caller: the batch's own is shared by all of them
        raise BatchFailed(f"the batch of this write failed: {type(p.error).__name__}: {p.error}") from p.error
    return p.answer  # type: ignore[return-value]
