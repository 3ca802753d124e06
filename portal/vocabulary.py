"""Every status word the portal shows, defined once: the shopper's words and the staff's.

Pages, emails, PDFs and the CSV export ask here (templates through the `status_word` and
`status_tone` filters), so one order is never "Being prepared" on one page, "Processing"
on the next and "Placed" in a help article. tests/test_vocabulary.py fails when a page or
an email shows a status spelled any other way.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from portal.billing.models import PaymentStatus, RefundStatus
from portal.orders.models import OrderStatus, ShipmentStatus
from portal.returns.models import ReturnStatus
from portal.support.models import RequestStatus


@dataclass(frozen=True)
class Words:
    shopper: str
    staff: str
    tone: str = ""  # the badge colour: "" (nothing to do), "ok", "warn" (act) or "bad"


class Derived(enum.StrEnum):
    """States worked out from several facts rather than stored in one column."""

    DELAYED = "delayed"  # a parcel not delivered after the day it was due
    PARTLY_DELIVERED = "partly_delivered"  # some parcels delivered, the rest still coming
    NOT_RECEIVED = "not_received"  # marked delivered, but the shopper says it never came


VOCABULARY: dict[type[enum.StrEnum], dict[str, Words]] = {
    OrderStatus: {
        OrderStatus.PROCESSING: Words("Being prepared", "Processing"),
        OrderStatus.PARTIALLY_SHIPPED: Words("Partly shipped", "Partly shipped"),
        OrderStatus.SHIPPED: Words("On its way", "Shipped"),
        OrderStatus.DELIVERED: Words("Delivered", "Delivered", "ok"),
        OrderStatus.CANCELLED: Words("Cancelled", "Cancelled"),
        OrderStatus.RETURNED: Words("Returned", "Returned"),
    },
    ShipmentStatus: {
        ShipmentStatus.INFO_RECEIVED: Words("Label created", "Label created"),
        ShipmentStatus.IN_TRANSIT: Words("On its way", "In transit"),
        ShipmentStatus.OUT_FOR_DELIVERY: Words("Out for delivery", "Out for delivery", "ok"),
        ShipmentStatus.AVAILABLE_FOR_PICKUP: Words("Ready to collect", "At a pickup point",
                                                   "warn"),
        ShipmentStatus.DELIVERED: Words("Delivered", "Delivered", "ok"),
        ShipmentStatus.FAILED_ATTEMPT: Words("Delivery attempted", "Failed attempt", "warn"),
        ShipmentStatus.EXCEPTION: Words("Delivery problem", "Carrier exception", "bad"),
        ShipmentStatus.RETURNED_TO_SENDER: Words("Coming back to us", "Returned to sender", "bad"),
    },
    Derived: {
        Derived.DELAYED: Words("Delayed", "Late", "warn"),
        Derived.PARTLY_DELIVERED: Words("Partly delivered", "Partly delivered"),
        Derived.NOT_RECEIVED: Words("Not received", "Reported not received", "bad"),
    },
    ReturnStatus: {
        ReturnStatus.REQUESTED: Words("Waiting for approval", "To review"),
        ReturnStatus.APPROVED: Words("Approved: ship it", "Approved", "warn"),
        ReturnStatus.IN_TRANSIT: Words("On its way back", "On its way back"),
        ReturnStatus.RECEIVED: Words("Received", "Received", "ok"),
        ReturnStatus.REFUNDED: Words("Refunded", "Refunded", "ok"),
        ReturnStatus.REJECTED: Words("Not accepted", "Rejected", "bad"),
        ReturnStatus.CANCELLED: Words("Cancelled", "Cancelled"),
    },
    RequestStatus: {
        RequestStatus.OPEN: Words("With our team", "Open"),
        RequestStatus.AWAITING_CUSTOMER: Words("Waiting for your reply", "Awaiting customer",
                                               "warn"),
        RequestStatus.RESOLVED: Words("Resolved", "Resolved", "ok"),
        RequestStatus.CLOSED: Words("Closed", "Closed"),
    },
    PaymentStatus: {
        PaymentStatus.PENDING: Words("Pending", "Pending", "warn"),
        PaymentStatus.CAPTURED: Words("Paid", "Captured", "ok"),
        PaymentStatus.FAILED: Words("Failed", "Failed", "bad"),
    },
    RefundStatus: {
        RefundStatus.PENDING: Words("Refund pending", "Pending", "warn"),
        RefundStatus.COMPLETED: Words("Refunded", "Completed", "ok"),
        RefundStatus.FAILED: Words("Refund failed", "Failed", "bad"),
    },
}


def words_for(status: enum.StrEnum) -> Words:
    """The words of one status; a KeyError here means a state nobody has named yet."""
    return VOCABULARY[type(status)][status]


def status_word(status: enum.StrEnum, *, staff: bool = False) -> str:
    words = words_for(status)
    return words.staff if staff else words.shopper


def status_tone(status: enum.StrEnum) -> str:
    return words_for(status).tone


def all_words(*, staff: bool) -> set[str]:
    """Every status word one audience may see."""
    return {words.staff if staff else words.shopper
            for table in VOCABULARY.values() for words in table.values()}
