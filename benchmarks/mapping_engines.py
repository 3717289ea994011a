"""Mapping engine speed as a ratio: jlens (Rust) against jsonata-python, on every mapping with cases.

    python -m benchmarks.mapping_engines [--seconds 2]

For each mapping that has test cases, evaluates its first case's input repeatedly under both
engines and prints evaluations per second and the ratio. A ratio, not an absolute number, so
it can be compared across machines.
"""

from __future__ import annotations

import argparse
import json
import time

from hub.mapping import MappingLibrary, make_engine
from hub.mapping.functions import fixture_xref, hub_functions
from hub.settings import REPO_ROOT

CONFIGS = [REPO_ROOT, REPO_ROOT / "examples" / "quickstart"]


def rate(library: MappingLibrary, name: str, seconds: float) -> float:
    m = library.get(name)
    case = m.cases[0]
    bindings = {"source": "bench", "target": "bench", **case.bindings}
    fns = hub_functions(source="bench", target="bench", xref=fixture_xref(case.xref), codes=library.codes)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        try:
            m.evaluate(case.input, bindings, fns)
        except Exception:  # an error case still measures the engine's work
            pass
        n += 1
    return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=1.0)
    args = ap.parse_args()
    for config in CONFIGS:
        fast = MappingLibrary(config / "mappings", make_engine("jlens"))
        slow = MappingLibrary(config / "mappings", make_engine("jsonata-python"))
        for m in fast.all():
            if not m.cases:
                continue
            a, b = rate(fast, m.name, args.seconds), rate(slow, m.name, args.seconds)
            print(json.dumps({"mapping": m.name, "jlens_per_s": round(a), "jsonata_python_per_s": round(b),
                              "ratio": round(a / b, 1)}))


if __name__ == "__main__":
    main()
