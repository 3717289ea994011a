"""The warehouse working on its own, one tick at a time (seeded, so repeatable).

Each tick: every pallet waiting at receiving (or the dock) is put away to
its suggested storage location; every outbound order that is fully
reserved is picked and shipped with a carrier drawn from the seeded
``rng``. Backordered orders wait for stock.
"""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mocks.wms.models import Outbound
from mocks.wms.rules import inbound, outbound
from mocks.wms.schemas import PutawayIn, ShipIn

CARRIERS = ("SF", "JD", "ZTO", "YTO")
"""Carriers the warehouse books (顺丰, 京东, 中通, 圆通)."""


def tick(session: Session, rng: random.Random) -> dict[str, Any]:
    put: list[str] = []
    for task in inbound.putaway_tasks(session):
        done = inbound.putaway(session, PutawayIn(sku=task["sku"], loc=task["loc"], to=task["to"],
                                                  lot=task["lot"], qty=task["qty"]))
        put.extend(done["mvs"])
    shipped: list[str] = []
    ready = session.scalars(select(Outbound).where(Outbound.status.in_(("ALLOCATED", "PICKED", "PART_SHIPPED")))
                            .order_by(Outbound.ob)).all()
    for ob in ready:
        if any(ln.backorder for ln in ob.lines):
            continue
        if any(ln.alloc > ln.picked for ln in ob.lines):
            outbound.pick(session, ob.ob)
        shp = outbound.ship(session, ob.ob, ShipIn(carrier=rng.choice(CARRIERS)))
        shipped.append(shp.shp)
    return {"putaway": put, "shipped": shipped}
