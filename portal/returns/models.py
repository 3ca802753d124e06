from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, created_at, db_enum, intpk, money, utc_datetime

if TYPE_CHECKING:
    from portal.orders.models import Order, OrderLine


class ReturnStatus(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    REFUNDED = "refunded"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class ReturnResolution(enum.StrEnum):
    REFUND = "refund"
    STORE_CREDIT = "store_credit"


class ReturnReason(enum.StrEnum):
    TOO_SMALL = "too_small"
    TOO_LARGE = "too_large"
    NOT_AS_DESCRIBED = "not_as_described"
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    CHANGED_MIND = "changed_mind"
    ARRIVED_LATE = "arrived_late"
    OTHER = "other"


class ItemCondition(enum.StrEnum):
    AS_NEW = "as_new"
    OPENED = "opened"
    DAMAGED = "damaged"
    MISSING_PARTS = "missing_parts"


class ReturnRequest(Base):
    __tablename__ = "return_requests"

    id: Mapped[intpk]
    rma_number: Mapped[str] = mapped_column(String(20), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    status: Mapped[ReturnStatus] = mapped_column(
        db_enum(ReturnStatus, "return_status"), default=ReturnStatus.REQUESTED, index=True
    )
    resolution: Mapped[ReturnResolution] = mapped_column(
        db_enum(ReturnResolution, "return_resolution")
    )
    method: Mapped[str] = mapped_column(String(20), default="drop_off")
    refund_estimate_cents: Mapped[money]
    rejection_reason: Mapped[str | None] = mapped_column(String(300))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[created_at]
    updated_at: Mapped[utc_datetime | None]

    order: Mapped[Order] = relationship(lazy="raise")
    lines: Mapped[list[ReturnLine]] = relationship(
        back_populates="return_request", lazy="raise", cascade="all, delete-orphan"
    )
    events: Mapped[list[ReturnEvent]] = relationship(
        back_populates="return_request", lazy="raise", cascade="all, delete-orphan",
        order_by="ReturnEvent.id",
    )

    __table_args__ = (
        UniqueConstraint("customer_id", "idempotency_key", name="uq_return_requests_idempotency"),
        Index("ix_return_requests_customer_created", "customer_id", "created_at"),
    )


class ReturnLine(Base):
    __tablename__ = "return_lines"

    id: Mapped[intpk]
    return_request_id: Mapped[int] = mapped_column(ForeignKey("return_requests.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int]
    reason: Mapped[ReturnReason] = mapped_column(db_enum(ReturnReason, "return_reason"))
    comment: Mapped[str | None] = mapped_column(String(500))
    condition: Mapped[ItemCondition | None] = mapped_column(
        db_enum(ItemCondition, "item_condition")
    )

    return_request: Mapped[ReturnRequest] = relationship(back_populates="lines", lazy="raise")
    order_line: Mapped[OrderLine] = relationship(lazy="raise")

    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)


class ReturnEvent(Base):
    """One step of a return's timeline, as the shopper sees it."""

    __tablename__ = "return_events"

    id: Mapped[intpk]
    return_request_id: Mapped[int] = mapped_column(ForeignKey("return_requests.id"), index=True)
    status: Mapped[ReturnStatus] = mapped_column(db_enum(ReturnStatus, "return_status"))
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[created_at]

    return_request: Mapped[ReturnRequest] = relationship(back_populates="events", lazy="raise")
