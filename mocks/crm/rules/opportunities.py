"""Opportunities: a simple funnel, prospect → qualified → won | lost.

A prospect may also be dropped (lost) before qualifying; won and lost are
final. Losing needs a reason, winning needs an amount; the funnel is the
CRM's own business, so nothing is emitted.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.common import BusinessError, NotFound
from mocks.crm import clock
from mocks.crm.models import Opportunity
from mocks.crm.rules.common import next_serial, referenced_customer, referenced_salesperson
from mocks.crm.schemas import OpportunityIn, StageChangeIn

OPPORTUNITY_ID_PREFIX = "OPP-"
STAGES: dict[str, frozenset[str]] = {
    "prospect": frozenset({"qualified", "lost"}),
    "qualified": frozenset({"won", "lost"}),
    "won": frozenset(),
    "lost": frozenset(),
}


def list_opportunities(session: Session, *, stage: str | None = None,
                       customer_id: str | None = None) -> list[Opportunity]:
    stmt = select(Opportunity).order_by(Opportunity.opportunity_id)
    if stage:
        stmt = stmt.where(Opportunity.stage == stage)
    if customer_id:
        stmt = stmt.where(Opportunity.customer_id == customer_id)
    return list(session.scalars(stmt))


def get_opportunity(session: Session, opportunity_id: str) -> Opportunity:
    opp = session.scalar(select(Opportunity).where(Opportunity.opportunity_id == opportunity_id))
    if opp is None:
        raise NotFound("opportunity", opportunity_id, field="opportunityId")
    return opp


def create_opportunity(session: Session, body: OpportunityIn) -> Opportunity:
    customer = referenced_customer(session, body.customer_id)
    owner = body.owner_id or customer.owner_id
    if owner:
        referenced_salesperson(session, owner, field="ownerId")
    now = clock.now()
    opp = Opportunity(opportunity_id=next_serial(session, Opportunity.opportunity_id, OPPORTUNITY_ID_PREFIX, 6),
                      customer_id=customer.customer_id, title=body.title, amount=body.amount,
                      currency=body.currency, owner_id=owner, expected_close_date=body.expected_close_date,
                      stage="prospect", created_at=now, updated_at=now)
    session.add(opp)
    session.flush()
    return opp


def change_stage(session: Session, opportunity_id: str, body: StageChangeIn) -> Opportunity:
    opp = get_opportunity(session, opportunity_id)
    if opp.stage == body.stage:
        return opp
    if body.stage not in STAGES[opp.stage]:
        allowed = ", ".join(sorted(STAGES[opp.stage])) or "nothing (final)"
        raise BusinessError("illegal_stage_change",
                            f"opportunity {opportunity_id} cannot go {opp.stage} → {body.stage} "
                            f"(from {opp.stage} only: {allowed})", field="stage", status=409)
    if body.stage == "lost" and not body.lost_reason:
        raise BusinessError("reason_required", "a lost opportunity needs a lostReason", field="lostReason")
    if body.stage == "won" and opp.amount <= 0:
        raise BusinessError("amount_required", "a won opportunity needs an amount above 0", field="amount")
    opp.stage, opp.lost_reason, opp.updated_at = body.stage, body.lost_reason, clock.now()
    session.flush()
    return opp
