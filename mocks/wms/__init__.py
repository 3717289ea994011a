"""WMS — the warehouse management system of the reference company (port 9105).

It owns the physical truth about stock: warehouses ``WH01`` (raw materials)
and ``WH02`` (finished goods) with their locations, stock per
(sku, wh, loc, lot) with reservations that never let anything go negative,
expected receipts (ASN) from purchase orders and the receipts scanned against
them (discrepancies flagged), put-away, outbound orders from confirmed sales
orders (reserve → pick → ship), finished-goods receipts from production, a
movements ledger, safety-stock alerts and the availability query. It speaks
its own vocabulary — short snake keys (``sku``, ``qty``, ``wh``, ``loc``,
``lot``, ``ref``), epoch-millisecond timestamps, prefixed document numbers
(``ASN…``, ``RCV…``, ``OB…``, ``SHP…``, ``MV…``) — and never imports the hub.
"""
