"""Starting, listing and cancelling returns against the database."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.domain import NotFound
from portal.mail import OutboxMessage
from portal.orders.models import OrderStatus, Shipment, ShipmentLine, ShipmentStatus
from portal.returns import progress, service
from portal.returns.models import (
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    ReturnResolution,
    ReturnStatus,
)
from portal.returns.policy import Ineligible
from portal.store import StorePolicy
from tests.factories import make_customer, make_order, make_product
from tests.factories.returns import make_delivered_order, make_return

POLICY = StorePolicy()


def start(session: Session, order, quantities: dict[int, int], *, key: str | None = None,
          reason: ReturnReason = ReturnReason.TOO_SMALL,
          resolution: ReturnResolution = ReturnResolution.REFUND, now=None) -> ReturnRequest:
    request = service.start_return(
        session, customer_id=order.customer_id, order_number=order.number,
        items=[service.ReturnItem(line_id, quantity, reason) for line_id, quantity
               in quantities.items()],
        resolution=resolution, idempotency_key=key or uuid.uuid4().hex, policy=POLICY,
        now=now or utcnow(),
    )
    session.commit()
    return request


def options(session: Session, order, now=None):
    return service.get_returnable_order(session, customer_id=order.customer_id,
                                        order_number=order.number, policy=POLICY,
                                        now=now or utcnow())


def test_eligibility_comes_from_the_shipments(session: Session) -> None:
    shopper = make_customer(session)
    final = make_product(session, is_returnable=False)
    digital = make_product(session, is_digital=True)
    normal = make_product(session)
    order = make_delivered_order(session, shopper, products=[final, digital, normal])
    reasons = {o.line.product_id: o.eligibility.reason for o in options(session, order).options}
    assert reasons == {final.id: Ineligible.FINAL_SALE, digital.id: Ineligible.DIGITAL,
                       normal.id: None}


def test_only_the_line_in_the_delivered_parcel_is_returnable(session: Session) -> None:
    shopper = make_customer(session)
    order = make_delivered_order(session, shopper, lines=2,
                                 shipment_status=ShipmentStatus.IN_TRANSIT)
    returnable = options(session, order)
    second = returnable.options[1].line
    session.add(Shipment(order_id=order.id, carrier="ups", tracking_number="1ZSECOND",
                         status=ShipmentStatus.DELIVERED, delivered_at=utcnow(),
                         lines=[ShipmentLine(order_line_id=second.id, quantity=1)]))
    session.commit()
    eligible = [o.line.id for o in options(session, order).eligible]
    assert eligible == [second.id]
    assert options(session, order).options[0].eligibility.reason == Ineligible.NOT_DELIVERED


def test_window_uses_the_policy_recorded_on_the_order(session: Session) -> None:
    shopper = make_customer(session)
    order = make_delivered_order(session, shopper, policy=StorePolicy(return_window_days=60),
                                 delivered_at=utcnow() - timedelta(days=45))
    assert options(session, order).eligible  # the current policy says 30 days


def test_start_return_creates_lines_event_and_mail(session: Session) -> None:
    shopper = make_customer(session)
    order = make_delivered_order(session, shopper, quantity=2)
    line = options(session, order).options[0].line
    request = start(session, order, {line.id: 2})
    assert request.rma_number.startswith("RMA-")
    assert request.status == ReturnStatus.REQUESTED
    # 2 x 25.00 + 8% tax = 54.00, less 4.95 return shipping
    assert request.refund_estimate_cents == 5400 - 495
    stored = session.scalars(select(ReturnLine).where(
        ReturnLine.return_request_id == request.id)).all()
    assert [(s.order_line_id, s.quantity, s.reason) for s in stored] == [
        (line.id, 2, ReturnReason.TOO_SMALL)]
    mail = session.scalars(select(OutboxMessage)).all()
    assert [m.recipient for m in mail] == [shopper.email]
    assert request.rma_number in mail[0].subject


def test_same_idempotency_key_gives_the_same_return(session: Session) -> None:
    shopper = make_customer(session)
    order = make_delivered_order(session, shopper, quantity=3)
    line_id = options(session, order).options[0].line.id
    first = start(session, order, {line_id: 1}, key="k" * 32)
    second = start(session, order, {line_id: 1}, key="k" * 32)
    assert first.id == second.id
    assert session.scalar(select(func.count()).select_from(ReturnRequest)) == 1


@pytest.mark.parametrize("quantity", [2, -1])
def test_quantity_outside_what_is_returnable_is_refused(session: Session, quantity) -> None:
    shopper = make_customer(session)
    order = make_delivered_order(session, shopper)
    line_id = options(session, order).options[0].line.id
    with pytest.raises(service.InvalidReturn) as raised:
        start(session, order, {line_id: quantity})
    assert service.quantity_field(line_id) in raised.value.field_errors


def test_nothing_chosen_is_refused(session: Session) -> None:
    shopper = make_customer(session)
    order = make_delivered_order(session, shopper)
    line_id = options(session, order).options[0].line.id
    with pytest.raises(service.InvalidReturn, match="at least one"):
        start(session, order, {line_id: 0})


def test_missing_reason_is_refused(session: Session) -> None:
    shopper = make_customer(session)
    order = make_delivered_order(session, shopper)
    line_id = options(session, order).options[0].line.id
    with pytest.raises(service.InvalidReturn) as raised:
        start(session, order, {line_id: 1}, reason=None)  # type: ignore[arg-type]
    assert service.reason_field(line_id) in raised.value.field_errors


def test_open_and_done_returns_use_up_the_quantity(session: Session) -> None:
    shopper = make_customer(session)
    order = make_delivered_order(session, shopper, quantity=4)
    line_id = options(session, order).options[0].line.id
    make_return(session, order, quantities={line_id: 1}, status=ReturnStatus.REFUNDED)
    make_return(session, order, quantities={line_id: 1}, status=ReturnStatus.APPROVED)
    make_return(session, order, quantities={line_id: 2}, status=ReturnStatus.REJECTED)
    make_return(session, order, quantities={line_id: 2}, status=ReturnStatus.CANCELLED)
    option = options(session, order).options[0]
    assert (option.returned_quantity, option.open_return_quantity) == (1, 1)
    assert option.eligibility.returnable_quantity == 2
    with pytest.raises(service.InvalidReturn):
        start(session, order, {line_id: 3})


def test_another_shoppers_order_is_not_found(session: Session) -> None:
    owner, other = make_customer(session), make_customer(session)
    order = make_delivered_order(session, owner)
    line_id = options(session, order).options[0].line.id
    with pytest.raises(NotFound):
        service.start_return(
            session, customer_id=other.id, order_number=order.number,
            items=[service.ReturnItem(line_id, 1, ReturnReason.OTHER)],
            resolution=ReturnResolution.REFUND, idempotency_key=uuid.uuid4().hex,
            policy=POLICY, now=utcnow())
    with pytest.raises(NotFound):
        service.get_returnable_order(session, customer_id=other.id, order_number=order.number,
                                     policy=POLICY, now=utcnow())


def test_a_line_of_another_order_is_refused(session: Session) -> None:
    shopper = make_customer(session)
    order, other_order = (make_delivered_order(session, shopper),
                          make_delivered_order(session, shopper))
    foreign_line = options(session, other_order).options[0].line.id
    with pytest.raises(service.InvalidReturn, match="not part of this order"):
        start(session, order, {foreign_line: 1})


def test_cancel_until_in_transit(session: Session) -> None:
    shopper = make_customer(session)
    order = make_delivered_order(session, shopper, quantity=2)
    approved = make_return(session, order, status=ReturnStatus.APPROVED)
    moving = make_return(session, order, status=ReturnStatus.IN_TRANSIT)
    cancelled = service.cancel_return(session, customer_id=shopper.id,
                                      rma_number=approved.rma_number, policy=POLICY,
                                      now=utcnow())
    session.commit()
    assert cancelled.status == ReturnStatus.CANCELLED
    with pytest.raises(progress.ReturnStateError):
        service.cancel_return(session, customer_id=shopper.id, rma_number=moving.rma_number,
                              policy=POLICY, now=utcnow())
    session.rollback()
    with pytest.raises(progress.ReturnStateError):  # twice is refused too
        service.cancel_return(session, customer_id=shopper.id,
                              rma_number=approved.rma_number, policy=POLICY, now=utcnow())


def test_recent_returnable_orders_skip_what_cannot_go_back(session: Session) -> None:
    shopper = make_customer(session)
    fresh = make_delivered_order(session, shopper)
    make_delivered_order(session, shopper, delivered_at=utcnow() - timedelta(days=45))
    make_delivered_order(session, shopper, products=[make_product(session, is_digital=True)])
    make_order(session, shopper, status=OrderStatus.PROCESSING)
    found = service.recent_returnable_orders(session, customer_id=shopper.id, policy=POLICY,
                                             now=utcnow())
    assert [candidate.order.number for candidate in found] == [fresh.number]


def test_list_returns_is_scoped_and_newest_first(session: Session) -> None:
    shopper, other = make_customer(session), make_customer(session)
    order = make_delivered_order(session, shopper, quantity=3)
    old = make_return(session, order, created_at=utcnow() - timedelta(days=2))
    new = make_return(session, order)
    make_return(session, make_delivered_order(session, other))
    page = service.list_returns(session, customer_id=shopper.id, page=1)
    assert [r.rma_number for r in page.items] == [new.rma_number, old.rma_number]


def test_a_return_that_would_bring_nothing_back_is_refused_up_front(session: Session) -> None:
    shopper = make_customer(session)
    cheap = make_product(session, price_cents=300, tax_rate_bp=0)  # less than the return fee
    order = make_delivered_order(session, shopper, products=[cheap])
    line_id = options(session, order).options[0].line.id
    with pytest.raises(service.InvalidReturn, match="nothing back"):
        start(session, order, {line_id: 1})
    damaged = start(session, order, {line_id: 1}, reason=ReturnReason.DAMAGED)
    assert damaged.refund_estimate_cents == 300
