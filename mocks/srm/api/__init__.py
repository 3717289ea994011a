"""SRM's REST API, one router per resource; thin: parse, call a rule, answer."""

from __future__ import annotations

from fastapi import APIRouter

from mocks.srm.api.materials import router as materials
from mocks.srm.api.orders import router as orders
from mocks.srm.api.requisitions import router as requisitions
from mocks.srm.api.suppliers import router as suppliers

ROUTERS: tuple[APIRouter, ...] = (suppliers, materials, requisitions, orders)

__all__ = ["ROUTERS"]
