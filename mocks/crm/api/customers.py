"""``/api/v1/customers``: customers with their contacts and addresses."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from mocks.common import SessionDep
from mocks.crm.rules import customers
from mocks.crm.schemas import CustomerIn, CustomerOut, CustomerPatch

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])


@router.get("", summary="List customers", response_model=list[CustomerOut])
def list_customers(
    session: SessionDep,
    status: str | None = Query(None, description="active | inactive"),
    q: str | None = Query(None, description="Part of the Chinese or English name"),
    uscc: str | None = Query(None, description="Unified social credit code"),
    external_system: str | None = Query(None, alias="externalSystem", description="e.g. erp"),
    external_id: str | None = Query(None, alias="externalId", description="That system's id"),
) -> list[CustomerOut]:
    found = customers.list_customers(session, status=status, q=q, uscc=uscc,
                                     external_system=external_system, external_id=external_id)
    return [CustomerOut.model_validate(c) for c in found]


@router.post("", summary="Create a customer (or upsert by externalRefs)", response_model=CustomerOut,
             status_code=201, responses={200: {"description": "An existing customer was updated"},
                                         409: {"description": "uscc or an external id belongs to another customer"}},
             description="Creates a customer with the next `CUS-` id and emits `customer.created`. "
                         "When `externalRefs` name a customer already linked (or the `uscc` matches one), "
                         "that customer is updated instead (200, `customer.updated` if anything changed), "
                         "so the hub can hand over another system's customer safely. Without `externalRefs`, "
                         "a duplicate `uscc` is refused (409).")
def create_customer(body: CustomerIn, session: SessionDep, response: Response) -> CustomerOut:
    customer, created = customers.create_customer(session, body)
    response.status_code = 201 if created else 200
    return CustomerOut.model_validate(customer)


@router.get("/{customerId}", summary="Get a customer", response_model=CustomerOut)
def get_customer(customerId: str, session: SessionDep) -> CustomerOut:  # noqa: N803 (the CRM's path name)
    return CustomerOut.model_validate(customers.get_customer(session, customerId))


@router.put("/{customerId}", summary="Create or replace a customer under this id", response_model=CustomerOut,
            responses={201: {"description": "Created under the given id"}},
            description="Idempotent upsert: sending the same document again changes nothing and emits nothing. "
                        "`externalRefs` are merged, never dropped.")
def put_customer(customerId: str, body: CustomerIn, session: SessionDep,  # noqa: N803
                 response: Response) -> CustomerOut:
    customer, created = customers.upsert_customer(session, customerId, body)
    response.status_code = 201 if created else 200
    return CustomerOut.model_validate(customer)


@router.patch("/{customerId}", summary="Change some fields of a customer", response_model=CustomerOut)
def patch_customer(customerId: str, body: CustomerPatch, session: SessionDep) -> CustomerOut:  # noqa: N803
    return CustomerOut.model_validate(customers.patch_customer(session, customerId, body))


@router.delete("/{customerId}", summary="Deactivate a customer", response_model=CustomerOut,
               description="Customers are never erased (orders point at them): they become `inactive` "
                           "and can no longer order.")
def delete_customer(customerId: str, session: SessionDep) -> CustomerOut:  # noqa: N803
    return CustomerOut.model_validate(customers.deactivate_customer(session, customerId))
