"""Lookups and numbering shared by the CRM's rules.

Lookups raise the answer a caller can act on: a path id that does not exist
is a 404; a reference inside a body (``customerId`` of an order) that does
not exist is a 422 naming that field, because the request itself is wrong.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from mocks.common import BusinessError, NotFound
from mocks.crm import clock
from mocks.crm.models import Customer, Product, SalesOrder, Salesperson

ORDER_NO_PREFIX = "SO"
CUSTOMER_ID_RE = re.compile(r"^CUS-\d{6}$")


def next_serial(session: Session, column: InstrumentedAttribute[str], prefix: str, width: int) -> str:
    """``prefix`` + the next zero-padded number after the highest existing one."""
    last = session.scalar(select(func.max(column)).where(column.like(f"{prefix}%")))
    n = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{n:0{width}d}"


def next_order_no(session: Session) -> str:
    """``SO-<yyyymmdd>-<nnnn>``: numbered per CRM-local day."""
    return next_serial(session, SalesOrder.order_no,
                       f"{ORDER_NO_PREFIX}-{clock.today():%Y%m%d}-", 4)


def customer_by_id(session: Session, customer_id: str) -> Customer | None:
    return session.scalar(select(Customer).where(Customer.customer_id == customer_id))


def get_customer(session: Session, customer_id: str) -> Customer:
    """The customer named in a path (404 if unknown)."""
    customer = customer_by_id(session, customer_id)
    if customer is None:
        raise NotFound("customer", customer_id, field="customerId")
    return customer


def referenced_customer(session: Session, customer_id: str, *, field: str = "customerId",
                        must_be_active: bool = True) -> Customer:
    """The customer a request body names (422 naming ``field`` if unknown or inactive)."""
    customer = customer_by_id(session, customer_id)
    if customer is None:
        raise BusinessError("unknown_customer", f"customer {customer_id!r} does not exist", field=field)
    if must_be_active and customer.status != "active":
        raise BusinessError("customer_inactive",
                            f"customer {customer_id} is {customer.status}; only active customers can order",
                            field=field)
    return customer


def referenced_product(session: Session, product_code: str, *, field: str = "productCode") -> Product:
    """The product a request body names (422 naming ``field`` if unknown or no longer sold)."""
    product = session.scalar(select(Product).where(Product.product_code == product_code))
    if product is None:
        raise BusinessError("unknown_product", f"product {product_code!r} does not exist", field=field)
    if not product.active:
        raise BusinessError("product_inactive", f"product {product_code} is no longer sold", field=field)
    return product


def referenced_salesperson(session: Session, user_id: str, *, field: str = "salespersonId") -> Salesperson:
    person = session.scalar(select(Salesperson).where(Salesperson.user_id == user_id))
    if person is None or not person.active:
        raise BusinessError("unknown_salesperson", f"salesperson {user_id!r} does not exist", field=field)
    return person


def get_order(session: Session, order_no: str) -> SalesOrder:
    order = session.scalar(select(SalesOrder).where(SalesOrder.order_no == order_no))
    if order is None:
        raise NotFound("sales order", order_no, field="orderNo")
    return order
