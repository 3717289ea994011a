"""Connectors as data: ``connectors/<name>.yaml`` validated into typed models.

Add a connector by adding a file; :mod:`hub.connectors.models` documents every
key, its default and example, and :mod:`hub.connectors.loader` refuses unknown
keys with the file, the line and a hint.
"""

from hub.connectors.loader import ConnectorFile, load_connectors
from hub.connectors.models import Connector, InboundEvent, Operation, RetryPolicy, Subscription

__all__ = ["Connector", "ConnectorFile", "InboundEvent", "Operation", "RetryPolicy", "Subscription", "load_connectors"]
