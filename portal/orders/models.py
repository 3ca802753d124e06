from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import (
    Base,
    created_at,
    currency_code,
    db_enum,
    intpk,
    money,
    store_external_id,
    store_source,
    utc_datetime,
)

if TYPE_CHECKING:
    from portal.auth.models import Customer


class OrderStatus(enum.StrEnum):
    PROCESSING = "processing"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"


class ShipmentStatus(enum.StrEnum):
    """The normalised carrier statuses every page speaks."""

    INFO_RECEIVED = "info_received"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERED = "delivered"
    FAILED_ATTEMPT = "failed_attempt"
    EXCEPTION = "exception"
    RETURNED_TO_SENDER = "returned_to_sender"


class Product(Base):
    __tablename__ = "products"

    id: Mapped[intpk]
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(60))
    price_cents: Mapped[money]
    tax_rate_bp: Mapped[int] = mapped_column(default=0)
    is_returnable: Mapped[bool] = mapped_column(default=True)
    is_digital: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (CheckConstraint("price_cents >= 0", name="price_not_negative"),)

    @property
    def is_final_sale(self) -> bool:
        return not self.is_returnable


class Order(Base):
    """A placed order; its money columns are computed from its lines by the order service."""

    __tablename__ = "orders"

    id: Mapped[intpk]
    number: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    status: Mapped[OrderStatus] = mapped_column(
        db_enum(OrderStatus, "order_status"), default=OrderStatus.PROCESSING, index=True
    )
    placed_at: Mapped[utc_datetime]
    currency: Mapped[currency_code]
    subtotal_cents: Mapped[money]
    discount_cents: Mapped[money]
    shipping_cents: Mapped[money]
    tax_cents: Mapped[money]
    total_cents: Mapped[money]
    shipping_address: Mapped[dict[str, Any]] = mapped_column(JSON)
    billing_address: Mapped[dict[str, Any]] = mapped_column(JSON)
    return_policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cancelled_at: Mapped[utc_datetime | None]
    source: Mapped[store_source]
    external_id: Mapped[store_external_id]

    customer: Mapped[Customer] = relationship(lazy="raise")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", lazy="raise", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    shipments: Mapped[list[Shipment]] = relationship(
        back_populates="order", lazy="raise", cascade="all, delete-orphan", order_by="Shipment.id"
    )

    __table_args__ = (
        Index("ix_orders_customer_placed", "customer_id", "placed_at"),
        UniqueConstraint("source", "external_id", name="uq_orders_external"),
        CheckConstraint("total_cents >= 0", name="total_not_negative"),
        CheckConstraint(
            "subtotal_cents >= 0 AND discount_cents >= 0 AND shipping_cents >= 0 "
            "AND tax_cents >= 0",
            name="amounts_not_negative",
        ),
    )


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[intpk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(String(40))
    product_name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int]
    unit_price_cents: Mapped[money]
    discount_cents: Mapped[money]
    tax_rate_bp: Mapped[int] = mapped_column(default=0)
    tax_cents: Mapped[money]
    cancelled_quantity: Mapped[int] = mapped_column(default=0)
    # The shop's id of the line (unique within its order), which its parcels and refunds name.
    external_id: Mapped[str | None] = mapped_column(String(100))

    order: Mapped[Order] = relationship(back_populates="lines", lazy="raise")
    product: Mapped[Product] = relationship(lazy="raise")

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "cancelled_quantity >= 0 AND cancelled_quantity <= quantity",
            name="cancelled_within_quantity",
        ),
        CheckConstraint(
            "unit_price_cents >= 0 AND discount_cents >= 0 AND tax_cents >= 0",
            name="amounts_not_negative",
        ),
    )

    @property
    def net_cents(self) -> int:
        """Price of the line after its discount, before tax."""
        return self.quantity * self.unit_price_cents - self.discount_cents


class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[intpk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    carrier: Mapped[str] = mapped_column(String(20))
    tracking_number: Mapped[str] = mapped_column(String(40))
    status: Mapped[ShipmentStatus] = mapped_column(
        db_enum(ShipmentStatus, "shipment_status"), default=ShipmentStatus.INFO_RECEIVED
    )
    shipped_at: Mapped[utc_datetime | None]
    delivered_at: Mapped[utc_datetime | None]
    promised_delivery_on: Mapped[date | None]
    estimated_delivery_on: Mapped[date | None]
    status_changed_at: Mapped[utc_datetime | None]
    # The shopper told us a parcel marked delivered never reached them.
    not_received_reported_at: Mapped[utc_datetime | None]
    # The shop's own tracking page, kept for carriers the portal has no table for ("other").
    tracking_url: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[store_source]
    external_id: Mapped[store_external_id]

    order: Mapped[Order] = relationship(back_populates="shipments", lazy="raise")
    lines: Mapped[list[ShipmentLine]] = relationship(
        back_populates="shipment", lazy="raise", cascade="all, delete-orphan"
    )
    events: Mapped[list[TrackingEvent]] = relationship(
        back_populates="shipment", lazy="raise", cascade="all, delete-orphan",
        order_by="TrackingEvent.occurred_at",
    )

    __table_args__ = (
        UniqueConstraint("carrier", "tracking_number", name="uq_shipments_tracking"),
        UniqueConstraint("source", "external_id", name="uq_shipments_external"),
    )


class ShipmentLine(Base):
    """Which order lines, and how many of each, travel in a shipment."""

    __tablename__ = "shipment_lines"

    id: Mapped[intpk]
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int]

    shipment: Mapped[Shipment] = relationship(back_populates="lines", lazy="raise")
    order_line: Mapped[OrderLine] = relationship(lazy="raise")

    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)


class TrackingEvent(Base):
    __tablename__ = "tracking_events"

    id: Mapped[intpk]
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(80))
    occurred_at: Mapped[utc_datetime]
    status: Mapped[ShipmentStatus] = mapped_column(db_enum(ShipmentStatus, "shipment_status"))
    carrier_status: Mapped[str] = mapped_column(String(80))
    location: Mapped[str | None] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(300))
    # The carrier's delivery forecast as of this event, when it sent one.
    estimated_delivery_on: Mapped[date | None]
    received_at: Mapped[created_at]

    shipment: Mapped[Shipment] = relationship(back_populates="events", lazy="raise")

    __table_args__ = (
        UniqueConstraint("shipment_id", "external_id", name="uq_tracking_events_external"),
    )
