from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, created_at, db_enum, intpk, utc_datetime

if TYPE_CHECKING:
    from portal.auth.models import Customer
    from portal.orders.models import Order


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    AWAITING_CUSTOMER = "awaiting_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"


class RequestPriority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class SupportRequest(Base):
    __tablename__ = "support_requests"

    id: Mapped[intpk]
    number: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    status: Mapped[RequestStatus] = mapped_column(
        db_enum(RequestStatus, "request_status"), default=RequestStatus.OPEN, index=True
    )
    priority: Mapped[RequestPriority] = mapped_column(
        db_enum(RequestPriority, "request_priority"), default=RequestPriority.NORMAL
    )
    search_query: Mapped[str | None] = mapped_column(String(200))
    problem_kind: Mapped[str | None] = mapped_column(String(20))
    suggested_fix: Mapped[str | None] = mapped_column(String(20))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[created_at]
    updated_at: Mapped[utc_datetime | None]
    first_response_at: Mapped[utc_datetime | None]
    resolved_at: Mapped[utc_datetime | None] = mapped_column(index=True)
    # Service level (portal/support/sla.py): due times move later by the business time the
    # clock stood still (waiting on the shopper, or resolved and then reopened).
    first_response_due_at: Mapped[utc_datetime | None] = mapped_column(index=True)
    resolution_due_at: Mapped[utc_datetime | None] = mapped_column(index=True)
    sla_paused_at: Mapped[utc_datetime | None]
    sla_paused_seconds: Mapped[int] = mapped_column(default=0, server_default="0")

    customer: Mapped[Customer] = relationship(foreign_keys=[customer_id], lazy="raise")
    assignee: Mapped[Customer | None] = relationship(foreign_keys=[assignee_id], lazy="raise")
    order: Mapped[Order | None] = relationship(lazy="raise")
    messages: Mapped[list[Message]] = relationship(
        back_populates="request", lazy="raise", cascade="all, delete-orphan",
        order_by="Message.id",
    )

    __table_args__ = (
        UniqueConstraint("customer_id", "idempotency_key", name="uq_support_requests_idempotency"),
        Index("ix_support_requests_customer_created", "customer_id", "created_at"),
    )


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[intpk]
    request_id: Mapped[int] = mapped_column(ForeignKey("support_requests.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    body: Mapped[str] = mapped_column(Text)
    is_internal: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created_at]

    request: Mapped[SupportRequest] = relationship(back_populates="messages", lazy="raise")
    author: Mapped[Customer] = relationship(lazy="raise")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="message", lazy="raise", order_by="Attachment.id")


class Attachment(Base):
    """A file on a message, kept in `portal.storage` under a random key (see attachments.py)."""

    __tablename__ = "attachments"

    id: Mapped[intpk]
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    filename: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(120))
    thumbnail_key: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[created_at]

    message: Mapped[Message] = relationship(back_populates="attachments", lazy="raise")


class SatisfactionRating(Base):
    __tablename__ = "satisfaction_ratings"

    id: Mapped[intpk]
    request_id: Mapped[int] = mapped_column(ForeignKey("support_requests.id"), unique=True)
    score: Mapped[int]
    comment: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[created_at]

    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)


class Macro(Base):
    """A saved reply staff insert into a message; {{ variables }} are filled per request."""

    __tablename__ = "macros"

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(120), unique=True)
    body: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    created_at: Mapped[created_at]
    updated_at: Mapped[utc_datetime | None]
