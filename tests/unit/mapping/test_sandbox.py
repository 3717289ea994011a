"""The playground's sandbox: untrusted expressions fail alone, the hub's process never suffers."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from hub.errors import MappingError
from hub.mapping.sandbox import Sandbox
from hub.settings import REPO_ROOT

CODEMAPS = REPO_ROOT / "mappings" / "codemaps"


@pytest.fixture(params=["jlens", "jsonata-python"])
def sandbox(request):
    box = Sandbox(engine=request.param, codes_root=CODEMAPS, processes=1, timeout_s=5.0)
    yield box
    box.close()


def run(box: Sandbox, source: str, data: object = None, xref=lambda *a: None) -> object:
    return box.evaluate(source, data, bindings={}, origin="crm", target="erp", xref=xref, file="playground")


def test_an_expression_is_evaluated_with_the_hub_functions(sandbox):
    seen = []

    def xref(entity, value, frm, to):
        seen.append((entity, value, frm, to))
        return "100001"

    assert run(sandbox, '{"n": $count(items), "c": $xref("customer", who)}',
               {"items": [1, 2, 3], "who": "CUS-1"}, xref) == {"n": 3, "c": "100001"}
    assert seen == [("customer", "CUS-1", "crm", "erp")]


def test_a_syntax_error_keeps_its_position(sandbox):
    with pytest.raises(MappingError) as err:
        run(sandbox, '{"a": }')
    assert err.value.position is not None and err.value.file == "playground"


def test_endless_recursion_is_stopped_and_the_hub_keeps_its_interpreter(sandbox):
    """A runaway recursion used to hold the interpreter lock for its whole timeout."""
    ticks = 0
    stop = threading.Event()

    def heartbeat() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.01)

    beat = threading.Thread(target=heartbeat)
    run(sandbox, "1")  # the process is warm
    beat.start()
    started = time.monotonic()
    try:
        with pytest.raises(MappingError) as err:
            run(sandbox, "( $f := function($n){ $f($n+1) }; $f(0) )")
    finally:
        stop.set()
        beat.join()
    elapsed = time.monotonic() - started
    # stopped by the engine's step budget (jlens), its own timeout or the sandbox's (jsonata-python)
    assert err.value.code in {"U1006", "D1012", "timeout"}, err.value
    # held by the expression, the heartbeat would beat once or twice in all; free, it beats many times
    assert ticks >= 10, f"the heartbeat ran {ticks} times in {elapsed:.1f} s: the lock was held"
    assert run(sandbox, "1 + 1") == 2, "the next evaluation works"


def test_a_sequence_past_the_size_limit_is_stopped_and_the_next_expression_runs(sandbox):
    """``$count([1..1e7].[1..1e7])`` allocated until the process died. jlens refuses the sequence by its size
    limit; jsonata-python has none and is stopped by a time limit (its own or the sandbox's, whichever a busy
    machine lets fire first) or by the sandbox's memory limit."""
    if sandbox.engine == "jlens":
        sandbox.timeout_s = 60.0  # the size limit must stop it, not the clock: a fresh process's first
        # large range takes seconds on a busy machine before it is refused
    with pytest.raises(MappingError) as err:
        run(sandbox, "$count([1..10000000].[1..10000000])")
    stops = {"U1001"} if sandbox.engine == "jlens" else {"timeout", "D1012", "memory"}
    assert err.value.code in stops, err.value
    assert run(sandbox, '"still here"') == "still here"


def test_an_expression_past_the_memory_limit_is_stopped_and_the_next_one_runs():
    box = Sandbox(engine="jlens", codes_root=CODEMAPS, processes=1, memory_bytes=64 * 2**20)
    try:
        with pytest.raises(MappingError) as err:
            run(box, '$count([1..900000].{"a": $, "b": "xxxxxxxxxxxxxxxxxxxxxxxxx"})')
        assert err.value.code == "memory" and "64 MB" in err.value.message
        assert run(box, '"still here"') == "still here"
    finally:
        box.close()


def test_a_killed_process_is_replaced_on_the_next_call():
    box = Sandbox(engine="jlens", codes_root=CODEMAPS, processes=1, timeout_s=1.0)
    try:
        with pytest.raises(MappingError) as err:
            run(box, '( $f := function($n){ $n < 0 ? 0 : $f($n) }; $f(1) )')
        assert err.value.code in {"timeout", "D1012", "U1006"}
        assert run(box, "[1,2,3].($ * 2)") == [2, 4, 6]
    finally:
        box.close()


def test_a_closed_sandbox_refuses_work(tmp_path: Path):
    box = Sandbox(engine="jlens", codes_root=tmp_path)
    box.close()
    with pytest.raises(MappingError, match="shut down"):
        run(box, "1")
