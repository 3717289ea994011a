"""The integration hub: canonical messages between a company's business systems.

Where things are:

- a message **enters** at :mod:`hub.ingest` (``POST /webhooks/{connector}``),
- the **stages** it passes are pure functions in :mod:`hub.pipeline` — inbound (native → one or
  several canonical messages), routing (subscriptions, filters, ``each``), outbound (calls and
  answer rules) — committed by :mod:`hub.translate`, with :mod:`hub.mapping` for JSONata,
- it is **delivered** by :mod:`hub.delivery` (its call wrapped in :mod:`hub.delivery.stages`),
  driven by the workers in :mod:`hub.workers`,
- a **connector** is a file in ``connectors/`` read by :mod:`hub.connectors` and compiled once in
  :mod:`hub.registry`.
"""

__version__ = "0.1.0"
