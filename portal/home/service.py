"""What a shopper sees first: recent orders and what is still open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.orders import service as orders
from portal.orders.models import Order
from portal.orders.status import Clock, StatusText, describe_order
from portal.returns.models import ReturnRequest, ReturnStatus
from portal.support.models import RequestStatus, SupportRequest

RECENT_ORDERS = 3
CLOSED_RETURNS = (ReturnStatus.REFUNDED, ReturnStatus.REJECTED, ReturnStatus.CANCELLED)
CLOSED_REQUESTS = (RequestStatus.RESOLVED, RequestStatus.CLOSED)


@dataclass(frozen=True)
class Overview:
    recent_orders: list[tuple[Order, StatusText]]
    open_returns: list[ReturnRequest]
    open_requests: list[SupportRequest]


def shopper_overview(
    session: Session, *, customer_id: int, zone: ZoneInfo, locale: str, now: datetime
) -> Overview:
    """The latest orders in plain words, and the returns and requests not finished yet."""
    clock = Clock(today=orders.today_in(zone, now), zone=zone, locale=locale)
    listing = orders.list_orders(
        session, customer_id=customer_id, filters=orders.parse_filters({}),
        per_page=RECENT_ORDERS, zone=zone,
    )
    recent = [(order, describe_order(order, clock)) for order in listing.page.items]
    return Overview(
        recent_orders=recent,
        open_returns=_latest_open(session, ReturnRequest, customer_id, CLOSED_RETURNS),
        open_requests=_latest_open(session, SupportRequest, customer_id, CLOSED_REQUESTS),
    )


def _latest_open(session: Session, model: Any, customer_id: int, closed: tuple[Any, ...],
                 limit: int = 5) -> list[Any]:
    """The shopper's newest returns or requests whose status is not a closed one."""
    return list(session.scalars(
        select(model)
        .where(model.customer_id == customer_id, model.status.not_in(closed))
        .order_by(model.created_at.desc()).limit(limit)
    ))
