"""The CRM acting on its own (``MOCK_SIMULATION=1`` or ``POST /_admin/simulation/tick``).

Each tick, in a fixed order so a given seed always gives the same story:

1. every resolved complaint is closed (the customer accepted the fix);
2. each prospect opportunity qualifies with probability QUALIFY_PROBABILITY;
3. with probability NEW_ORDER_PROBABILITY a salesperson places (creates and
   submits) a small order for a random active customer — new demand for F1.
"""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.crm.models import Complaint, Customer, Opportunity, Product
from mocks.crm.rules import complaints, opportunities, orders
from mocks.crm.schemas import OrderLineIn, SalesOrderIn, StageChangeIn

QUALIFY_PROBABILITY = 0.5
NEW_ORDER_PROBABILITY = 0.3
MAX_SIMULATED_QTY = 20


def tick(session: Session, rng: random.Random) -> dict[str, Any]:
    closed = [c.complaint_id for c in session.scalars(
        select(Complaint).where(Complaint.status == "resolved").order_by(Complaint.id))]
    for complaint_id in closed:
        complaints.close_complaint(session, complaint_id)

    qualified = []
    for opp in session.scalars(select(Opportunity).where(Opportunity.stage == "prospect").order_by(Opportunity.id)):
        if rng.random() < QUALIFY_PROBABILITY:
            opportunities.change_stage(session, opp.opportunity_id, StageChangeIn(stage="qualified"))
            qualified.append(opp.opportunity_id)

    placed = None
    if rng.random() < NEW_ORDER_PROBABILITY:
        customers = list(session.scalars(select(Customer).where(
            Customer.status == "active", Customer.owner_id.is_not(None)).order_by(Customer.customer_id)))
        products = list(session.scalars(select(Product).where(
            Product.active.is_(True), Product.list_price.is_not(None)).order_by(Product.product_code)))
        if customers and products:
            customer, product = rng.choice(customers), rng.choice(products)
            qty = rng.randint(1, MAX_SIMULATED_QTY)
            order = orders.create_order(session, SalesOrderIn(
                customer_id=customer.customer_id, remarks="simulated",
                lines=[OrderLineIn(product_code=product.product_code, quantity=qty)]))
            placed = orders.submit_order(session, order.order_no).order_no
    return {"closedComplaints": closed, "qualifiedOpportunities": qualified, "placedOrder": placed}
