"""Field types shared by all ERP bodies: money strings, quantities, percentages."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from mocks.erp.rules.money import fmt

MONEY_PATTERN = r"^-?\d+\.\d{2}$"

Money = Annotated[
    Decimal,
    PlainSerializer(fmt, return_type=str),
    WithJsonSchema({"type": "string", "pattern": MONEY_PATTERN, "examples": ["1280.00"]}, mode="serialization"),
]
"""Money out: always a 2-decimal string (``"1280.00"``)."""

MoneyIn = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2, examples=["1280.00"])]
"""Money in: a decimal string or number with at most 2 decimals."""

PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2, examples=["1280.00"])]
MAX_ID = 2_147_483_647
"""Largest numeric id or document id the ERP stores."""
MAX_QTY = 1_000_000
"""Largest quantity on one line."""

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Qty = Annotated[int, Field(gt=0, le=MAX_QTY, examples=[50], description="pieces; must be > 0")]
Count = Annotated[int, Field(ge=0, le=MAX_QTY)]
Days = Annotated[int, Field(ge=0, le=3650)]
LineNo = Annotated[int, Field(ge=1, le=9999)]
Pct = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2, examples=["2.00"])]
MaterialNo = Annotated[str, Field(pattern=r"^\d{3}-\d{4}$", examples=["100-0001"],
                                  description="ERP material number")]


class Out(BaseModel):
    """A response read straight from the ORM row."""

    model_config = ConfigDict(from_attributes=True)


class In(BaseModel):
    """A request body: unknown fields are refused, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid")
