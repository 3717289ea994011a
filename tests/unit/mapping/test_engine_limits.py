"""Configured mappings run in process, within limits: a runaway one fails its message, not the hub."""

from __future__ import annotations

import time

import pytest

from hub.errors import MappingError
from hub.mapping.engine import Limits, make_engine

TIGHT = Limits(timeout_s=1.0, max_depth=100, max_steps=1_000_000, max_array=10_000)


@pytest.mark.parametrize("engine", ["jlens", "jsonata-python"])
def test_an_endless_loop_fails_within_the_time_limit(engine):
    compiled = make_engine(engine).compile("( $f := function($n){ $n < 0 ? 0 : $f($n + 1) }; $f(0) )")
    started = time.monotonic()
    with pytest.raises(MappingError):
        compiled.evaluate({}, limits=TIGHT)
    assert time.monotonic() - started < 3.0


def test_jlens_refuses_a_sequence_past_its_size_limit():
    with pytest.raises(MappingError, match="size limit"):
        make_engine("jlens").compile("$count([1..100000])").evaluate({}, limits=TIGHT)


@pytest.mark.parametrize("engine", ["jlens", "jsonata-python"])
def test_ordinary_mappings_are_untouched_by_the_default_limits(engine):
    compiled = make_engine(engine).compile('{"total": $sum(lines.(qty * price))}')
    lines = [{"qty": 2, "price": 10}] * 500
    assert compiled.evaluate({"lines": lines}) == {"total": 10000}
