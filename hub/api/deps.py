"""Dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from hub.operations import Operations
from hub.runtime import Hub


def _hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def _ops(request: Request) -> Operations:
    return _hub(request).operations


HubDep = Annotated[Hub, Depends(_hub)]
OpsDep = Annotated[Operations, Depends(_ops)]
