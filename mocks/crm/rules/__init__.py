"""The CRM's business rules, one module per area, over a SQLAlchemy Session (no HTTP here).

- :mod:`.customers`     customers, contacts, addresses; USCC checks; upsert by external id
- :mod:`.orders`        sales order life-cycle as the salesperson drives it
- :mod:`.fulfilment`    what ERP, MES and WMS report about an order, shown idempotently
- :mod:`.complaints`    service complaints: open → assigned → resolved → closed
- :mod:`.alerts`        safety-stock alerts for sales
- :mod:`.opportunities` the sales funnel
- :mod:`.catalog`       products and salespeople
"""
