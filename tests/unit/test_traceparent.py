"""Trace context ids: W3C traceparent, a child keeps its trace, ids are unique across processes."""

from __future__ import annotations

import multiprocessing
import multiprocessing.queues
import re

from hub.envelope import child_traceparent, new_traceparent

TRACEPARENT = re.compile(r"^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-01$")


def test_a_new_traceparent_is_w3c_and_a_child_keeps_its_trace_with_a_span_of_its_own():
    parent = new_traceparent()
    child = child_traceparent(parent)
    assert TRACEPARENT.match(parent) and TRACEPARENT.match(child)
    assert child.split("-")[1] == parent.split("-")[1] and child.split("-")[2] != parent.split("-")[2]
    assert TRACEPARENT.match(child_traceparent("not a traceparent"))


def _spans(out: multiprocessing.queues.Queue) -> None:  # type: ignore[type-arg]
    out.put([child_traceparent(None) for _ in range(1000)])


def test_forked_worker_processes_do_not_repeat_each_others_ids():
    new_traceparent()  # the parent's generator has state its children inherit
    fork = multiprocessing.get_context("fork")
    out = fork.Queue()
    children = [fork.Process(target=_spans, args=(out,)) for _ in range(2)]
    for child in children:
        child.start()
    a, b = out.get(timeout=60), out.get(timeout=60)
    for child in children:
        child.join(60)
    assert len(set(a) | set(b)) == 2000
