"""Who did what to which object: an append-only log that staff actions write to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import Base, created_at, intpk


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[intpk]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[created_at]

    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)


def record_event(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str | int,
    **data: Any,
) -> AuditEvent:
    """Adds an audit event to the session, committed with the change it describes."""
    event = AuditEvent(
        actor_id=actor_id, action=action, object_type=object_type, object_id=str(object_id),
        data=data,
    )
    session.add(event)
    return event
