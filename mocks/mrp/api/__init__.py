"""MRP's REST API, one router per group of resources (thin: parse, call rules, return)."""

from mocks.mrp.api.inputs import router as inputs_router
from mocks.mrp.api.master import router as master_router
from mocks.mrp.api.planning import router as planning_router

ROUTERS = (master_router, inputs_router, planning_router)

__all__ = ["ROUTERS"]
