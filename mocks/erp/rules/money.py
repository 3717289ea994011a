"""Money arithmetic: Decimal only, rounded half-up to cents, VAT at 13 %."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

VAT_RATE = Decimal("0.13")
"""China's standard VAT rate on goods."""

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(value: Decimal | int | float | str) -> Decimal:
    """``value`` rounded half-up to 2 decimals."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def vat(net: Decimal) -> Decimal:
    return cents(net * VAT_RATE)


def fmt(value: Decimal) -> str:
    """The ERP's money format: a 2-decimal string (``"1280.00"``)."""
    return f"{cents(value):.2f}"
