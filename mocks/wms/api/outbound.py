"""Outbound orders (reserve, pick, ship, cancel) and the shipments they make."""

from __future__ import annotations

from fastapi import APIRouter, Body, Response

from mocks.common import SessionDep
from mocks.wms.models import Outbound, Shipment
from mocks.wms.rules import outbound
from mocks.wms.schemas import CancelIn, OutboundIn, OutboundOut, PickIn, ShipIn, ShipmentOut

router = APIRouter(prefix="/api", tags=["outbound"])


@router.post("/outbound", summary="Fulfil a confirmed sales order (sales_order.confirmed)",
             response_model=OutboundOut, status_code=201,
             responses={200: {"description": "this sales order is already known: returned unchanged"},
                        409: {"description": "partial=false and not everything can be reserved"}})
def post_outbound(body: OutboundIn, session: SessionDep, response: Response) -> Outbound:
    """Reserves what is available; the rest is backordered until stock arrives. Upsert by ``ref``."""
    row, created = outbound.create_outbound(session, body)
    response.status_code = 201 if created else 200
    return row


@router.get("/outbound", summary="List outbound orders", response_model=list[OutboundOut])
def list_outbound(session: SessionDep, status: str | None = None, cust: str | None = None) -> list[Outbound]:
    return outbound.list_outbound(session, status, cust)


@router.get("/outbound/{no}", summary="One outbound order, by OB or sales order number", response_model=OutboundOut)
def get_outbound(no: str, session: SessionDep) -> Outbound:
    return outbound.find_outbound(session, no)


@router.post("/outbound/{no}/pick", summary="Pick reserved stock to the dock", response_model=OutboundOut)
def pick(no: str, session: SessionDep, body: PickIn | None = Body(None)) -> Outbound:
    """Without a body: pick everything reserved. Picking more than is reserved is refused (409)."""
    return outbound.pick(session, no, body)


@router.post("/outbound/{no}/ship", summary="Ship what was picked", response_model=ShipmentOut, status_code=201,
             responses={409: {"description": "nothing has been picked"}})
def ship(no: str, body: ShipIn, session: SessionDep) -> Shipment:
    """Issues the picked stock, generates a waybill if none is given, emits ``shipment/dispatched``."""
    return outbound.ship(session, no, body)


@router.post("/outbound/{no}/cancel", summary="Cancel (sales_order.cancelled): release reservations",
             response_model=OutboundOut)
def cancel(no: str, session: SessionDep, body: CancelIn | None = Body(None)) -> Outbound:
    return outbound.cancel(session, no, body.reason if body else None)


@router.get("/shipments", summary="List shipments", response_model=list[ShipmentOut])
def list_shipments(session: SessionDep, ref: str | None = None, ob: str | None = None) -> list[Shipment]:
    return outbound.list_shipments(session, ref, ob)


@router.get("/shipments/{shp}", summary="One shipment", response_model=ShipmentOut)
def get_shipment(shp: str, session: SessionDep) -> Shipment:
    return outbound.get_shipment(session, shp)
