"""The CRM's REST API under ``/api/v1``: thin routers (parse, call rules, return), one per resource."""

from mocks.crm.api.catalog import router as catalog_router
from mocks.crm.api.customers import router as customers_router
from mocks.crm.api.orders import router as orders_router
from mocks.crm.api.service import router as service_router

ROUTERS = (customers_router, orders_router, service_router, catalog_router)

__all__ = ["ROUTERS"]
