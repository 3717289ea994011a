"""Group commit: callers that arrive while a batch is written are written together, each answered after it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from hub.group_commit import BatchFailed, GroupCommit
from tests.support.aio import run_async
from tests.support.waiting import eventually


class Store:
    """A write function that records its batches and can be held or made to fail."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.hold = threading.Event()
        self.hold.set()
        self.holding = threading.Event()
        self.fail_on: dict[str, Exception] = {}
        """A batch holding one of these items fails with its exception, as a commit would."""

    def write(self, items: Sequence[str]) -> list[str]:
        self.holding.set()
        self.hold.wait()
        for item in items:
            if item in self.fail_on:
                raise self.fail_on[item]
        self.batches.append(list(items))
        return [f"stored {item}" for item in items]


@pytest.fixture
def pool():
    with ThreadPoolExecutor(8) as p:
        yield p


def queue_behind_a_held_batch(group: GroupCommit[str, str], store: Store, pool: ThreadPoolExecutor,
                              items: list[str]) -> tuple[Future[str], list[Future[str]]]:
    """Start a batch of ``first`` that waits in its write, then hand ``items`` over one after the other."""
    store.hold.clear()
    first = pool.submit(group.submit, "first")
    store.holding.wait()
    queued = []
    for n, item in enumerate(items, start=1):
        queued.append(pool.submit(group.submit, item))
        eventually(lambda n=n: group.waiting == n, what=f"{item} waiting")
    return first, queued


def test_a_lone_caller_is_written_at_once_in_a_batch_of_its_own():
    store = Store()
    group = GroupCommit(store.write, max_batch=10)
    assert group.submit("a") == "stored a"
    assert store.batches == [["a"]]


def test_a_lone_thread_writes_its_batch_itself_and_starts_no_thread():
    writers: list[str] = []

    def write(items: Sequence[str]) -> list[str]:
        writers.append(threading.current_thread().name)
        return list(items)

    group = GroupCommit(write, max_batch=10)
    before = threading.active_count()
    assert [group.submit(x) for x in "abc"] == ["a", "b", "c"]
    assert writers == [threading.current_thread().name] * 3
    assert threading.active_count() == before


def test_callers_arriving_during_a_write_are_written_together_in_their_arrival_order(pool):
    store = Store()
    group = GroupCommit(store.write, max_batch=10)
    first, queued = queue_behind_a_held_batch(group, store, pool, ["b", "c", "d"])
    store.hold.set()
    assert first.result() == "stored first"
    assert [f.result() for f in queued] == ["stored b", "stored c", "stored d"]
    assert store.batches == [["first"], ["b", "c", "d"]]


def test_no_caller_is_answered_before_its_own_batch_is_written(pool):
    store = Store()
    group = GroupCommit(store.write, max_batch=10)
    first, queued = queue_behind_a_held_batch(group, store, pool, ["b"])
    assert not first.done() and not queued[0].done()
    store.hold.set()
    assert queued[0].result() == "stored b"


def test_a_failed_write_fails_every_caller_of_its_batch_each_with_its_own_error(pool):
    store = Store()
    group = GroupCommit(store.write, max_batch=10)
    store.fail_on["c"] = OSError("disk I/O error")
    first, queued = queue_behind_a_held_batch(group, store, pool, ["b", "c"])
    store.hold.set()
    assert first.result() == "stored first"
    errors = []
    for f in queued:
        with pytest.raises(BatchFailed) as failed:
            f.result()
        assert isinstance(failed.value.__cause__, OSError)
        errors.append(failed.value)
    assert errors[0] is not errors[1]
    assert store.batches == [["first"]]


def test_the_batch_after_a_failed_one_is_written(pool):
    store = Store()
    group = GroupCommit(store.write, max_batch=10)
    store.fail_on["first"] = OSError("disk I/O error")
    first, queued = queue_behind_a_held_batch(group, store, pool, ["b", "c"])
    store.hold.set()
    with pytest.raises(BatchFailed):
        first.result()
    assert [f.result() for f in queued] == ["stored b", "stored c"]
    assert store.batches == [["b", "c"]]


def test_more_callers_than_a_batch_holds_are_written_in_several_batches_in_order(pool):
    store = Store()
    group = GroupCommit(store.write, max_batch=2)
    first, queued = queue_behind_a_held_batch(group, store, pool, ["b", "c", "d", "e", "f"])
    store.hold.set()
    assert [f.result() for f in [first, *queued]] == [f"stored {x}" for x in "first b c d e f".split()]
    assert store.batches == [["first"], ["b", "c"], ["d", "e"], ["f"]]


def test_an_answer_missing_for_an_item_fails_the_whole_batch():
    group: GroupCommit[str, str] = GroupCommit(lambda items: [], max_batch=10)
    with pytest.raises(BatchFailed, match="0 answers for 1 items"):
        group.submit("a")


# Callers on an event loop await their batch's commit instead of blocking a thread.

async def queue_coroutines_behind_a_held_batch(group: GroupCommit[str, str], store: Store,
                                               items: list[str]) -> list[asyncio.Task[str]]:
    """Start a batch of ``first`` that waits in its write, then hand ``items`` over from coroutines, in order."""
    store.hold.clear()
    tasks = [asyncio.create_task(group.submit_async("first"))]
    await asyncio.to_thread(store.holding.wait)
    for n, item in enumerate(items, start=1):
        tasks.append(asyncio.create_task(group.submit_async(item)))
        while group.waiting < n:
            await asyncio.sleep(0.001)
    return tasks


def test_coroutines_arriving_during_a_write_are_written_together_in_their_arrival_order():
    async def run() -> tuple[list[str], bool]:
        store = Store()
        group = GroupCommit(store.write, max_batch=10)
        tasks = await queue_coroutines_behind_a_held_batch(group, store, ["b", "c", "d"])
        await asyncio.sleep(0.01)
        answered_early = any(t.done() for t in tasks)
        store.hold.set()
        answers = list(await asyncio.gather(*tasks))
        assert store.batches == [["first"], ["b", "c", "d"]]
        return answers, answered_early

    answers, answered_early = run_async(run())
    assert not answered_early, "nobody is answered before its batch is written"
    assert answers == ["stored first", "stored b", "stored c", "stored d"]


def test_coroutines_waiting_for_their_batch_hold_no_thread_each():
    async def run() -> tuple[int, int]:
        store = Store()
        group = GroupCommit(store.write, max_batch=100)
        before = threading.active_count()
        tasks = await queue_coroutines_behind_a_held_batch(group, store, [f"item {n}" for n in range(50)])
        during = threading.active_count()
        store.hold.set()
        await asyncio.gather(*tasks)
        return before, during

    before, during = run_async(run())
    assert during - before <= 2, "51 waiting callers: the writer and at most the loop's helper thread"


def test_a_failed_write_fails_every_coroutine_of_its_batch_and_the_next_batch_is_written():
    async def run() -> tuple[list[BaseException | str], list[list[str]]]:
        store = Store()
        store.fail_on["first"] = OSError("disk I/O error")
        group = GroupCommit(store.write, max_batch=10)
        tasks = await queue_coroutines_behind_a_held_batch(group, store, ["b", "c"])
        store.hold.set()
        return list(await asyncio.gather(*tasks, return_exceptions=True)), store.batches

    (first, b, c), batches = run_async(run())
    assert isinstance(first, BatchFailed) and isinstance(first.__cause__, OSError)
    assert (b, c) == ("stored b", "stored c") and batches == [["b", "c"]]


def test_threads_and_coroutines_share_one_batch_in_their_arrival_order(pool):
    async def run() -> tuple[list[str], str]:
        store = Store()
        group = GroupCommit(store.write, max_batch=10)
        tasks = await queue_coroutines_behind_a_held_batch(group, store, ["b"])
        from_thread = pool.submit(group.submit, "c")
        while group.waiting < 2:
            await asyncio.sleep(0.001)
        tasks.append(asyncio.create_task(group.submit_async("d")))
        while group.waiting < 3:
            await asyncio.sleep(0.001)
        store.hold.set()
        answers = list(await asyncio.gather(*tasks))
        assert store.batches == [["first"], ["b", "c", "d"]]
        return answers, await asyncio.to_thread(from_thread.result)

    answers, threaded = run_async(run())
    assert answers == ["stored first", "stored b", "stored d"] and threaded == "stored c"
