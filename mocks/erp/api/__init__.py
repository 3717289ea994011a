"""The ERP's REST API under ``/api/…``: thin routers that parse, call :mod:`mocks.erp.rules`, and answer.

Responses are built inside the request's unit of work (``SessionDep``), so
they may read related rows. Creating endpoints answer 201 when they created
something and 200 when the same business key was already there (the hub may
retry).
"""

from mocks.erp.api.archives import router as archives
from mocks.erp.api.inventory import router as inventory
from mocks.erp.api.purchasing import router as purchasing
from mocks.erp.api.sales import router as sales

ROUTERS = (archives, sales, purchasing, inventory)

__all__ = ["ROUTERS"]
