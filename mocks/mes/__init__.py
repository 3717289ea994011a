"""MES — the shop-floor execution system of the reference company (plant SZ01).

It turns released production orders into work orders (``WO`` + yyyyMM + 4
digits) whose operations come from the part's routing, takes progress
reports per operation with good and scrap quantities, completes orders with
a defect rate, lot numbers and an automatic final inspection, records
quality inspections, and reschedules work orders when material is late. It
speaks a .NET-style vocabulary — PascalCase JSON, local China time without
offset (``yyyy-MM-dd HH:mm:ss``), status words ``Released``/``InProgress``/
``Completed``/``Closed``/``OnHold`` — and never the hub's canonical format.
"""
