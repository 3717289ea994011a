"""ERP — the company's internal ledger (reference system, port 9102).

Holds the customer, material, vendor and employee archives; sales orders
priced from list prices with discounts and 13 % VAT and guarded by a credit
check; deliveries that post invoices and receivables; payments; purchase
commitments, goods receipts and payables; inventory value at standard cost;
budgets and purchase requisitions. It speaks its own vocabulary: numeric
customer/vendor/employee ids, material numbers like ``100-0001``,
``YYYY-MM-DD`` dates and money as 2-decimal strings, and it never imports
the hub.
"""
