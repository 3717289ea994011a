"""MRP — the reference material-requirements-planning system (port 9103).

Holds the item master with planning parameters, versioned multi-level bills
of materials, a per-item stock snapshot, dated demands (sales orders) and open
supplies (purchase and production orders). Its planning run nets demand
against stock level by level (low-level codes), sizes lots, offsets lead times
and explodes planned make orders into component demand; released planned
orders become production orders (``MO-…``) and purchase requisitions
(``PR-…``). It speaks its own dialect — snake_case flat documents, item codes
such as ``T`` and ``BT``, dates as ``YYYYMMDD`` — and never imports the hub.
"""
