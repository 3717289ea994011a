"""Group commit: many callers' rows written in one transaction, each caller answered after it.

A caller hands its item over and waits: a thread blocks (:meth:`GroupCommit.submit`), a coroutine
awaits a future on its event loop (:meth:`GroupCommit.submit_async`), so a request waiting for its
commit holds no thread. One writer thread per busy spell takes every item waiting (in arrival
order, at most ``max_batch``), writes them with one call of ``write`` — one transaction — answers
their callers and takes the next batch, until none is waiting; then it ends, and the next item
starts another. (A blocked thread that finds nobody writing writes the first batch itself.) So there is no long-lived thread to stop or lose, and under load the cost of a
commit (SQLite's write lock, a PostgreSQL round trip and WAL flush) is shared by everyone who
arrived while the previous one ran.

``write`` returns one answer per item, or raises: then every caller of that batch gets
:class:`BatchFailed` (the cause chained) — nobody is answered for an item whose transaction did
not commit.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger("hub.group_commit")


class BatchFailed(Exception):
    """The batch holding this caller's item was not written; ``__cause__`` says why."""


@dataclass(eq=False)
class _Pending(Generic[T, R]):
    item: T
    future: asyncio.Future[R] | None = None
    """Set for a caller on an event loop: resolved there; otherwise ``done`` wakes a blocked thread."""
    done: threading.Event = field(default_factory=threading.Event)
    answer: R | None = None
    error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    def __init__(self, write: Callable[[Sequence[T]], Sequence[R]], *, max_batch: int, name: str = "group-commit"):
        self.write = write
        self.max_batch = max_batch
        self.name = name
        self._lock = threading.Lock()
        self._waiting: list[_Pending[T, R]] = []
        self._writing = False

    @property
    def waiting(self) -> int:
        """Items handed over and not yet taken into a batch."""
        with self._lock:
            return len(self._waiting)

    def submit(self, item: T) -> R:
        """Write ``item`` in the next batch and return its answer once that batch is committed.

        A thread that finds no batch being written writes its own in its own thread (it would wait
        anyway): a lone caller costs no thread and no wake-up. Whoever arrived meanwhile is written
        in the next batch, by a writer thread.
        """
        mine: _Pending[T, R] = _Pending(item)
        with self._lock:
            self._waiting.append(mine)
            lead = not self._writing
            self._writing = True
        if lead:
            self._lead()
        mine.done.wait()
        return _outcome(mine)

    def _lead(self) -> None:
        """Write one batch in the calling thread (its caller's item is in it), then hand on the rest."""
        with self._lock:
            batch = self._waiting[:self.max_batch]
            del self._waiting[:self.max_batch]
        try:
            self._write(batch)
        finally:
            with self._lock:
                self._writing = False
            self._hand_over_rest()

    async def submit_async(self, item: T) -> R:
        """As :meth:`submit`, awaited on the running event loop instead of blocking a thread."""
        mine: _Pending[T, R] = _Pending(item, future=asyncio.get_running_loop().create_future())
        self._hand_over(mine)
        assert mine.future is not None
        await mine.future  # a caller that goes away (cancelled) still has its item written
        return _outcome(mine)

    def _hand_over(self, pending: _Pending[T, R]) -> None:
        with self._lock:
            self._waiting.append(pending)
            if self._writing:
                return
            self._writing = True
        try:
            threading.Thread(target=self._drain, name=self.name, daemon=True).start()
        except BaseException:
            with self._lock:
                self._writing = False
            raise

    def _drain(self) -> None:
        """Write batches until nobody is waiting (more than ``max_batch`` waiting: several, in order)."""
        while True:
            with self._lock:
                batch = self._waiting[:self.max_batch]
                del self._waiting[:self.max_batch]
                if not batch:
                    self._writing = False
                    return
            try:
                self._write(batch)
            except BaseException:  # not an Exception: its callers are answered; hand the rest on
                with self._lock:
                    self._writing = False
                    more = bool(self._waiting)
                if more:
                    self._hand_over_rest()
                raise

    def _hand_over_rest(self) -> None:
        with self._lock:
            if self._writing or not self._waiting:
                return
            self._writing = True
        threading.Thread(target=self._drain, name=self.name, daemon=True).start()

    def _write(self, batch: list[_Pending[T, R]]) -> None:
        try:
            answers = self.write([p.item for p in batch])
            if len(answers) != len(batch):
                raise RuntimeError(f"group commit: {len(answers)} answers for {len(batch)} items")
        except BaseException as exc:
            for p in batch:
                p.error = exc
            _wake(batch)
            if not isinstance(exc, Exception):
                raise
            return
        for p, answer in zip(batch, answers, strict=True):
            p.answer = answer
        _wake(batch)


def _wake(batch: list[_Pending[T, R]]) -> None:
    """Wake each caller: threads at once, coroutines with one call into each event loop."""
    on_loops: dict[asyncio.AbstractEventLoop, list[_Pending[T, R]]] = defaultdict(list)
    for p in batch:
        if p.future is None:
            p.done.set()
        else:
            on_loops[p.future.get_loop()].append(p)
    for loop, pending in on_loops.items():
        try:
            loop.call_soon_threadsafe(_resolve, pending)
        except RuntimeError:  # the loop is closed: nobody is left to answer
            log.warning("%d answer(s) of a written batch had no event loop to go to", len(pending))


def _resolve(pending: list[_Pending[T, R]]) -> None:
    for p in pending:
        assert p.future is not None
        if not p.future.done():
            p.future.set_result(p.answer)  # type: ignore[arg-type]


def _outcome(p: _Pending[T, R]) -> R:
    if p.error is not None:  # one exception per caller: the batch's own is shared by all of them
        raise BatchFailed(f"the batch of this write failed: {type(p.error).__name__}: {p.error}") from p.error
    return p.answer  # type: ignore[return-value]
