"""``/api/v1/products``, ``/api/v1/salespeople`` and ``/api/v1/opportunities``."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from mocks.common import SessionDep
from mocks.crm.rules import catalog, opportunities
from mocks.crm.schemas import (
    OpportunityIn,
    OpportunityOut,
    OpportunityStage,
    ProductIn,
    ProductOut,
    SalespersonOut,
    StageChangeIn,
)

router = APIRouter(prefix="/api/v1")


@router.get("/products", tags=["products"], summary="List products the CRM sells",
            response_model=list[ProductOut])
def list_products(session: SessionDep, active: bool | None = Query(None)) -> list[ProductOut]:
    return [ProductOut.model_validate(p) for p in catalog.list_products(session, active=active)]


@router.get("/products/{productCode}", tags=["products"], summary="Get a product", response_model=ProductOut)
def get_product(productCode: str, session: SessionDep) -> ProductOut:  # noqa: N803
    return ProductOut.model_validate(catalog.get_product(session, productCode))


@router.put("/products/{productCode}", tags=["products"], summary="Create or replace a product",
            response_model=ProductOut, responses={201: {"description": "Created"}},
            description="canonical `item.upserted` (sellable items only). Idempotent.")
def put_product(productCode: str, body: ProductIn, session: SessionDep,  # noqa: N803
                response: Response) -> ProductOut:
    product, created = catalog.upsert_product(session, productCode, body)
    response.status_code = 201 if created else 200
    return ProductOut.model_validate(product)


@router.get("/salespeople", tags=["salespeople"], summary="List salespeople", response_model=list[SalespersonOut])
def list_salespeople(session: SessionDep) -> list[SalespersonOut]:
    return [SalespersonOut.model_validate(s) for s in catalog.list_salespeople(session)]


@router.get("/opportunities", tags=["opportunities"], summary="List opportunities",
            response_model=list[OpportunityOut])
def list_opportunities(session: SessionDep, stage: OpportunityStage | None = Query(None),
                       customer_id: str | None = Query(None, alias="customerId")) -> list[OpportunityOut]:
    return [OpportunityOut.model_validate(o)
            for o in opportunities.list_opportunities(session, stage=stage, customer_id=customer_id)]


@router.post("/opportunities", tags=["opportunities"], summary="Open an opportunity (stage prospect)",
             response_model=OpportunityOut, status_code=201)
def create_opportunity(body: OpportunityIn, session: SessionDep) -> OpportunityOut:
    return OpportunityOut.model_validate(opportunities.create_opportunity(session, body))


@router.get("/opportunities/{opportunityId}", tags=["opportunities"], summary="Get an opportunity",
            response_model=OpportunityOut)
def get_opportunity(opportunityId: str, session: SessionDep) -> OpportunityOut:  # noqa: N803
    return OpportunityOut.model_validate(opportunities.get_opportunity(session, opportunityId))


@router.post("/opportunities/{opportunityId}/stage", tags=["opportunities"], summary="Move through the funnel",
             response_model=OpportunityOut,
             responses={409: {"description": "prospect → qualified → won | lost only"}})
def change_stage(opportunityId: str, body: StageChangeIn, session: SessionDep) -> OpportunityOut:  # noqa: N803
    return OpportunityOut.model_validate(opportunities.change_stage(session, opportunityId, body))
