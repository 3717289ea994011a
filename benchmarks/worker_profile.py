"""What a worker's Python costs per message, counted so that a busy machine does not change it.

    python -m benchmarks.worker_profile                  # 300 orders on the local PostgreSQL
    python -m benchmarks.worker_profile --messages 1000 --top 40
    python -m benchmarks.worker_profile --flow peer      # the 20-line order of the comparison with Node-RED

The hub is built in this process on a database of its own; the orders are received through the
API, then each is run as a worker runs it (translate, claim, call a local target, finish) under
cProfile with the thread's CPU clock. It prints the function calls per message (the same on any
machine for the same code) and the profiled CPU per message (slower than unprofiled, and only
comparable within one machine), with the hub functions that cost most. Use it before and after a
change to the message path; the end-to-end figures are ``benchmarks.peer``'s.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from hub.runtime import Hub
from hub.settings import REPO_ROOT, load_settings
from tests.support.auth import api_client
from tests.support.signing import order_created, signed
from tests.support.target import Target

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
QUICKSTART = REPO_ROOT / "examples" / "quickstart"
PEER_ORDER = Path(os.environ.get("BENCH_PEER_DIR", "/work/shared/peer/nodered")) / "order.json"


@dataclass(frozen=True)
class Flow:
    config: Path
    connector: str
    target_setting: str
    order: Callable[[str], Any]


def _peer_order(number: str) -> Any:
    return {**json.loads(PEER_ORDER.read_text(encoding="utf-8")), "OrderID": number}


FLOWS = {
    "quickstart": Flow(QUICKSTART, "webshop", "HUB_URL_LEDGER", order_created),
    "peer": Flow(REPO_ROOT / "benchmarks" / "peer" / "hub_config", "shop", "HUB_URL_SINK", _peer_order),
}
WARM_UP = 20
"""Orders run before profiling: first-use work (compiled statements, connections) is not per message."""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=300)
    ap.add_argument("--flow", choices=sorted(FLOWS), default="quickstart",
                    help="the quickstart's one-line order, or the Node-RED comparison's 20-line order (peer)")
    ap.add_argument("--top", type=int, default=25, help="hub functions listed, by cumulative CPU")
    ap.add_argument("--stats", type=Path, default=None, help="also write the cProfile data here")
    args = ap.parse_args()
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"hub_profile_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        prof = profile(args.messages, ADMIN_URL.rsplit("/", 1)[0] + "/" + name, FLOWS[args.flow])
    finally:
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    if args.stats:
        prof.dump_stats(args.stats)
    report(pstats.Stats(prof), args.messages, args.top)


def profile(messages: int, url: str, flow: Flow) -> cProfile.Profile:
    prof = cProfile.Profile(time.thread_time)
    with Target() as target:
        os.environ[flow.target_setting] = target.url
        hub = Hub.build(load_settings(database_url=url, config_dir=flow.config, env="development"))
        try:
            ids = []
            with api_client(hub) as client:
                for i in range(messages + WARM_UP):
                    body, headers = signed(flow.order(f"PROFILE-{i}"), connector=flow.connector)
                    r = client.post(f"/webhooks/{flow.connector}", content=body, headers=headers)
                    r.raise_for_status()
                    ids.append(str(r.json()["id"]))
            hub.translator.is_paused = hub.deliverer.is_paused = lambda _: False  # read once a second, not per message
            run = hub.actors.translate.fn
            for mid in ids[:WARM_UP]:
                run(mid)
            prof.enable()
            for mid in ids[WARM_UP:]:
                run(mid)
            prof.disable()
        finally:
            hub.stop()
        if len(target.calls) != len(ids):
            raise SystemExit(f"only {len(target.calls)} of {len(ids)} orders reached the target")
    return prof


def report(st: pstats.Stats, messages: int, top: int) -> None:
    stats = st.stats  # type: ignore[attr-defined]
    total_calls = sum(v[1] for v in stats.values())
    cpu_s = max(v[3] for v in stats.values())
    print(f"{messages} messages: {total_calls / messages:,.0f} function calls and "
          f"{cpu_s * 1000 / messages:.1f} ms of profiled CPU per message")
    rows = sorted(((v[3], k) for k, v in stats.items() if f"{os.sep}hub{os.sep}" in k[0]), reverse=True)
    for cum, (file, line, func) in rows[:top]:
        where = file[file.rfind(f"{os.sep}hub{os.sep}") + 1:]
        print(f"{cum * 1000 / messages:8.2f} ms  {where}:{line} {func}")


if __name__ == "__main__":
    main()
