"""The WMS's business rules, as functions over a Session (no HTTP here).

- :mod:`.stock` — the stock book: every change writes a movement, books a
  ledger entry per sku+wh (read by the hub: ``GET /api/ledger``) and checks
  safety stock; availability.
- :mod:`.master` — skus (with substitutes), customers, suppliers.
- :mod:`.inbound` — ASNs, receipts with discrepancy flags, put-away,
  production receipts.
- :mod:`.outbound` — outbound orders: reserve (backorder the rest), pick,
  ship, cancel, and filling backorders when stock arrives.

Rule violations raise :class:`~mocks.common.BusinessError` naming the field.
"""
