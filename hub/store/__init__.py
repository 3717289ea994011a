"""Persistence: SQLAlchemy 2 models, the database handle, queries and Alembic migrations.

The database is the source of truth; the broker only carries ids.
"""

from hub.store.db import Database
from hub.store.masterdata import BlockingKey, GoldenRecord, HistoryEntry, MatchLink, MatchParameters, SourceRecord
from hub.store.models import Attempt, CanonicalMessage, CrossReference, Delivery, InboundMessage, SearchText

__all__ = ["Attempt", "BlockingKey", "CanonicalMessage", "CrossReference", "Database", "Delivery", "GoldenRecord",
           "HistoryEntry", "InboundMessage", "MatchLink", "MatchParameters", "SearchText", "SourceRecord"]
