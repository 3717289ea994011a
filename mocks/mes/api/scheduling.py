"""Rescheduling: ``/api/WorkOrders/{WorkOrderNo}/Reschedule`` and ``/api/MaterialDelays``."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from mocks.common import SessionDep
from mocks.mes.rules import scheduling
from mocks.mes.schemas import MaterialDelayIn, MaterialDelayOut, RescheduleIn, WorkOrderOut
from mocks.mes.views import work_order_out

router = APIRouter(prefix="/api", tags=["Scheduling"])


@router.post("/WorkOrders/{WorkOrderNo}/Reschedule", response_model=WorkOrderOut,
             responses={404: {"description": "No such work order"},
                        409: {"description": "The order is Completed or Closed"},
                        422: {"description": "NewPlannedEnd before the start"}},
             summary="Move the planned end of an open work order")
def reschedule(WorkOrderNo: str, body: RescheduleIn, session: SessionDep) -> WorkOrderOut:  # noqa: N803
    """Emits `WorkOrderRescheduled` (old and new end, reason). The same dates again change nothing."""
    return work_order_out(scheduling.reschedule(session, WorkOrderNo, new_planned_end=body.new_planned_end,
                                                new_planned_start=body.new_planned_start, reason=body.reason))


@router.post("/MaterialDelays", response_model=MaterialDelayOut, status_code=201,
             responses={200: {"description": "Same Ref, part and date as before: the first record",
                              "model": MaterialDelayOut},
                        422: {"description": "Unknown PartNo, or a bad date"}},
             summary="A component will be late: push the affected work orders")
def material_delay(body: MaterialDelayIn, session: SessionDep, response: Response) -> MaterialDelayOut:
    """Every not-yet-completed work order whose BOM uses the component and whose planned start is
    before `NewAvailableDate` starts on that date, its end shifted by the same amount. Emits
    `WorkOrderRescheduled` per moved order. From `purchase_order.delayed`."""
    delay, created = scheduling.register_material_delay(session, **dict(body))
    if not created:
        response.status_code = 200
    return MaterialDelayOut.model_validate(delay)


@router.get("/MaterialDelays", response_model=list[MaterialDelayOut], summary="List material delays")
def list_material_delays(session: SessionDep,
                         part_no: str | None = Query(None, alias="PartNo")) -> list[MaterialDelayOut]:
    return [MaterialDelayOut.model_validate(d) for d in scheduling.list_material_delays(session, part_no)]


@router.get("/MaterialDelays/{DelayNo}", response_model=MaterialDelayOut, summary="One material delay",
            responses={404: {"description": "No such delay"}})
def get_material_delay(DelayNo: str, session: SessionDep) -> MaterialDelayOut:  # noqa: N803
    return MaterialDelayOut.model_validate(scheduling.get_material_delay(session, DelayNo))
