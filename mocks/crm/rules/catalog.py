"""Products the CRM sells and the salespeople who sell them.

Products are ERP's items seen from sales (``item.upserted`` arrives as a
PUT by productCode); only items with a CRM code are sold here.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.crm import clock
from mocks.crm.models import Product, Salesperson
from mocks.crm.schemas import ProductIn

PRODUCT_CODE_RE = re.compile(r"^PRD-[A-Z0-9][A-Z0-9-]{1,36}$")


def list_products(session: Session, *, active: bool | None = None) -> list[Product]:
    stmt = select(Product).order_by(Product.product_code)
    if active is not None:
        stmt = stmt.where(Product.active == active)
    return list(session.scalars(stmt))


def get_product(session: Session, product_code: str) -> Product:
    product = session.scalar(select(Product).where(Product.product_code == product_code))
    if product is None:
        raise NotFound("product", product_code, field="productCode")
    return product


def upsert_product(session: Session, product_code: str, body: ProductIn) -> tuple[Product, bool]:
    """Create or replace a product; external references are merged, not dropped."""
    if not PRODUCT_CODE_RE.match(product_code):
        raise BusinessError("invalid_product_code", f"productCode {product_code!r} must look like PRD-DESK-1200",
                            field="productCode")
    product = session.scalar(select(Product).where(Product.product_code == product_code))
    created = product is None
    if product is None:
        product = Product(product_code=product_code, external_refs={})
        session.add(product)
    product.name, product.name_en, product.uom = body.name, body.name_en, body.uom
    product.list_price, product.active = body.list_price, body.active
    product.external_refs = {**(product.external_refs or {}), **body.external_refs}
    product.updated_at = clock.now()
    session.flush()
    return product, created


def list_salespeople(session: Session) -> list[Salesperson]:
    return list(session.scalars(select(Salesperson).order_by(Salesperson.user_id)))
