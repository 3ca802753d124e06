"""Shipments with carrier tracking timelines, in each carrier's own words.

A timeline is planned in full for the outcome asked for (delivered, delayed, a delivery
exception, a failed attempt, returned to sender) and then cut at `now`, so a parcel
shipped yesterday is honestly still in transit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from portal.demo.rows import RowWriter
from portal.orders.models import Shipment, ShipmentLine, TrackingEvent
from portal.orders.models import ShipmentStatus as S


class Outcome(StrEnum):
    NORMAL = "normal"
    DELAYED = "delayed"
    EXCEPTION = "exception"
    FAILED_ATTEMPT = "failed_attempt"
    RETURNED_TO_SENDER = "returned_to_sender"


ORIGIN = "Portland, OR"
TRANSIT_DAYS = {"ups": 3, "fedex": 2, "usps": 4}
_HUBS = {
    "ups": ("Louisville, KY", "Hodgkins, IL", "Ontario, CA"),
    "fedex": ("Memphis, TN", "Indianapolis, IN", "Oakland, CA"),
    "usps": ("Seattle, WA", "Denver, CO", "Chicago, IL"),
}
# (status, carrier wording, what it means for the shopper)
_WORDS: dict[str, dict[str, tuple[S, str, str]]] = {
    "ups": {
        "label": (S.INFO_RECEIVED, "Order Processed: Ready for UPS",
                  "The shipper created a label; UPS has not received the package yet."),
        "origin": (S.IN_TRANSIT, "Origin Scan", "UPS has your package."),
        "departed": (S.IN_TRANSIT, "Departed from Facility", "The package left the facility."),
        "arrived": (S.IN_TRANSIT, "Arrived at Facility", "The package reached a UPS facility."),
        "out": (S.OUT_FOR_DELIVERY, "Out For Delivery Today", "The package is on the truck."),
        "delivered": (S.DELIVERED, "Delivered", "Delivered. Left at the front door."),
        "delay": (S.IN_TRANSIT, "Delay: Severe weather conditions",
                  "Weather has delayed the package. The delivery date has been updated."),
        "exception": (S.EXCEPTION, "Exception: Address information incomplete",
                      "The address is incomplete; the package is held while UPS checks it."),
        "attempt": (S.FAILED_ATTEMPT, "The receiver was not available for delivery",
                    "Delivery was attempted; nobody was available to receive the package."),
        "pickup": (S.AVAILABLE_FOR_PICKUP, "Delivered to UPS Access Point",
                   "The package is waiting at a UPS Access Point for collection."),
        "undeliverable": (S.EXCEPTION, "Exception: Undeliverable as addressed",
                          "The package could not be delivered and will go back to the shipper."),
        "returning": (S.IN_TRANSIT, "Returning to Sender: In Transit",
                      "The package is on its way back to the shipper."),
        "returned": (S.RETURNED_TO_SENDER, "Returned to Shipper",
                     "The package was returned to the shipper."),
    },
    "fedex": {
        "label": (S.INFO_RECEIVED, "Shipment information sent to FedEx",
                  "FedEx has the shipment details; the package is not with FedEx yet."),
        "origin": (S.IN_TRANSIT, "Picked up", "FedEx picked up the package."),
        "departed": (S.IN_TRANSIT, "Left FedEx origin facility", "The package is on its way."),
        "arrived": (S.IN_TRANSIT, "Arrived at FedEx hub", "The package reached a FedEx hub."),
        "out": (S.OUT_FOR_DELIVERY, "On FedEx vehicle for delivery",
                "The package is out for delivery today."),
        "delivered": (S.DELIVERED, "Delivered", "Delivered to the front porch."),
        "delay": (S.IN_TRANSIT, "Delay: Operational delay",
                  "An operational delay has held the package; a new date is estimated."),
        "exception": (S.EXCEPTION, "Delivery exception: Customer not available or business closed",
                      "The package could not be delivered and is held at the local facility."),
        "attempt": (S.FAILED_ATTEMPT, "Delivery attempt: Signature required",
                    "A signature is needed and nobody was available to sign."),
        "pickup": (S.AVAILABLE_FOR_PICKUP, "Ready for pickup at FedEx location",
                   "The package is waiting at a FedEx location."),
        "undeliverable": (S.EXCEPTION, "Delivery exception: Incorrect address",
                          "The address is incorrect; the package will go back to the shipper."),
        "returning": (S.IN_TRANSIT, "Returning package to shipper",
                      "The package is on its way back to the shipper."),
        "returned": (S.RETURNED_TO_SENDER, "Returned to sender",
                     "The package was returned to the shipper."),
    },
    "usps": {
        "label": (S.INFO_RECEIVED, "Shipping Label Created, USPS Awaiting Item",
                  "A label was created; USPS has not received the item yet."),
        "origin": (S.IN_TRANSIT, "Accepted at USPS Origin Facility", "USPS accepted the item."),
        "departed": (S.IN_TRANSIT, "In Transit to Next Facility", "The item is moving."),
        "arrived": (S.IN_TRANSIT, "Arrived at USPS Regional Facility",
                    "The item reached a regional facility."),
        "out": (S.OUT_FOR_DELIVERY, "Out for Delivery", "The item is out for delivery."),
        "delivered": (S.DELIVERED, "Delivered, In/At Mailbox", "Delivered to the mailbox."),
        "delay": (S.IN_TRANSIT, "In Transit, Arriving Late",
                  "The item is running late but still moving; a new date is estimated."),
        "exception": (S.EXCEPTION, "Alert: Insufficient Address",
                      "The address is insufficient; the item is held at the post office."),
        "attempt": (S.FAILED_ATTEMPT, "Notice Left (No Authorized Recipient Available)",
                    "Delivery was attempted and a notice was left."),
        "pickup": (S.AVAILABLE_FOR_PICKUP, "Available for Pickup",
                   "The item is at the post office, ready to collect."),
        "undeliverable": (S.EXCEPTION, "Addressee Unknown",
                          "The addressee is unknown at this address; the item goes back."),
        "returning": (S.IN_TRANSIT, "Return to Sender Processed",
                      "The item is on its way back to the sender."),
        "returned": (S.RETURNED_TO_SENDER, "Delivered, To Original Sender",
                     "The item was returned to the sender."),
    },
}


@dataclass(frozen=True)
class ShipmentResult:
    id: int
    status: S
    delivered_at: datetime | None


def tracking_number(carrier: str, shipment_id: int, rng: random.Random) -> str:
    """Carrier-shaped and unique: the shipment id is part of the number."""
    if carrier == "ups":
        return f"1Z{rng.randint(0, 999):03d}E{rng.randint(10, 99)}{shipment_id:011d}"
    if carrier == "fedex":
        return f"7{rng.randint(0, 9)}{shipment_id:010d}"
    return f"9400{rng.randint(0, 99999999):08d}{shipment_id:010d}"


def _at(day: date, hour: float) -> datetime:
    """A UTC time on `day`; hours 13-23 UTC are business hours across the US."""
    return datetime.combine(day, time(0), tzinfo=UTC) + timedelta(hours=hour)


def _plan(
    rng: random.Random, carrier: str, shipped_at: datetime, destination: str, outcome: Outcome,
    now: datetime,
) -> tuple[list[tuple[datetime, str, str | None]], date, date | None]:
    """The full event list (time, step, location), the promised date and the estimate."""
    transit = TRANSIT_DAYS[carrier]
    promised = (shipped_at + timedelta(days=transit)).date()
    hub = rng.choice(_HUBS[carrier])
    steps: list[tuple[datetime, str, str | None]] = [
        (shipped_at, "label", ORIGIN),
        (shipped_at + timedelta(hours=rng.uniform(3, 8)), "origin", ORIGIN),
        (shipped_at + timedelta(hours=rng.uniform(9, 15)), "departed", ORIGIN),
        (shipped_at + timedelta(hours=rng.uniform(20, 30)), "arrived", hub),
    ]
    if transit >= 3:
        steps.append((shipped_at + timedelta(hours=rng.uniform(34, 44)), "departed", hub))
        steps.append((shipped_at + timedelta(hours=rng.uniform(48, 58)), "arrived", destination))
    last = steps[-1][0]
    if outcome is Outcome.DELAYED:
        delay_at = max(last + timedelta(hours=3), now - timedelta(hours=rng.uniform(4, 20)))
        steps.append((delay_at, "delay", steps[-1][2]))
        return steps, promised, max(now.date(), promised) + timedelta(days=2)
    slip = rng.choice((-1, 0, 0, 0, 0, 0, 1)) if outcome is Outcome.NORMAL else 0
    day = max(promised + timedelta(days=slip), last.date() + timedelta(days=1))
    out_at = _at(day, rng.uniform(13, 16))
    steps.append((out_at, "out", destination))
    if outcome is Outcome.NORMAL:
        steps.append((out_at + timedelta(hours=rng.uniform(1, 8)), "delivered", destination))
        return steps, promised, day
    if outcome is Outcome.EXCEPTION:
        steps.append((out_at + timedelta(hours=rng.uniform(2, 6)), "exception", destination))
        return steps, promised, None
    if outcome is Outcome.FAILED_ATTEMPT:
        attempt = out_at + timedelta(hours=rng.uniform(2, 7))
        steps.append((attempt, "attempt", destination))
        steps.append((_at(day + timedelta(days=1), rng.uniform(14, 18)), "pickup", destination))
        return steps, promised, day + timedelta(days=1)
    failed = out_at + timedelta(hours=rng.uniform(2, 7))
    steps.append((failed, "undeliverable", destination))
    steps.append((failed + timedelta(days=1, hours=rng.uniform(0, 6)), "returning", destination))
    steps.append((failed + timedelta(days=rng.uniform(4, 6)), "returned", ORIGIN))
    return steps, promised, None


def add_shipment(
    writer: RowWriter, rng: random.Random, *, order_id: int, carrier: str,
    lines: list[tuple[int, int]], shipped_at: datetime, destination: str, outcome: Outcome,
    now: datetime,
) -> ShipmentResult:
    """Queues a shipment of `lines` ((order_line_id, quantity)) and its events up to `now`."""
    shipment_id = writer.next_id(Shipment)
    number = tracking_number(carrier, shipment_id, rng)
    planned, promised, estimate = _plan(rng, carrier, shipped_at, destination, outcome, now)
    happened = [step for step in planned if step[0] <= now] or planned[:1]
    words = _WORDS[carrier]
    status = words[happened[-1][1]][0]
    delivered_at = happened[-1][0] if status is S.DELIVERED else None
    if status is S.DELIVERED:
        estimate = delivered_at.date()  # type: ignore[union-attr]
    writer.add(
        Shipment, id=shipment_id, order_id=order_id, carrier=carrier, tracking_number=number,
        status=status, shipped_at=shipped_at, delivered_at=delivered_at,
        promised_delivery_on=promised, estimated_delivery_on=estimate,
        status_changed_at=happened[-1][0],
    )
    for order_line_id, quantity in lines:
        writer.add(ShipmentLine, shipment_id=shipment_id, order_line_id=order_line_id,
                   quantity=quantity)
    for position, (occurred_at, step, location) in enumerate(happened, 1):
        event_status, carrier_status, description = words[step]
        writer.add(
            TrackingEvent, shipment_id=shipment_id, external_id=f"{number}-{position:02d}",
            occurred_at=occurred_at, status=event_status, carrier_status=carrier_status,
            location=location, description=description,
            received_at=occurred_at + timedelta(minutes=rng.randint(1, 40)),
        )
    return ShipmentResult(shipment_id, status, delivered_at)
