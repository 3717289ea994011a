"""Archives: ``/api/customers``, ``/api/materials``, ``/api/vendors``, ``/api/employees``."""

from __future__ import annotations

from fastapi import APIRouter, Response

from mocks.common import NotFound, SessionDep
from mocks.erp.api.common import ERRORS, IdPath, created, out, outs
from mocks.erp.rules import archives, credit
from mocks.erp.schemas import (
    CreditStatusOut,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    EmployeeIn,
    EmployeeOut,
    EmployeePatch,
    MaterialIn,
    MaterialOut,
    MaterialPatch,
    VendorIn,
    VendorOut,
    VendorPatch,
)

router = APIRouter(prefix="/api", responses=ERRORS)
OUTCOME_HEADER = "X-ERP-Outcome"
"""On by-ref upserts: created | updated | linked (found by tax_no) | unchanged."""


# ----------------------------------------------------------------- customers
@router.get("/customers", tags=["customers"], summary="List customers (filter by tax_no to look one up)")
def list_customers(session: SessionDep, tax_no: str | None = None, status: str | None = None) -> list[CustomerOut]:
    return outs(CustomerOut, archives.list_customers(session, tax_no=tax_no, status=status))


@router.post("/customers", tags=["customers"], status_code=201, summary="Create a customer",
             description="Emits `customer.saved`. A tax_no already in the archive is refused (409).")
def create_customer(body: CustomerIn, session: SessionDep) -> CustomerOut:
    return out(CustomerOut, archives.create_customer(session, body))


@router.get("/customers/by-tax-no/{tax_no}", tags=["customers"], summary="The customer with this tax_no")
def customer_by_tax_no(tax_no: str, session: SessionDep) -> CustomerOut:
    found = archives.list_customers(session, tax_no=tax_no)
    if not found:
        raise NotFound("customer with tax_no", tax_no)
    return out(CustomerOut, found[0])


@router.put("/customers/by-ref/{system}/{ref}", tags=["customers"],
            summary="Upsert the customer another system calls `ref`",
            description="Known reference → update; unknown reference but known tax_no → link and update; "
                        "else create. 201 when created. Emits `customer.saved` unless nothing changed. "
                        f"Header `{OUTCOME_HEADER}` tells which.")
def upsert_customer_by_ref(system: str, ref: str, body: CustomerIn, session: SessionDep,
                           response: Response) -> CustomerOut:
    row, outcome = archives.upsert_customer_by_ref(session, system, ref, body)
    created(response, outcome == "created")
    response.headers[OUTCOME_HEADER] = outcome
    return out(CustomerOut, row)


@router.get("/customers/by-ref/{system}/{ref}", tags=["customers"], summary="The customer another system calls `ref`")
def customer_by_ref(system: str, ref: str, session: SessionDep) -> CustomerOut:
    return out(CustomerOut, archives.customer_by_ref(session, system, ref))


@router.get("/customers/{customer_id}", tags=["customers"], summary="One customer")
def get_customer(customer_id: IdPath, session: SessionDep) -> CustomerOut:
    return out(CustomerOut, archives.get_customer(session, customer_id))


@router.patch("/customers/{customer_id}", tags=["customers"], summary="Change a customer",
              description="Only the fields sent change. Emits `customer.saved` if anything did.")
def update_customer(customer_id: IdPath, body: CustomerPatch, session: SessionDep) -> CustomerOut:
    return out(CustomerOut, archives.update_customer(session, customer_id, body))


@router.get("/customers/{customer_id}/credit-status", tags=["customers"],
            summary="Credit standing now (the customer.credit_status query)")
def credit_status(customer_id: IdPath, session: SessionDep) -> CreditStatusOut:
    return CreditStatusOut.model_validate(credit.credit_status(session, archives.get_customer(session, customer_id)))


# ----------------------------------------------------------------- materials
@router.get("/materials", tags=["materials"], summary="List materials")
def list_materials(session: SessionDep, procurement: str | None = None) -> list[MaterialOut]:
    return outs(MaterialOut, archives.list_materials(session, procurement=procurement))


@router.post("/materials", tags=["materials"], status_code=201, summary="Create a material",
             description="Emits `material.saved`.")
def create_material(body: MaterialIn, session: SessionDep) -> MaterialOut:
    return out(MaterialOut, archives.create_material(session, body))


@router.get("/materials/{material}", tags=["materials"], summary="One material")
def get_material(material: str, session: SessionDep) -> MaterialOut:
    return out(MaterialOut, archives.get_material(session, material))


@router.put("/materials/{material}", tags=["materials"], summary="Create or update a material by number",
            description="201 when created. A new std_cost revalues the stock on hand. Emits `material.saved` "
                        "unless nothing changed.")
def put_material(material: str, body: MaterialIn, session: SessionDep, response: Response) -> MaterialOut:
    row, is_new = archives.put_material(session, material, body)
    created(response, is_new)
    return out(MaterialOut, row)


@router.patch("/materials/{material}", tags=["materials"], summary="Change a material")
def update_material(material: str, body: MaterialPatch, session: SessionDep) -> MaterialOut:
    return out(MaterialOut, archives.update_material(session, material, body))


# ------------------------------------------------------------------- vendors
@router.get("/vendors", tags=["vendors"], summary="List vendors (filter by tax_no to look one up)")
def list_vendors(session: SessionDep, tax_no: str | None = None, status: str | None = None) -> list[VendorOut]:
    return outs(VendorOut, archives.list_vendors(session, tax_no=tax_no, status=status))


@router.post("/vendors", tags=["vendors"], status_code=201, summary="Create a vendor",
             description="Emits `vendor.saved`.")
def create_vendor(body: VendorIn, session: SessionDep) -> VendorOut:
    return out(VendorOut, archives.create_vendor(session, body))


@router.put("/vendors/by-ref/{system}/{ref}", tags=["vendors"], summary="Upsert the vendor another system calls `ref`",
            description="As for customers: by reference, else by tax_no, else created.")
def upsert_vendor_by_ref(system: str, ref: str, body: VendorIn, session: SessionDep, response: Response) -> VendorOut:
    row, outcome = archives.upsert_vendor_by_ref(session, system, ref, body)
    created(response, outcome == "created")
    response.headers[OUTCOME_HEADER] = outcome
    return out(VendorOut, row)


@router.get("/vendors/by-ref/{system}/{ref}", tags=["vendors"], summary="The vendor another system calls `ref`")
def vendor_by_ref(system: str, ref: str, session: SessionDep) -> VendorOut:
    return out(VendorOut, archives.vendor_by_ref(session, system, ref))


@router.get("/vendors/{vendor_id}", tags=["vendors"], summary="One vendor")
def get_vendor(vendor_id: IdPath, session: SessionDep) -> VendorOut:
    return out(VendorOut, archives.get_vendor(session, vendor_id))


@router.patch("/vendors/{vendor_id}", tags=["vendors"], summary="Change a vendor")
def update_vendor(vendor_id: IdPath, body: VendorPatch, session: SessionDep) -> VendorOut:
    return out(VendorOut, archives.update_vendor(session, vendor_id, body))


# ----------------------------------------------------------------- employees
@router.get("/employees", tags=["employees"], summary="List employees")
def list_employees(session: SessionDep, department: str | None = None) -> list[EmployeeOut]:
    return outs(EmployeeOut, archives.list_employees(session, department=department))


@router.post("/employees", tags=["employees"], status_code=201, summary="Create an employee",
             description="Emits `employee.saved`.")
def create_employee(body: EmployeeIn, session: SessionDep) -> EmployeeOut:
    return out(EmployeeOut, archives.create_employee(session, body))


@router.put("/employees/by-ref/{system}/{ref}", tags=["employees"],
            summary="Onboard or update the employee another system (OA) calls `ref`")
def upsert_employee_by_ref(system: str, ref: str, body: EmployeeIn, session: SessionDep,
                           response: Response) -> EmployeeOut:
    row, outcome = archives.upsert_employee_by_ref(session, system, ref, body)
    created(response, outcome == "created")
    response.headers[OUTCOME_HEADER] = outcome
    return out(EmployeeOut, row)


@router.get("/employees/{employee_id}", tags=["employees"], summary="One employee")
def get_employee(employee_id: IdPath, session: SessionDep) -> EmployeeOut:
    return out(EmployeeOut, archives.get_employee(session, employee_id))


@router.patch("/employees/{employee_id}", tags=["employees"], summary="Change an employee")
def update_employee(employee_id: IdPath, body: EmployeePatch, session: SessionDep) -> EmployeeOut:
    return out(EmployeeOut, archives.update_employee(session, employee_id, body))
