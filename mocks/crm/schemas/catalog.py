"""Products, salespeople and opportunities."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from mocks.crm.schemas.base import Code, CrmIn, CrmModel, ExternalRefs, LocalDateTime, Money


class ProductIn(CrmIn):
    name: Code
    name_en: str | None = None
    uom: Annotated[str, Field(min_length=1, max_length=10)] = "PCS"
    list_price: Money | None = None
    active: bool = True
    external_refs: ExternalRefs = Field(default_factory=dict)


class ProductOut(CrmModel):
    product_code: str
    name: str
    name_en: str | None
    uom: str
    list_price: float | None
    active: bool
    external_refs: dict[str, str]
    updated_at: LocalDateTime


class SalespersonOut(CrmModel):
    user_id: str
    employee_no: str
    name: str
    title: str
    email: str
    active: bool


OpportunityStage = Literal["prospect", "qualified", "won", "lost"]


class OpportunityIn(CrmIn):
    customer_id: Code
    title: Code
    amount: Money
    currency: Literal["CNY"] = "CNY"
    owner_id: str | None = None
    expected_close_date: date | None = None


class StageChangeIn(CrmIn):
    stage: OpportunityStage
    lost_reason: str | None = Field(default=None, description="Required when the stage is lost")


class OpportunityOut(CrmModel):
    opportunity_id: str
    customer_id: str
    title: str
    amount: float
    currency: str
    stage: str
    owner_id: str | None
    expected_close_date: date | None
    lost_reason: str | None
    created_at: LocalDateTime
    updated_at: LocalDateTime
