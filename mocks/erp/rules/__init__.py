"""The ERP's business rules, one module per area, over a SQLAlchemy Session (no HTTP here).

- :mod:`.archives`   customers, materials, vendors, employees; upsert by another system's reference
- :mod:`.credit`     exposure, overdue amount and the credit decision
- :mod:`.sales`      sales orders: pricing, discounts, VAT, credit check, release, cancel
- :mod:`.billing`    deliveries → invoices (receivables) → payments
- :mod:`.purchasing` purchase commitments, goods receipts, payables, budgets, requisitions
- :mod:`.inventory`  stock quantity and value at standard cost, production receipts

Rules raise :class:`mocks.common.BusinessError` naming the field and the rule.
"""
