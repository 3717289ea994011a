"""The ERP app: ``python -m mocks erp`` serves it on port 9102."""

from __future__ import annotations

from fastapi import FastAPI

from mocks.common import MockSettings, SystemSpec, create_app
from mocks.erp.api import ROUTERS
from mocks.erp.events import envelope
from mocks.erp.models import Base
from mocks.erp.seed import seed
from mocks.erp.simulation import tick

SPEC = SystemSpec(
    name="erp",
    title="ERP — Suzhou Hengjia ledger",
    description="Customer, material, vendor and employee archives; sales orders with pricing and credit "
                "control; deliveries, invoices, receivables and payments; purchase commitments, goods "
                "receipts and payables; inventory value; budgets. Money is a 2-decimal string, dates "
                "are YYYY-MM-DD. Errors: `{error: {code, field, message}}`.",
    routers=ROUTERS,
    metadata=Base.metadata,
    seed=seed,
    envelope=envelope,
    tick=tick,
)


def build(settings: MockSettings | None = None) -> FastAPI:
    return create_app(SPEC, settings)
