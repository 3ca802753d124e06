"""Plain words for states, problems and the carriers' vocabularies (no HTTP, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from portal.orders import carriers, status
from portal.orders.models import OrderStatus
from portal.orders.models import ShipmentStatus as S
from portal.orders.status import Clock

# Thursday 19 November 2026
CLOCK = Clock(today=date(2026, 11, 19), zone=ZoneInfo("America/Los_Angeles"))


def parcel(state=S.IN_TRANSIT, *, due=None, promised=None, delivered_at=None, reported=None):
    return SimpleNamespace(status=state, estimated_delivery_on=due, promised_delivery_on=promised,
                           delivered_at=delivered_at, not_received_reported_at=reported)


def order(state, parcels=(), lines=(), policy=None):
    return SimpleNamespace(status=state, shipments=list(parcels), lines=list(lines),
                           return_policy=policy or {"return_window_days": 30})


@pytest.mark.parametrize(("day", "words"), [
    (date(2026, 11, 19), "today"), (date(2026, 11, 20), "tomorrow"),
    (date(2026, 11, 18), "yesterday"),
    (date(2026, 11, 24), "Tuesday"), (date(2026, 12, 3), "3 December"),
    (date(2027, 1, 4), "4 January 2027"), (date(2026, 11, 2), "2 November"),
])
def test_days_are_written_the_way_people_say_them(day, words):
    assert CLOCK.day(day) == words


def test_shipment_words():
    assert status.describe_shipment(parcel(due=date(2026, 11, 24)), CLOCK).label == \
        "On its way, arriving Tuesday"
    late = status.describe_shipment(parcel(due=date(2026, 11, 17)), CLOCK)
    assert late.word == "Delayed" and late.tone == "warn"
    assert late.detail == "no new date from the carrier yet"
    # Re-forecast beyond the promise: delayed although the new day is still ahead.
    pushed = status.describe_shipment(parcel(due=date(2026, 11, 25), promised=date(2026, 11, 19)),
                                      CLOCK)
    assert (pushed.word, pushed.detail, pushed.tone) == ("Delayed", "now expected Wednesday",
                                                         "warn")
    # Delivered late in the evening Pacific time is still "today" there, not tomorrow (UTC).
    evening = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
    assert status.describe_shipment(parcel(S.DELIVERED, delivered_at=evening), CLOCK).label \
        == "Delivered today"
    assert status.describe_shipment(parcel(S.OUT_FOR_DELIVERY), CLOCK).label == \
        "Out for delivery today"
    assert status.describe_shipment(parcel(S.EXCEPTION), CLOCK).tone == "bad"
    assert status.describe_shipment(parcel(S.INFO_RECEIVED), CLOCK).label.startswith("Label")


def test_order_words():
    assert status.describe_order(order(OrderStatus.CANCELLED), CLOCK).label == "Cancelled"
    assert status.describe_order(order(OrderStatus.PROCESSING), CLOCK).label == \
        "Being prepared"
    two = [parcel(due=date(2026, 11, 20)), parcel(due=date(2026, 11, 23))]
    assert status.describe_order(order(OrderStatus.SHIPPED, two), CLOCK).label == \
        "On its way, arriving by Monday"
    problem = [parcel(due=date(2026, 11, 20)), parcel(S.EXCEPTION)]
    assert status.describe_order(order(OrderStatus.SHIPPED, problem), CLOCK).label == \
        "Delivery problem"
    done = [parcel(S.DELIVERED, delivered_at=datetime(2026, 5, 3, 18, tzinfo=UTC))]
    assert status.describe_order(order(OrderStatus.DELIVERED, done), CLOCK).label == \
        "Delivered 3 May"


def test_return_window_counts_from_last_delivery():
    returnable = SimpleNamespace(product=SimpleNamespace(is_returnable=True))
    final_sale = SimpleNamespace(product=SimpleNamespace(is_returnable=False))
    recent = [parcel(S.DELIVERED, delivered_at=datetime(2026, 11, 1, 20, tzinfo=UTC))]
    old = [parcel(S.DELIVERED, delivered_at=datetime(2026, 10, 1, 20, tzinfo=UTC))]
    assert status.can_start_return(order(OrderStatus.DELIVERED, recent, [returnable]), CLOCK)
    assert not status.can_start_return(order(OrderStatus.DELIVERED, old, [returnable]), CLOCK)
    assert not status.can_start_return(order(OrderStatus.DELIVERED, recent, [final_sale]), CLOCK)
    assert not status.can_start_return(order(OrderStatus.SHIPPED, recent, [returnable]), CLOCK)
    assert status.return_deadline(order(OrderStatus.DELIVERED, recent), CLOCK) == date(2026, 12, 1)


@pytest.mark.parametrize(("shipment", "kind"), [
    (parcel(S.EXCEPTION), "exception"), (parcel(S.RETURNED_TO_SENDER), "returned"),
    (parcel(S.FAILED_ATTEMPT), "failed_attempt"), (parcel(S.AVAILABLE_FOR_PICKUP), "pickup"),
    (parcel(due=date(2026, 11, 18)), "late"),
    (parcel(S.DELIVERED, reported=datetime(2026, 11, 19, tzinfo=UTC)), "not_received"),
    (parcel(due=date(2026, 11, 19)), None), (parcel(S.DELIVERED), None),
])
def test_problems(shipment, kind):
    problem = status.shipment_problem(shipment, CLOCK)
    assert (problem.kind if problem else None) == kind


@pytest.mark.parametrize(("carrier", "word", "expected"), [
    ("ups", "D", S.DELIVERED), ("ups", "out for delivery", S.OUT_FOR_DELIVERY),
    ("UPS", "x", S.EXCEPTION), ("fedex", "OD", S.OUT_FOR_DELIVERY),
    ("fedex", "Hold at location", S.AVAILABLE_FOR_PICKUP), ("fedex", "RS", S.RETURNED_TO_SENDER),
    ("usps", "Delivered, In/At Mailbox", S.DELIVERED), ("usps", "notice left", S.FAILED_ATTEMPT),
    ("usps", "Pre-Shipment", S.INFO_RECEIVED), ("usps", "Accepted", S.IN_TRANSIT),
])
def test_carrier_vocabularies(carrier, word, expected):
    assert carriers.normalise(carrier, word) is expected


def test_every_normalised_status_is_reachable_from_every_carrier():
    for carrier in carriers.CARRIERS.values():
        assert set(carrier.statuses.values()) == set(S), carrier.code


def test_unknown_words_and_carriers_are_refused():
    with pytest.raises(carriers.UnknownCarrierStatus):
        carriers.normalise("ups", "teleported")
    with pytest.raises(carriers.UnknownCarrierStatus):
        carriers.normalise("pigeon", "D")


def test_tracking_links_quote_the_number():
    assert carriers.tracking_link("usps", "94 00/1") == (
        "https://tools.usps.com/go/TrackConfirmAction?tLabels=94%2000%2F1")
    assert carriers.tracking_link("pigeon", "1") is None
