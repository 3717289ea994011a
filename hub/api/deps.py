"""Dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from hub.operations import Operations
from hub.runtime import Hub


def _hub(request: Request) -> Hub:
    return request.app.state.hub


def _ops(request: Request) -> Operations:
    return request.app.state.hub.operations


HubDep = Annotated[Hub, Depends(_hub)]
OpsDep = Annotated[Operations, Depends(_ops)]
