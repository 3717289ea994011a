"""MRP's business rules, as functions over a Session (no HTTP here).

- :mod:`.master`  — items, BOM versions, cycle detection, low-level codes
- :mod:`.inputs`  — stock snapshot, demands, open supplies, receipts
- :mod:`.engine`  — the pure netting algorithm (CATALOG.md "The MRP run")
- :mod:`.runs`    — a run over the database: inputs → engine → planned orders
- :mod:`.orders`  — firming, releasing (MO-/PR- numbers), auto-planning
- :mod:`.delays`  — a supply delay: reschedule affected make orders, re-plan
"""
