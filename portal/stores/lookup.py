"""Finding a shop's record by its own id, and the errors every store command raises."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.domain import DomainError
from portal.orders.models import Order, Shipment

Model = TypeVar("Model")


class StoreError(DomainError):
    """An event that breaks a rule (a total that does not add up, a number already taken)."""


class BadRecord(StoreError):
    """A payload that is not the documented shape; the field names where (400)."""


class UnknownOrder(StoreError):
    """An event about an order the portal has not received yet: the shop should send it again
    later (Shopify redelivers for 48 hours), so nothing is recorded now."""

    def __init__(self, external_id: str) -> None:
        super().__init__(f"order {external_id!r} is not known yet", field="order_id")


def by_external_id(session: Session, model: type[Model], *, source: str, external_id: str,
                   options: tuple[Any, ...] = ()) -> Model | None:
    """The record this shop knows by this id, or None."""
    return session.scalar(
        select(model).where(model.source == source,  # type: ignore[attr-defined]
                            model.external_id == external_id)  # type: ignore[attr-defined]
        .options(*options)
    )


def order_for_event(session: Session, *, source: str, external_id: str) -> Order:
    """The order with its lines and parcels loaded, or UnknownOrder."""
    order = by_external_id(session, Order, source=source, external_id=external_id,
                           options=ORDER_GRAPH)
    if order is None:
        raise UnknownOrder(external_id)
    return order


ORDER_GRAPH = (
    selectinload(Order.lines),
    selectinload(Order.shipments).selectinload(Shipment.lines),
    selectinload(Order.customer),
)
