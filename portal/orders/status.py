"""An order's and a parcel's state in plain words, and what to do when something is wrong.

Pure functions of the loaded objects and "today" in the shopper's zone, so every page and
test says the same thing the same way.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from portal.money import babel_locale
from portal.orders.models import Order, OrderStatus, Shipment
from portal.orders.models import ShipmentStatus as S
from portal.vocabulary import Derived, words_for

PROBLEM_STATUSES = (S.EXCEPTION, S.RETURNED_TO_SENDER, S.FAILED_ATTEMPT)


@dataclass(frozen=True)
class StatusText:
    """A status chip: the vocabulary word, the detail that goes with it, and its colour."""

    word: str
    detail: str = ""
    tone: str = ""  # "", "ok", "warn" or "bad": the badge colour
    joiner: str = ", "  # " " when the detail is only a day: "Delivered today"

    @property
    def label(self) -> str:
        return f"{self.word}{self.joiner}{self.detail}" if self.detail else self.word


def _chip(status: enum.StrEnum, detail: str = "", joiner: str = ", ") -> StatusText:
    words = words_for(status)
    return StatusText(words.shopper, detail, words.tone, joiner)


@dataclass(frozen=True)
class Problem:
    kind: str
    title: str
    what_next: str
    you_can: str
    help_slug: str
    help_query: str
    contact_topic: str  # a support category (support.service.CATEGORIES)


@dataclass(frozen=True)
class Clock:
    """Today and how to write a date, in the shopper's zone and language."""

    today: date
    zone: ZoneInfo
    locale: str = "en_US"

    def day(self, value: date) -> str:
        """today, tomorrow, yesterday, a weekday within the week, else "3 May" (+ year)."""
        delta = (value - self.today).days
        if delta == 0:
            return "today"
        if delta == 1:
            return "tomorrow"
        if delta == -1:
            return "yesterday"
        if 1 < delta < 7:
            return format_date(value, "EEEE", locale=babel_locale(self.locale))
        pattern = "d MMMM" if value.year == self.today.year else "d MMMM y"
        return format_date(value, pattern, locale=babel_locale(self.locale))

    def local(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()


# The shopper's word for each carrier status (the tracking timeline's lines).
SHIPMENT_WORDS = {status: words_for(status).shopper for status in S}


def due_date(shipment: Shipment) -> date | None:
    """The day the parcel should arrive: the carrier's latest estimate, else the promise."""
    return shipment.estimated_delivery_on or shipment.promised_delivery_on


def is_late(shipment: Shipment, clock: Clock) -> bool:
    """Delayed: past the day it was due, or re-forecast by the carrier beyond the promise."""
    if shipment.status in (S.DELIVERED, S.RETURNED_TO_SENDER):
        return False
    due, promised = due_date(shipment), shipment.promised_delivery_on
    overdue = due is not None and due < clock.today
    pushed_back = promised is not None and due is not None and due > promised
    return overdue or pushed_back


def new_estimate(shipment: Shipment, clock: Clock) -> date | None:
    """The carrier's estimate for a delayed parcel, if it still lies ahead."""
    due = due_date(shipment)
    return due if due is not None and due >= clock.today else None


def describe_shipment(shipment: Shipment, clock: Clock) -> StatusText:
    """One parcel's state in the vocabulary's word, with the day that matters to the shopper."""
    status = shipment.status
    if status is S.DELIVERED and shipment.not_received_reported_at is not None:
        return _chip(Derived.NOT_RECEIVED)
    if status is S.DELIVERED and shipment.delivered_at is not None:
        return _chip(status, clock.day(clock.local(shipment.delivered_at)), " ")
    if status is S.OUT_FOR_DELIVERY:
        return _chip(status, "today", " ")
    if status in PROBLEM_STATUSES or status is S.AVAILABLE_FOR_PICKUP:
        return _chip(status)
    if is_late(shipment, clock):
        estimate = new_estimate(shipment, clock)
        return _chip(Derived.DELAYED, f"now expected {clock.day(estimate)}" if estimate
                     else "no new date from the carrier yet")
    due = due_date(shipment)
    return _chip(status, f"arriving {clock.day(due)}" if due is not None else "")


def describe_order(order: Order, clock: Clock) -> StatusText:
    """The order's state in the vocabulary's words; needs order.shipments loaded."""
    if order.status in (OrderStatus.CANCELLED, OrderStatus.RETURNED):
        return _chip(order.status)
    if order.status is OrderStatus.PROCESSING or not order.shipments:
        return _chip(OrderStatus.PROCESSING)
    open_parcels = [s for s in order.shipments if s.status is not S.DELIVERED]
    if not open_parcels:
        if order.status is OrderStatus.PARTIALLY_SHIPPED:
            return _chip(Derived.PARTLY_DELIVERED, "the rest is being prepared")
        last = max((s.delivered_at for s in order.shipments if s.delivered_at), default=None)
        return _chip(OrderStatus.DELIVERED, clock.day(clock.local(last)) if last else "", " ")
    texts = [describe_shipment(s, clock) for s in open_parcels]
    rank = {"bad": 0, "warn": 1, "ok": 2, "": 3}
    worst = min(texts, key=lambda text: rank[text.tone])
    if worst.tone in ("", "ok") and len(open_parcels) > 1:
        known = [d for d in (due_date(s) for s in open_parcels) if d is not None]
        if known:
            return _chip(OrderStatus.SHIPPED, f"arriving by {clock.day(max(known))}")
    return worst


def next_tracked_shipment(order: Order) -> Shipment | None:
    """The parcel a "Track" button should open: the first one not yet delivered."""
    for shipment in order.shipments:
        if shipment.status is not S.DELIVERED:
            return shipment
    return order.shipments[-1] if order.shipments else None


def return_deadline(order: Order, clock: Clock) -> date | None:
    """Last day to start a return: the window runs from the last delivery."""
    delivered = [s.delivered_at for s in order.shipments if s.delivered_at]
    if order.status is not OrderStatus.DELIVERED or not delivered:
        return None
    days = int((order.return_policy or {}).get("return_window_days", 30))
    return clock.local(max(delivered)) + timedelta(days=days)


def can_start_return(order: Order, clock: Clock) -> bool:
    """Delivered, inside the return window, and something in it can be returned."""
    deadline = return_deadline(order, clock)
    returnable = any(line.product.is_returnable for line in order.lines)
    return deadline is not None and deadline >= clock.today and returnable


def shipment_problem(shipment: Shipment, clock: Clock) -> Problem | None:
    """What went wrong with a parcel, what happens next and what the shopper can do."""
    status = shipment.status
    if status is S.DELIVERED and shipment.not_received_reported_at is not None:
        return PROBLEMS["not_received"]
    if status is S.EXCEPTION:
        return PROBLEMS["exception"]
    if status is S.RETURNED_TO_SENDER:
        return PROBLEMS["returned"]
    if status is S.FAILED_ATTEMPT:
        return PROBLEMS["failed_attempt"]
    if status is S.AVAILABLE_FOR_PICKUP:
        return PROBLEMS["pickup"]
    if is_late(shipment, clock):
        return PROBLEMS["late"]
    return None


PROBLEMS = {
    "late": Problem(
        "late", "Your parcel is running late",
        "Parcels a day or two past the estimate almost always arrive: the carrier is still "
        "moving it. We check every parcel more than three working days late ourselves.",
        "Give it until the end of the next working day. If it still has not moved after that, "
        "tell us and we will open an investigation with the carrier.",
        "delayed-shipment", "late order", "delivery",
    ),
    "exception": Problem(
        "exception", "The carrier reported a delivery problem",
        "Something stopped the parcel (a damaged label, an address question, weather). The "
        "carrier usually resolves it within two working days and then re-forecasts the "
        "delivery date shown here.",
        "Check the delivery address on your order. If the carrier asks for something, follow "
        "their link; if nothing changes in two working days, contact us.",
        "delivery-exception", "delivery exception", "delivery",
    ),
    "returned": Problem(
        "returned", "The parcel is coming back to us",
        "The carrier could not deliver it and is returning it. Once it reaches our warehouse "
        "we refund you automatically, or send it again if you ask us to.",
        "Contact us if you would like it sent again, perhaps to another address.",
        "delivery-exception", "returned to sender", "delivery",
    ),
    "failed_attempt": Problem(
        "failed_attempt", "The carrier tried to deliver, but nobody was in",
        "Carriers usually try again the next working day, or leave it at a nearby pickup "
        "point with a card explaining where.",
        "Look for a card from the carrier, or use the carrier's link to choose another day "
        "or a pickup point.",
        "track-my-order", "missed delivery", "delivery",
    ),
    "pickup": Problem(
        "pickup", "Your parcel is waiting at a pickup point",
        "Pickup points keep parcels for a limited time (usually 5 to 10 days) before sending "
        "them back to us.",
        "Bring photo ID and your tracking number; the carrier's link shows the address and "
        "opening hours.",
        "track-my-order", "pickup point", "delivery",
    ),
    "not_received": Problem(
        "not_received", "Marked as delivered, but you do not have it",
        "You told us this parcel has not reached you. Most of these turn up within a day: "
        "left with a neighbour, in a safe place, or scanned early by the driver.",
        "Check with neighbours and around your door, and look at the carrier's proof of "
        "delivery. If it has not turned up after a day, contact us and we will replace or "
        "refund it.",
        "package-marked-delivered-not-received", "delivered not received", "delivery",
    ),
}
