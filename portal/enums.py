"""Closed sets of states, stored as short strings with a CHECK constraint."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


def db_enum(enum_class: type[enum.StrEnum], name: str) -> Enum:
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        length=24,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Role(enum.StrEnum):
    SHOPPER = "shopper"
    STAFF = "staff"
    ADMIN = "admin"


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


class InvoiceKind(enum.StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class PaymentKind(enum.StrEnum):
    CARD = "card"
    PAYPAL = "paypal"
    GIFT_CARD = "gift_card"
    STORE_CREDIT = "store_credit"


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    CAPTURED = "captured"
    FAILED = "failed"


class RefundStatus(enum.StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"


class CreditKind(enum.StrEnum):
    """Movements of a shopper's store-credit and gift-card balance."""

    GIFT_CARD_LOAD = "gift_card_load"
    STORE_CREDIT_ISSUED = "store_credit_issued"
    SPENT = "spent"
    EXPIRED = "expired"


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


class ExportStatus(enum.StrEnum):
    """Where a "download my data" archive is on its way to the shopper."""

    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"
