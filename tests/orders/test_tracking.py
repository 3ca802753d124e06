"""Parcels and events as domain functions: dispatch rules, order status, re-forecasting."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal.mail import OutboxMessage
from portal.orders.models import OrderStatus, ShipmentStatus
from portal.orders.tracking import (
    CarrierEvent,
    InvalidShipment,
    UnknownTrackingNumber,
    apply_events,
    create_shipment,
)
from tests.factories import make_customer, make_order
from tests.factories.parcels import load_order

NOW = datetime(2026, 11, 19, 12, tzinfo=UTC)


def _event(n, state, at, *, number="1ZA", estimate=None):
    return CarrierEvent(external_id=f"e{n}", tracking_number=number, carrier_status=state.value,
                        status=state, occurred_at=at, description=f"event {n}",
                        estimated_delivery_on=estimate)


def _link(shipment):
    return f"https://portal.test/orders/{shipment.order.number}/shipments/{shipment.id}"


@pytest.fixture
def order(session):
    return load_order(session, make_order(session, make_customer(session), lines=2, quantity=2))


def test_partial_then_full_dispatch(session, order):
    first, second = order.lines
    create_shipment(session, order=order, carrier="ups", tracking_number="1ZA",
                    quantities={first.id: 2}, now=NOW)
    assert order.status is OrderStatus.PARTIALLY_SHIPPED
    create_shipment(session, order=order, carrier="ups", tracking_number="1ZB",
                    quantities={second.id: 2}, now=NOW)
    assert order.status is OrderStatus.SHIPPED
    with pytest.raises(InvalidShipment):
        create_shipment(session, order=order, carrier="ups", tracking_number="1ZC",
                        quantities={first.id: 1}, now=NOW)


@pytest.mark.parametrize("quantities", [{}, {"own": 0}, {"own": 3}, {999999: 1}])
def test_dispatch_refuses_impossible_quantities(session, order, quantities):
    line = order.lines[0]
    quantities = {line.id if key == "own" else key: q for key, q in quantities.items()}
    with pytest.raises(InvalidShipment):
        create_shipment(session, order=order, carrier="ups", tracking_number="1ZA",
                        quantities=quantities, now=NOW)


def test_dispatch_refuses_unknown_carrier(session, order):
    with pytest.raises(InvalidShipment):
        create_shipment(session, order=order, carrier="pigeon", tracking_number="1",
                        quantities={order.lines[0].id: 1}, now=NOW)


def test_forecast_follows_carrier_and_keeps_promise(session, order):
    promised = date(2026, 11, 20)
    shipment = create_shipment(session, order=order, carrier="ups", tracking_number="1ZA",
                               quantities={line.id: 2 for line in order.lines}, now=NOW,
                               promised_on=promised)
    session.commit()
    apply_events(session, carrier="ups", now=NOW, link_for=_link, events=[
        _event(1, ShipmentStatus.IN_TRANSIT, datetime(2026, 11, 19, 8, tzinfo=UTC),
               estimate=date(2026, 11, 22)),
    ])
    assert shipment.estimated_delivery_on == date(2026, 11, 22)
    assert shipment.promised_delivery_on == promised
    # An older event with an older estimate, arriving late, does not win.
    apply_events(session, carrier="ups", now=NOW, link_for=_link, events=[
        _event(0, ShipmentStatus.INFO_RECEIVED, datetime(2026, 11, 18, 8, tzinfo=UTC),
               estimate=date(2026, 11, 20)),
    ])
    assert shipment.estimated_delivery_on == date(2026, 11, 22)
    assert shipment.status is ShipmentStatus.IN_TRANSIT
    # A missed delivery on the estimated day pushes the estimate to the next day.
    apply_events(session, carrier="ups", now=NOW, link_for=_link, events=[
        _event(2, ShipmentStatus.FAILED_ATTEMPT, datetime(2026, 11, 22, 15, tzinfo=UTC)),
    ])
    assert shipment.estimated_delivery_on == date(2026, 11, 23)
    apply_events(session, carrier="ups", now=NOW, link_for=_link, events=[
        _event(3, ShipmentStatus.DELIVERED, datetime(2026, 11, 23, 11, tzinfo=UTC)),
    ])
    assert shipment.status is ShipmentStatus.DELIVERED
    assert order.status is OrderStatus.DELIVERED
    session.commit()
    subjects = session.scalars(select(OutboxMessage.subject)).all()
    assert len(subjects) == 1 and "delivered" in subjects[0]  # failed attempt: no email


def test_unknown_tracking_number_refuses_the_batch(session, order):
    with pytest.raises(UnknownTrackingNumber):
        apply_events(session, carrier="ups", now=NOW, link_for=_link, events=[
            _event(1, ShipmentStatus.IN_TRANSIT, NOW, number="NOPE")])
