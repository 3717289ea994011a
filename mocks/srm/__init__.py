"""SRM — the reference supplier relationship management system (port 9106).

Another company's product the hub integrates with: it keeps suppliers (qualification
status, rating, price lists per material, lead times), takes purchase requisitions,
waits for their approval, chooses a supplier per line (price, lead time, rating),
issues purchase orders (``PO`` + yyyymmdd + 3 digits), and follows each order through
supplier confirmation, delay notices and goods receipts to closure. It speaks its own
vocabulary — camelCase fields, ``SUP-0001`` supplier ids, ``M-LEG-STL`` material codes,
``YYYY/MM/DD`` dates, UPPER_SNAKE status words — and never imports the hub.
"""
