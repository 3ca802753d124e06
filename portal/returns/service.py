"""Shopper-side returns: what can go back, starting a return, following and cancelling it."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.domain import DomainError, NotFound
from portal.orders.models import Order, OrderLine, OrderStatus, Shipment
from portal.pagination import Page, paginate
from portal.returns.estimate import RefundEstimate, claim_for, estimate_refund
from portal.returns.lines import ReturnableOrder, returnable_orders
from portal.returns.models import (
    ReturnEvent,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    ReturnResolution,
    ReturnStatus,
)
from portal.returns.notices import notify_shopper
from portal.returns.progress import CANCELLABLE, change_status, return_query
from portal.store import StorePolicy


class InvalidReturn(DomainError):
    """A return request the rules refuse; `field_errors` maps form fields to messages."""


@dataclass(frozen=True)
class ReturnItem:
    order_line_id: int
    quantity: int
    reason: ReturnReason | None
    comment: str | None = None


def quantity_field(order_line_id: int) -> str:
    return f"quantity_{order_line_id}"


def reason_field(order_line_id: int) -> str:
    return f"reason_{order_line_id}"


def new_rma_number() -> str:
    return f"RMA-{secrets.token_hex(4).upper()}"


def _order_query(customer_id: int):  # type: ignore[no-untyped-def]
    return (
        select(Order)
        .where(Order.customer_id == customer_id)
        .options(selectinload(Order.lines).joinedload(OrderLine.product))
    )


def get_returnable_order(
    session: Session, *, customer_id: int, order_number: str, policy: StorePolicy,
    now: datetime,
) -> ReturnableOrder:
    """The shopper's own order with the eligibility of every line; anyone else's is NotFound."""
    order = session.scalar(_order_query(customer_id).where(Order.number == order_number))
    if order is None:
        raise NotFound("No such order.")
    return returnable_orders(session, [order], policy=policy, now=now)[0]


def recent_returnable_orders(
    session: Session, *, customer_id: int, policy: StorePolicy, now: datetime, limit: int = 5,
) -> list[ReturnableOrder]:
    """Recently delivered orders that still have something to return, newest first."""
    horizon = now - timedelta(days=max(policy.return_window_days, 30) * 3)
    delivered = (
        select(Shipment.order_id).where(Shipment.delivered_at >= horizon).scalar_subquery()
    )
    orders = session.scalars(
        _order_query(customer_id)
        .where(Order.id.in_(delivered), Order.status != OrderStatus.CANCELLED)
        .order_by(Order.placed_at.desc()).limit(limit * 2)
    ).all()
    candidates = returnable_orders(session, orders, policy=policy, now=now)
    return [candidate for candidate in candidates if candidate.eligible][:limit]


def estimate_for(
    returnable: ReturnableOrder, items: Sequence[ReturnItem], resolution: ReturnResolution
) -> RefundEstimate:
    """The refund the items would bring, counting only units that may still go back."""
    claims = []
    for item in items:
        option = returnable.option(item.order_line_id)
        if option is None:
            continue
        quantity = max(0, min(item.quantity, option.eligibility.returnable_quantity))
        claims.append(claim_for(option.line, quantity=quantity, reason=item.reason,
                                earlier_quantity=option.earlier_quantity))
    return estimate_refund(claims, rules=returnable.rules, resolution=resolution)


def lock_order(session: Session, *, customer_id: int, order_number: str) -> int:
    """Serialises return requests per order: the row lock is held until the commit.

    PostgreSQL takes a row lock (SELECT ... FOR UPDATE). SQLite has no row locks, so a
    no-op UPDATE of the order row takes the database write lock before anything is read;
    a second request waits for the first to commit, then reads what it wrote.
    """
    if session.get_bind().dialect.name == "sqlite":
        result = session.execute(
            update(Order)
            .where(Order.customer_id == customer_id, Order.number == order_number)
            .values(id=Order.id)
            .returning(Order.id)
        )
        order_id = result.scalar()
    else:
        order_id = session.scalar(
            select(Order.id)
            .where(Order.customer_id == customer_id, Order.number == order_number)
            .with_for_update()
        )
    if order_id is None:
        raise NotFound("No such order.")
    return order_id


def _check_items(returnable: ReturnableOrder, items: Sequence[ReturnItem]) -> list[ReturnItem]:
    """The items that return something, or InvalidReturn naming each field at fault."""
    errors: dict[str, str] = {}
    chosen = []
    for item in items:
        option = returnable.option(item.order_line_id)
        if option is None:
            raise InvalidReturn("That item is not part of this order.")
        available = option.eligibility.returnable_quantity
        if item.quantity < 0:
            errors[quantity_field(item.order_line_id)] = "Enter 0 or more."
        elif item.quantity > available:
            errors[quantity_field(item.order_line_id)] = (
                f"Only {available} can be returned." if available
                else "This item can no longer be returned."
            )
        elif item.quantity > 0:
            if item.reason is None:
                errors[reason_field(item.order_line_id)] = "Choose a reason for this item."
            chosen.append(item)
    if errors:
        raise InvalidReturn("Please check the highlighted items.", field_errors=errors)
    if not chosen:
        raise InvalidReturn("Choose at least one item and how many to return.")
    return chosen


def start_return(
    session: Session, *, customer_id: int, order_number: str, items: Sequence[ReturnItem],
    resolution: ReturnResolution, idempotency_key: str, policy: StorePolicy, now: datetime,
) -> ReturnRequest:
    """A new return; concurrent requests never claim more units than were delivered.

    The same idempotency key gives back the return it already created.
    """
    order_id = lock_order(session, customer_id=customer_id, order_number=order_number)
    existing = session.scalar(
        select(ReturnRequest).where(
            ReturnRequest.customer_id == customer_id,
            ReturnRequest.idempotency_key == idempotency_key,
        )
    )
    if existing is not None:
        return existing
    returnable = get_returnable_order(
        session, customer_id=customer_id, order_number=order_number, policy=policy, now=now
    )
    chosen = _check_items(returnable, items)
    estimate = estimate_for(returnable, chosen, resolution)
    if estimate.total_cents <= 0:
        # Nothing would come back; refusing now beats a parcel staff could never refund.
        raise InvalidReturn(
            "The return fees are as much as these items would refund, so this return would "
            "bring you nothing back. Keep the items, or contact us if something is wrong "
            "with them (damaged or wrong items are returned free)."
        )
    request = ReturnRequest(
        rma_number=new_rma_number(), order_id=order_id, customer_id=customer_id,
        status=ReturnStatus.REQUESTED, resolution=resolution, method="drop_off",
        refund_estimate_cents=estimate.total_cents, idempotency_key=idempotency_key,
        created_at=now, updated_at=now,
        lines=[
            ReturnLine(order_line_id=item.order_line_id, quantity=item.quantity,
                       reason=item.reason, comment=(item.comment or "").strip()[:500] or None)
            for item in chosen
        ],
        events=[ReturnEvent(status=ReturnStatus.REQUESTED, created_at=now)],
    )
    session.add(request)
    session.flush()
    notify_shopper(session, request, currency=returnable.order.currency,
                   store_name=policy.store_name)
    return request


def list_returns(
    session: Session, *, customer_id: int, page: int, per_page: int = 20
) -> Page[ReturnRequest]:
    """The shopper's returns, newest first, with their order and lines loaded."""
    statement = (
        select(ReturnRequest)
        .where(ReturnRequest.customer_id == customer_id)
        .options(joinedload(ReturnRequest.order),
                 selectinload(ReturnRequest.lines).joinedload(ReturnLine.order_line))
        .order_by(ReturnRequest.created_at.desc(), ReturnRequest.id.desc())
    )
    return paginate(session, statement, number=page, per_page=per_page)


def get_return(session: Session, *, customer_id: int, rma_number: str) -> ReturnRequest:
    """The shopper's own return; another shopper's is NotFound."""
    request = session.scalar(
        return_query().where(ReturnRequest.customer_id == customer_id,
                             ReturnRequest.rma_number == rma_number)
    )
    if request is None:
        raise NotFound("No such return.")
    return request


def cancel_return(
    session: Session, *, customer_id: int, rma_number: str, policy: StorePolicy, now: datetime
) -> ReturnRequest:
    """The shopper may cancel until the parcel is in transit."""
    request = get_return(session, customer_id=customer_id, rma_number=rma_number)
    change_status(
        session, request, allowed=CANCELLABLE, to=ReturnStatus.CANCELLED, now=now,
        note="Cancelled by you.",
        refusal="This return can no longer be cancelled: the parcel is already on its way.",
    )
    notify_shopper(session, request, currency=request.order.currency,
                   store_name=policy.store_name)
    return request
