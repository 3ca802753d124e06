"""Each carrier's words for a parcel's state, mapped to the small set every page speaks.

One table per carrier: adding a carrier or a new status word is a data change here,
never a branch elsewhere. Lookups ignore case, spaces, hyphens and underscores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from portal.orders.models import ShipmentStatus as S


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    tracking_url: str  # {number} is replaced by the URL-quoted tracking number
    statuses: dict[str, S] = field(default_factory=dict)

    def link(self, tracking_number: str) -> str:
        return self.tracking_url.format(number=quote(tracking_number, safe=""))


class UnknownCarrierStatus(ValueError):
    """The carrier sent a status word this table does not know."""


def _key(word: str) -> str:
    return re.sub(r"[\s_\-]+", "", word).lower()


def _table(words_for: dict[S, tuple[str, ...]]) -> dict[str, S]:
    """Each portal status with the carrier's words for it, as a lookup by word."""
    table: dict[str, S] = {}
    for status, words in words_for.items():
        for word in words:
            if table.setdefault(_key(word), status) is not status:
                raise ValueError(f"carrier word {word!r} means two statuses")
    return table


CARRIERS: dict[str, Carrier] = {
    carrier.code: carrier
    for carrier in (
        Carrier(
            code="ups", name="UPS",
            tracking_url="https://www.ups.com/track?tracknum={number}",
            statuses=_table({
                S.INFO_RECEIVED: ("M", "MV", "manifest"),
                S.IN_TRANSIT: ("P", "pickup", "I", "in_transit"),
                S.OUT_FOR_DELIVERY: ("O", "out_for_delivery"),
                S.DELIVERED: ("D", "delivered"),
                S.AVAILABLE_FOR_PICKUP: ("AP", "access_point"),
                S.FAILED_ATTEMPT: ("DA", "delivery_attempted"),
                S.EXCEPTION: ("X", "exception"),
                S.RETURNED_TO_SENDER: ("RS", "returned_to_shipper"),
            }),
        ),
        Carrier(
            code="fedex", name="FedEx",
            tracking_url="https://www.fedex.com/fedextrack/?trknbr={number}",
            statuses=_table({
                S.INFO_RECEIVED: ("OC", "label_created"),
                S.IN_TRANSIT: ("PU", "picked_up", "IT", "AR", "DP", "at_local_facility"),
                S.OUT_FOR_DELIVERY: ("OD", "on_fedex_vehicle_for_delivery"),
                S.DELIVERED: ("DL", "delivered"),
                S.AVAILABLE_FOR_PICKUP: ("HL", "hold_at_location"),
                S.FAILED_ATTEMPT: ("NA", "delivery_attempted"),
                S.EXCEPTION: ("DE", "delivery_exception", "SE", "CA"),
                S.RETURNED_TO_SENDER: ("RS", "return_to_shipper"),
            }),
        ),
        Carrier(
            code="usps", name="USPS",
            tracking_url="https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
            statuses=_table({
                S.INFO_RECEIVED: ("Pre-Shipment", "Shipping Label Created"),
                S.IN_TRANSIT: ("Accepted", "Accepted at USPS Origin Facility", "In Transit",
                               "Arrived at Post Office"),
                S.OUT_FOR_DELIVERY: ("Out for Delivery",),
                S.DELIVERED: ("Delivered", "Delivered, In/At Mailbox", "Delivered, Front Door"),
                S.AVAILABLE_FOR_PICKUP: ("Available for Pickup",),
                S.FAILED_ATTEMPT: ("Notice Left", "Delivery Attempted"),
                S.EXCEPTION: ("Alert", "Delivery Exception"),
                S.RETURNED_TO_SENDER: ("Return to Sender", "Returned to Sender"),
            }),
        ),
    )
}


def get_carrier(code: str) -> Carrier | None:
    return CARRIERS.get(code.lower())


#: A carrier the portal has no table for (a shop's local courier): its parcels keep the
#: tracking page the shop gave.
OTHER_CARRIER = "other"


def carrier_name(code: str) -> str:
    if code == OTHER_CARRIER:
        return "Other carrier"
    carrier = get_carrier(code)
    return carrier.name if carrier else code.upper()


def tracking_link(code: str, tracking_number: str) -> str | None:
    """The carrier's own tracking page for this parcel, when the carrier is known."""
    carrier = get_carrier(code)
    return carrier.link(tracking_number) if carrier else None


def normalise(code: str, carrier_status: str) -> S:
    """The portal status for a carrier's word, or UnknownCarrierStatus."""
    carrier = get_carrier(code)
    if carrier is None:
        raise UnknownCarrierStatus(f"unknown carrier {code!r}")
    status = carrier.statuses.get(_key(carrier_status))
    if status is None:
        raise UnknownCarrierStatus(f"{carrier.name} status {carrier_status!r} is not known")
    return status
