"""Inventory bodies: stock value per material and production receipts."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from mocks.erp.schemas.common import Count, In, Money, Out


class ProductionReceiptIn(In):
    order_ref: str = Field(min_length=1, max_length=60, examples=["MO-2026-0001"],
                           description="the production order (MES); one receipt per order_ref")
    material: str = Field(examples=["100-0001"])
    qty_good: Count = Field(examples=[30])
    qty_scrap: Count = 0
    posting_date: date | None = None
    so_ref: str | None = Field(None, description="the sales order it was made for, for tracing")


class ProductionReceiptOut(Out):
    receipt_no: str
    order_ref: str
    material: str
    qty_good: int
    qty_scrap: int
    value: Money
    posting_date: date
    so_ref: str | None


class StockLineOut(BaseModel):
    material: str
    description: str
    warehouse: str
    qty: int
    std_cost: Money
    value: Money


class InventoryValueOut(BaseModel):
    as_of: date
    items: list[StockLineOut]
    total_value: Money
