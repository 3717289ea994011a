"""Adapters for systems that cannot call webhooks: the hub polls an HTTP API, reads a database table
or takes files from a drop folder (``poll:`` in the connector file, :mod:`hub.connectors.sources`).

Every record read is handed to :meth:`hub.ingest.Ingestor.stage` — stored and deduplicated by its
key, then translated like a webhook body; after the adapter the path is the same (mapping, routing,
ordering, tracing, masking, replay). A source is read by one process at a time, the holder of its
lease in the ``pollers`` table (:mod:`hub.adapters.state`); its watermark moves in the transaction
that stores the records it covers, so a poller killed mid-batch loses nothing and, reading again,
duplicates nothing.
"""
