"""Who did what to which object: an append-only log that staff actions write to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import Base, created_at, intpk
from portal.pagination import Page, paginate


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[intpk]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[created_at]

    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),
                      Index("ix_audit_events_action", "action"))


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


@dataclass(frozen=True)
class AuditFilters:
    actor_id: int | None = None
    object_type: str | None = None
    object_id: str | None = None
    action: str | None = None


def list_events(session: Session, *, filters: AuditFilters, page: int,
                per_page: int = 50) -> Page[AuditEvent]:
    """The log newest first, narrowed by who, which object and what was done."""
    statement = select(AuditEvent)
    if filters.actor_id is not None:
        statement = statement.where(AuditEvent.actor_id == filters.actor_id)
    if filters.object_type:
        statement = statement.where(AuditEvent.object_type == filters.object_type)
    if filters.object_id:
        statement = statement.where(AuditEvent.object_id == filters.object_id)
    if filters.action:
        statement = statement.where(AuditEvent.action == filters.action)
    statement = statement.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    return paginate(session, statement, number=page, per_page=per_page)


def known_values(session: Session) -> tuple[list[str], list[str]]:
    """The actions and object types the log holds, for the viewer's filter menus."""
    actions = session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    types = session.scalars(select(AuditEvent.object_type).distinct()
                            .order_by(AuditEvent.object_type))
    return list(actions), list(types)
