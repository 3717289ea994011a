"""Configured mappings run in process, within limits: a runaway one fails its message, not the hub."""

from __future__ import annotations

import pytest

from hub.errors import MappingError
from hub.mapping.engine import Limits, make_engine

TIGHT = Limits(timeout_s=1.0, max_depth=100, max_steps=1_000_000, max_array=10_000)


CLOCK_ONLY = Limits(timeout_s=0.3, max_depth=10_000)
"""No step, size or depth limit: only the clock can stop an expression."""
HOURS_OF_WORK = "$sum([1..2000].($sum([1..2000].($sum([1..2000])))))"
"""Eight billion additions: shallow, small sequences, no recursion — endless for a test."""


@pytest.mark.parametrize("engine", ["jlens", "jsonata-python"])
def test_a_mapping_that_would_run_for_hours_is_stopped_by_the_time_limit(engine):
    with pytest.raises(MappingError, match="timeout") as stopped:
        make_engine(engine).compile(HOURS_OF_WORK).evaluate({}, limits=CLOCK_ONLY)
    assert stopped.value.code == "D1012"


@pytest.mark.parametrize("engine", ["jlens", "jsonata-python"])
def test_endless_recursion_is_stopped_by_a_limit_not_left_to_exhaust_the_process(engine):
    with pytest.raises(MappingError):
        make_engine(engine).compile("( $f := function($n){ $n < 0 ? 0 : $f($n + 1) }; $f(0) )").evaluate(
            {}, limits=TIGHT)


def test_jlens_refuses_a_sequence_past_its_size_limit():
    with pytest.raises(MappingError, match="size limit"):
        make_engine("jlens").compile("$count([1..100000])").evaluate({}, limits=TIGHT)


@pytest.mark.parametrize("engine", ["jlens", "jsonata-python"])
def test_ordinary_mappings_are_untouched_by_the_default_limits(engine):
    compiled = make_engine(engine).compile('{"total": $sum(lines.(qty * price))}')
    lines = [{"qty": 2, "price": 10}] * 500
    assert compiled.evaluate({"lines": lines}) == {"total": 10000}


def test_memory_running_out_inside_jsonata_python_is_a_memory_error_not_a_host_functions_failure():
    """Under the sandbox's address-space limit jsonata-python meets MemoryError where any allocation happens."""
    def allocate(*_: object) -> None:
        raise MemoryError()

    with pytest.raises(MappingError) as err:
        make_engine("jsonata-python").compile("$allocate()").evaluate({}, functions={"allocate": allocate})
    assert err.value.code == "memory" and "memory" in err.value.message
