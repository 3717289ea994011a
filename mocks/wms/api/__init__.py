"""The WMS's REST API under ``/api``, one router per resource group (thin: parse, call rules, return)."""

from mocks.wms.api.inbound import router as inbound_router
from mocks.wms.api.master import router as master_router
from mocks.wms.api.outbound import router as outbound_router
from mocks.wms.api.stock import router as stock_router

ROUTERS = (stock_router, inbound_router, outbound_router, master_router)

__all__ = ["ROUTERS"]
