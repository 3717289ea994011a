"""Customers with their addresses and contacts."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from mocks.crm.schemas.base import Code, CrmIn, CrmModel, ExternalRefs, LocalDateTime, Money, Text


class AddressIn(CrmIn):
    kind: Literal["office", "billing", "shipping"] = "office"
    street: Text
    city: Code
    province: str | None = None
    postal_code: str | None = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "CN"
    is_default: bool = False


class ContactIn(CrmIn):
    name: Code
    title: str | None = None
    mobile: str | None = None
    email: str | None = None
    is_primary: bool = False


class AddressOut(CrmModel):
    kind: str
    street: str
    city: str
    province: str | None
    postal_code: str | None
    country: str
    is_default: bool


class ContactOut(CrmModel):
    name: str
    title: str | None
    mobile: str | None
    email: str | None
    is_primary: bool


CUSTOMER_EXAMPLE: dict[str, Any] = {
    "name": "成都锦城办公设备有限公司", "nameEn": "Chengdu Jincheng Office Equipment Co., Ltd.",
    "uscc": "91510100MA61XK2P3F", "creditLimit": 150000, "paymentTermsDays": 30,
    "phone": "028-86661234", "ownerId": "USR-0003",
    "addresses": [{"kind": "office", "street": "成都市锦江区红星路三段1号", "city": "成都", "isDefault": True}],
    "contacts": [{"name": "何军", "mobile": "13908001234", "isPrimary": True}],
    "externalRefs": {"erp": "100006"},
}


class CustomerIn(CrmIn):
    """A whole customer document (create, or full replace by PUT)."""

    model_config = ConfigDict(json_schema_extra={"examples": [CUSTOMER_EXAMPLE]})

    name: Code
    name_en: str | None = None
    uscc: Annotated[str, Field(description="Unified social credit code, 18 chars, GB 32100 check digit")]
    status: Literal["active", "inactive"] = "active"
    industry: str | None = None
    phone: str | None = None
    credit_limit: Money = 0
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "CNY"
    payment_terms_days: Annotated[int, Field(ge=0, le=365)] = 30
    owner_id: str | None = Field(default=None, description="Account owner (a salesperson userId)")
    addresses: list[AddressIn] = []
    contacts: list[ContactIn] = []
    external_refs: ExternalRefs = Field(default_factory=dict)


class CustomerPatch(CrmIn):
    """Only the fields sent change; ``addresses``/``contacts``, when sent, replace the lists."""

    name: Code | None = None
    name_en: str | None = None
    uscc: str | None = None
    status: Literal["active", "inactive"] | None = None
    industry: str | None = None
    phone: str | None = None
    credit_limit: Money | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None
    payment_terms_days: Annotated[int, Field(ge=0, le=365)] | None = None
    owner_id: str | None = None
    addresses: list[AddressIn] | None = None
    contacts: list[ContactIn] | None = None
    external_refs: ExternalRefs | None = None


class CustomerOut(CrmModel):
    customer_id: str
    name: str
    name_en: str | None
    uscc: str
    status: str
    industry: str | None
    phone: str | None
    credit_limit: float
    currency: str
    payment_terms_days: int
    owner_id: str | None
    addresses: list[AddressOut]
    contacts: list[ContactOut]
    external_refs: dict[str, str]
    version: int
    created_at: LocalDateTime
    updated_at: LocalDateTime
