"""Archive bodies: customers, materials, vendors, employees."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from mocks.erp.schemas.common import Count, Days, Id, In, MaterialNo, Money, MoneyIn, Out, Pct


def _tax_no(default: object = ...) -> Any:
    return Field(default, min_length=18, max_length=18, examples=["91310115MA1K4B2C3J"],
                 description="unified social credit code (GB 32100-2015), check digit verified")


class CustomerPatch(In):
    """Fields to change; fields left out keep their value."""

    name: str | None = Field(None, min_length=1, max_length=200)
    name_en: str | None = None
    tax_no: str | None = _tax_no(None)
    credit_limit: MoneyIn | None = None
    payment_terms_days: Days | None = None
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    discount_pct: Pct | None = None
    status: Literal["active", "blocked"] | None = None
    city: str | None = None
    address: str | None = None
    phone: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None


class CustomerIn(CustomerPatch):
    """A customer record: ``name`` and ``tax_no`` are required."""

    name: str = Field(min_length=1, max_length=200, examples=["上海明辉贸易有限公司"])
    tax_no: str = _tax_no()


class CustomerOut(Out):
    customer_id: int = Field(validation_alias="id", examples=[100001])
    name: str
    name_en: str | None
    tax_no: str
    credit_limit: Money
    payment_terms_days: int
    currency: str
    discount_pct: Decimal
    status: str
    city: str | None
    address: str | None
    phone: str | None
    contact_name: str | None
    contact_phone: str | None
    ext_refs: dict[str, str] = Field(description="other systems' ids of this customer",
                                     examples=[{"crm": "CUS-000101"}])
    changed_on: date


class MaterialPatch(In):
    description: str | None = Field(None, min_length=1, max_length=200)
    description_en: str | None = None
    uom: str | None = Field(None, max_length=5)
    procurement: Literal["in_house", "external"] | None = None
    std_cost: MoneyIn | None = None
    list_price: MoneyIn | None = None
    lead_time_days: Days | None = None
    safety_stock: Count | None = None
    lot_min: Count | None = None
    lot_multiple: Count | None = None
    batch_managed: bool | None = None
    warehouse: Literal["1000", "2000"] | None = None
    status: Literal["active", "blocked"] | None = None


class MaterialIn(MaterialPatch):
    """A new material: number, description, procurement and standard cost are required."""

    material: MaterialNo
    description: str = Field(min_length=1, max_length=200)
    procurement: Literal["in_house", "external"]
    std_cost: MoneyIn


class MaterialOut(Out):
    material: str
    description: str
    description_en: str | None
    uom: str
    procurement: str = Field(description="in_house (made) | external (bought)")
    std_cost: Money
    list_price: Money | None = Field(description="null: not sold")
    lead_time_days: int
    safety_stock: int
    lot_min: int
    lot_multiple: int
    batch_managed: bool
    warehouse: str = Field(description='"1000" raw materials, "2000" finished goods')
    status: str
    ext_refs: dict[str, str]
    changed_on: date


class VendorPatch(In):
    name: str | None = Field(None, min_length=1, max_length=200)
    name_en: str | None = None
    tax_no: str | None = _tax_no(None)
    status: Literal["active", "blocked"] | None = None
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    payment_terms_days: Days | None = None
    lead_time_days: Days | None = None
    rating: Decimal | None = Field(None, ge=0, le=5)
    contact_name: str | None = None
    phone: str | None = None


class VendorIn(VendorPatch):
    name: str = Field(min_length=1, max_length=200)
    tax_no: str = _tax_no()


class VendorOut(Out):
    vendor_id: int = Field(validation_alias="id", examples=[200001])
    name: str
    name_en: str | None
    tax_no: str
    status: str
    currency: str
    payment_terms_days: int
    lead_time_days: int
    rating: Decimal | None
    contact_name: str | None
    phone: str | None
    ext_refs: dict[str, str]
    changed_on: date


class EmployeePatch(In):
    name: str | None = Field(None, min_length=1, max_length=50)
    department: str | None = Field(None, examples=["SALES"])
    position: str | None = None
    manager_id: Id | None = Field(None, examples=[90001])
    roles: list[str] | None = None
    start_date: date | None = None
    status: Literal["active", "left"] | None = None


class EmployeeIn(EmployeePatch):
    name: str = Field(min_length=1, max_length=50)
    department: str = Field(examples=["SALES"], description="department code: GM SALES PROD PUR QA WH FIN")


class EmployeeOut(Out):
    employee_id: int = Field(validation_alias="id", examples=[90001])
    name: str
    department: str
    position: str | None
    manager_id: int | None
    roles: list[str]
    start_date: date | None
    status: str
    ext_refs: dict[str, str]
    changed_on: date
