"""The integration hub: canonical messages between a company's business systems.

Where things are:

- a message **enters** at :mod:`hub.ingest` (``POST /webhooks/{connector}``),
- it is **mapped** in :mod:`hub.translate` with :mod:`hub.mapping` and routed by :mod:`hub.routing`,
- it is **delivered** by :mod:`hub.delivery`, driven by the workers in :mod:`hub.workers`,
- a **connector** is a file in ``connectors/`` read by :mod:`hub.connectors`.
"""

__version__ = "0.1.0"
