"""Reference CRM of Suzhou Hengjia: where demand enters the company.

Salespeople keep customers (with contacts and addresses), opportunities and
sales orders here, and service staff log customer complaints. The CRM is the
customer-facing window on the rest of the company: it does not plan,
produce or ship anything itself, but *shows* what ERP, MES, WMS and OA tell
it through the hub (credit results, production progress, shipments,
invoices, payments, complaint assignments). It speaks its own dialect —
camelCase JSON, ``CUS-000101`` / ``SO-20261122-0001`` / ``CMP-000001`` ids,
ISO 8601 times in +08:00 — and never imports the hub.
"""
