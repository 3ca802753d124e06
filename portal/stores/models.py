from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, created_at, intpk, utc_datetime

if TYPE_CHECKING:
    from portal.billing.models import Refund
    from portal.orders.models import Order


class StoreEvent(Base):
    """An event a shop sent, kept by its id so a redelivery is recognised and skipped."""

    __tablename__ = "store_events"

    id: Mapped[intpk]
    source: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(100))
    topic: Mapped[str] = mapped_column(String(60))
    shop_domain: Mapped[str | None] = mapped_column(String(255))
    received_at: Mapped[created_at]

    __table_args__ = (UniqueConstraint("source", "event_id", name="uq_store_events_event"),)


class OutboundEvent(Base):
    """A shopper action the shop must act on, written in the transaction that made it and
    sent by the delivery worker until the shop accepts it (the outbox pattern of the mail)."""

    __tablename__ = "outbound_events"

    id: Mapped[intpk]
    target: Mapped[str] = mapped_column(String(20))  # "shopify" or "store" (the generic hook)
    kind: Mapped[str] = mapped_column(String(40))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    # The refund a "refund.created" event announces: the shop's id for it is kept on the
    # refund once delivered, so the shop's own refund webhook that follows is a no-op.
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[created_at]
    sent_at: Mapped[utc_datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[utc_datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))

    order: Mapped[Order] = relationship(lazy="raise")
    refund: Mapped[Refund | None] = relationship(lazy="raise")

    __table_args__ = (Index("ix_outbound_events_pending", "sent_at", "next_attempt_at"),)
