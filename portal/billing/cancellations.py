"""Money back for what a shopper cancels: the order takes the units off, billing refunds them.

Orders does not know about money; this is the one place that joins the two, in the
caller's transaction, so a cancellation is never committed without its refund.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.billing.refunds import (
    CreditLine,
    credit_total_cents,
    issue_refund,
    refundable_cents,
    refundable_lines,
)
from portal.orders.actions import Cancellation, announce_cancellation, cancel_order
from portal.orders.models import Order


def cancel_and_refund(
    session: Session, *, order: Order, actor_id: int, now: datetime,
    idempotency_key: str | None = None,
) -> int:
    """Cancels what has not shipped and refunds it; returns the cents refunded.

    A whole order brings back everything paid (shipping included); a partial one the units
    left, at their price, discount and tax. Nothing is refunded when nothing was captured,
    and a repeated submission for an order already cancelled returns 0.
    """
    cancellation = cancel_order(session, order=order, now=now)
    if cancellation is None:
        return 0
    refunded = refund_cancellation(session, cancellation=cancellation, now=now,
                                   idempotency_key=idempotency_key)
    announce_cancellation(session, cancellation=cancellation, actor_id=actor_id,
                          refunded_cents=refunded)
    return refunded


def refund_cancellation(
    session: Session, *, cancellation: Cancellation, now: datetime, idempotency_key: str | None,
) -> int:
    """Refunds the cancelled units (or the whole order) with a credit note; the cents."""
    order = cancellation.order
    available = refundable_cents(session, order=order)
    if available <= 0:
        return 0
    if cancellation.is_whole:
        reason = "Order cancelled"
        credit: dict[str, Any] = {"lines": refundable_lines(session, order=order),
                                  "shipping_cents": order.shipping_cents}
        worth = order.total_cents
    else:
        reason = "Items cancelled before shipping"
        credit = {"lines": [CreditLine(line_id, n) for line_id, n in cancellation.units.items()]}
        worth = credit_total_cents(session, order=order, lines=credit["lines"])
        if worth <= 0:  # free items (a gift, a fully discounted line) bring nothing back
            return 0
    if available < worth:
        # Something was refunded already (a goodwill gesture): give back exactly what is left.
        credit = {"amount_cents": available}
    outcome = issue_refund(session, order=order, reason=reason, now=now,
                           idempotency_key=idempotency_key, **credit)
    return outcome.amount_cents
