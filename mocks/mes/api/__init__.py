"""MES REST API under ``/api``: thin routers that parse, call the rules, and answer.

One module per resource; :data:`ROUTERS` is what the app mounts.
"""

from mocks.mes.api.complaints import router as complaints_router
from mocks.mes.api.inspections import router as inspections_router
from mocks.mes.api.masterdata import router as masterdata_router
from mocks.mes.api.scheduling import router as scheduling_router
from mocks.mes.api.workorders import router as workorders_router

ROUTERS = (workorders_router, inspections_router, complaints_router, scheduling_router, masterdata_router)

__all__ = ["ROUTERS"]
