"""MES business rules as functions over a Session — no FastAPI here.

One module per concern: :mod:`.common` (lookups, numbering, tolerances),
:mod:`.masterdata` (parts, BOM versions, operators), :mod:`.workorders`
(creation and status transitions), :mod:`.progress` (reports and
completion), :mod:`.quality` (inspections), :mod:`.complaints` (customer
complaints the quality department investigates), :mod:`.scheduling`
(rescheduling and material delays). Rule violations raise
:class:`~mocks.common.BusinessError` naming the field.
"""
