"""Start reference systems as HTTP servers, each on its own port.

``python -m mocks`` starts all seven and the audit archive (ports 9101–9108, or ``MOCK_<SYS>_PORT``);
``python -m mocks crm erp`` starts some. Each serves its API docs at ``/docs``.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import signal
import sys
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI

from mocks.common.config import SYSTEM_PORTS, MockSettings

SYSTEMS = tuple(SYSTEM_PORTS)


def build_app(system: str, **overrides: object) -> FastAPI:
    """The app of ``system`` with settings from the environment (plus ``overrides``)."""
    if system not in SYSTEM_PORTS:
        raise ValueError(f"unknown system {system!r}; choose from {', '.join(SYSTEMS)}")
    module = importlib.import_module(f"mocks.{system}.app")
    return module.build(MockSettings.from_env(system, **overrides))


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to :func:`serve` (one handler stops them all)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(systems: list[str], host: str = "127.0.0.1") -> None:
    servers = []
    for system in systems:
        app = build_app(system)
        config = uvicorn.Config(app, host=host, port=app.state.settings.port,
                                log_level="warning", lifespan="on")
        servers.append(_Server(config))

    def stop_all() -> None:
        for server in servers:
            server.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop_all)
    await asyncio.gather(*(s.serve() for s in servers))


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    systems = args or list(SYSTEMS)
    unknown = [s for s in systems if s not in SYSTEM_PORTS]
    if unknown:
        raise SystemExit(f"unknown system(s): {', '.join(unknown)}; choose from {', '.join(SYSTEMS)}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per webhook drowns what matters
    for s in systems:
        print(f"{s:>4}: http://127.0.0.1:{MockSettings.from_env(s).port}/docs", flush=True)
    asyncio.run(serve(systems))
