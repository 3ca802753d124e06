"""The return rules: which units of an order line can go back, and until when.

Plain functions over plain values, so every rule is table-tested without a database.
The rules come from the policy recorded with the order when it was placed; the store's
current policy only fills in what an old snapshot does not mention.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from portal.store import StorePolicy


@dataclass(frozen=True)
class ReturnRules:
    """The part of a store policy that governs returns of one order."""

    window_days: int
    shipping_fee_cents: int
    restocking_fee_percent: int
    credit_bonus_percent: int

    @classmethod
    def for_order(cls, snapshot: dict[str, Any] | None, current: StorePolicy) -> ReturnRules:
        """The rules the shopper was promised; the current policy only fills gaps."""
        recorded = snapshot or {}

        def pick(key: str, fallback: int) -> int:
            value = recorded.get(key)
            return int(value) if isinstance(value, int | float) and value >= 0 else fallback

        return cls(
            window_days=pick("return_window_days", current.return_window_days),
            shipping_fee_cents=pick("return_shipping_fee_cents", current.return_shipping_fee_cents),
            restocking_fee_percent=pick("restocking_fee_percent", current.restocking_fee_percent),
            credit_bonus_percent=pick("store_credit_bonus_percent",
                                      current.store_credit_bonus_percent),
        )


class Ineligible(enum.StrEnum):
    """Why a line (or the rest of it) cannot be returned; the template words each one."""

    FINAL_SALE = "final_sale"
    DIGITAL = "digital"
    CANCELLED = "cancelled"
    NOT_DELIVERED = "not_delivered"
    WINDOW_CLOSED = "window_closed"
    ALREADY_RETURNED = "already_returned"
    IN_OPEN_RETURN = "in_open_return"


@dataclass(frozen=True)
class Delivery:
    """Units of a line that a shipment carried, and when (if) they were delivered."""

    quantity: int
    delivered_at: datetime | None


@dataclass(frozen=True)
class LineFacts:
    """Everything eligibility needs to know about one order line."""

    quantity: int
    cancelled_quantity: int = 0
    is_returnable: bool = True
    is_digital: bool = False
    deliveries: tuple[Delivery, ...] = ()
    returned_quantity: int = 0
    open_return_quantity: int = 0


@dataclass(frozen=True)
class Eligibility:
    returnable_quantity: int
    reason: Ineligible | None
    window_closes_at: datetime | None

    @property
    def is_eligible(self) -> bool:
        return self.returnable_quantity > 0


def line_eligibility(facts: LineFacts, *, rules: ReturnRules, now: datetime) -> Eligibility:
    """Returnable: delivered within the window, not final sale, not digital, not yet returned."""
    if facts.is_digital:
        return Eligibility(0, Ineligible.DIGITAL, None)
    if not facts.is_returnable:
        return Eligibility(0, Ineligible.FINAL_SALE, None)
    if facts.cancelled_quantity >= facts.quantity:
        return Eligibility(0, Ineligible.CANCELLED, None)
    delivered = [d for d in facts.deliveries if d.delivered_at is not None and d.quantity > 0]
    if not delivered:
        return Eligibility(0, Ineligible.NOT_DELIVERED, None)
    # The window runs from the last delivery of the line: a late parcel never shortens it.
    last_delivery = max(d.delivered_at for d in delivered if d.delivered_at is not None)
    closes_at = last_delivery + timedelta(days=rules.window_days)
    if now > closes_at:
        return Eligibility(0, Ineligible.WINDOW_CLOSED, closes_at)
    delivered_quantity = min(
        sum(d.quantity for d in delivered), facts.quantity - facts.cancelled_quantity
    )
    available = delivered_quantity - facts.returned_quantity - facts.open_return_quantity
    if available > 0:
        return Eligibility(available, None, closes_at)
    if facts.open_return_quantity > 0:
        return Eligibility(0, Ineligible.IN_OPEN_RETURN, closes_at)
    if facts.returned_quantity > 0:
        return Eligibility(0, Ineligible.ALREADY_RETURNED, closes_at)
    return Eligibility(0, Ineligible.NOT_DELIVERED, closes_at)


def deliveries_by_line(
    shipment_lines: Iterable[tuple[int, int, datetime | None]],
) -> dict[int, tuple[Delivery, ...]]:
    """Groups (order_line_id, quantity, delivered_at) rows into deliveries per line."""
    grouped: dict[int, list[Delivery]] = {}
    for order_line_id, quantity, delivered_at in shipment_lines:
        grouped.setdefault(order_line_id, []).append(Delivery(quantity, delivered_at))
    return {line_id: tuple(items) for line_id, items in grouped.items()}
