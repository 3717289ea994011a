"""Reference implementations of the seven business systems the hub connects.

Each subpackage (crm, erp, mrp, mes, wms, srm, oa) is a small, real service
with its own vocabulary, state and rules. They are *other companies'
systems*: they never import :mod:`hub`, and talk to it only over HTTP,
sharing the Standard Webhooks signing convention. Beside them, ``audit`` is the
company's audit archive: it only keeps the copies of business events the hub
wire-taps for it.
"""
