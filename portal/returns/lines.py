"""Loading what eligibility needs for whole orders at once: deliveries and earlier returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.orders.models import Order, OrderLine, Shipment, ShipmentLine, ShipmentStatus
from portal.returns.models import ReturnLine, ReturnRequest, ReturnStatus
from portal.returns.policy import (
    Eligibility,
    LineFacts,
    ReturnRules,
    deliveries_by_line,
    line_eligibility,
)
from portal.store import StorePolicy

OPEN_STATUSES = (ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.IN_TRANSIT)
DONE_STATUSES = (ReturnStatus.RECEIVED, ReturnStatus.REFUNDED)
CLAIMING_STATUSES = OPEN_STATUSES + DONE_STATUSES


@dataclass(frozen=True)
class LineOption:
    """One order line as the return form shows it."""

    line: OrderLine
    eligibility: Eligibility
    returned_quantity: int
    open_return_quantity: int

    @property
    def earlier_quantity(self) -> int:
        return self.returned_quantity + self.open_return_quantity


@dataclass(frozen=True)
class ReturnableOrder:
    order: Order
    rules: ReturnRules
    options: tuple[LineOption, ...]

    @property
    def eligible(self) -> tuple[LineOption, ...]:
        return tuple(option for option in self.options if option.eligibility.is_eligible)

    def option(self, order_line_id: int) -> LineOption | None:
        return next((o for o in self.options if o.line.id == order_line_id), None)


def claimed_quantities(
    session: Session, order_ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """(returned, in an open return) units per order line, over rejected/cancelled returns."""
    rows = session.execute(
        select(ReturnLine.order_line_id, ReturnRequest.status, func.sum(ReturnLine.quantity))
        .join(ReturnRequest, ReturnLine.return_request_id == ReturnRequest.id)
        .where(ReturnRequest.order_id.in_(order_ids))
        .where(ReturnRequest.status.in_(CLAIMING_STATUSES))
        .group_by(ReturnLine.order_line_id, ReturnRequest.status)
    ).all()
    claimed: dict[int, tuple[int, int]] = {}
    for line_id, status, quantity in rows:
        done, open_ = claimed.get(line_id, (0, 0))
        if status in DONE_STATUSES:
            done += int(quantity)
        else:
            open_ += int(quantity)
        claimed[line_id] = (done, open_)
    return claimed


def delivery_rows(
    session: Session, order_ids: Sequence[int]
) -> list[tuple[int, int, datetime | None]]:
    """(order line, units, delivered_at or None) for every shipment line of the orders."""
    rows = session.execute(
        select(ShipmentLine.order_line_id, ShipmentLine.quantity, Shipment.status,
               Shipment.delivered_at)
        .join(Shipment, ShipmentLine.shipment_id == Shipment.id)
        .where(Shipment.order_id.in_(order_ids))
    ).all()
    return [
        (line_id, quantity,
         delivered_at if status == ShipmentStatus.DELIVERED else None)
        for line_id, quantity, status, delivered_at in rows
    ]


def returnable_orders(
    session: Session, orders: Sequence[Order], *, policy: StorePolicy, now: datetime
) -> list[ReturnableOrder]:
    """Eligibility of every line of the orders (lines and products loaded), in three queries."""
    order_ids = [order.id for order in orders]
    if not order_ids:
        return []
    claimed = claimed_quantities(session, order_ids)
    deliveries = deliveries_by_line(delivery_rows(session, order_ids))
    result = []
    for order in orders:
        rules = ReturnRules.for_order(order.return_policy, policy)
        options = []
        for line in order.lines:
            returned, open_ = claimed.get(line.id, (0, 0))
            facts = LineFacts(
                quantity=line.quantity, cancelled_quantity=line.cancelled_quantity,
                is_returnable=line.product.is_returnable, is_digital=line.product.is_digital,
                deliveries=deliveries.get(line.id, ()), returned_quantity=returned,
                open_return_quantity=open_,
            )
            options.append(LineOption(
                line=line, eligibility=line_eligibility(facts, rules=rules, now=now),
                returned_quantity=returned, open_return_quantity=open_,
            ))
        result.append(ReturnableOrder(order=order, rules=rules, options=tuple(options)))
    return result
