"""The archive's one table: each event copy as it arrived."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Copy(Base):
    """One CloudEvent, kept once per ``source`` + ``id`` (a resend is recognised, not kept twice)."""

    __tablename__ = "copies"
    __table_args__ = (UniqueConstraint("source", "event_id"),)

    copy_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(500))
    event_id: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(200), index=True)
    subject: Mapped[str | None] = mapped_column(String(500), nullable=True, index=True)
    correlation_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def as_dict(self) -> dict[str, Any]:
        return {"copyId": self.copy_id, "source": self.source, "id": self.event_id, "type": self.type,
                "subject": self.subject, "correlationId": self.correlation_id,
                "receivedAt": self.received_at.isoformat(), "event": self.event}
