"""Each carrier's words for a parcel's state, mapped to the small set every page speaks.

One table per carrier: adding a carrier or a new status word is a data change here,
never a branch elsewhere. Lookups ignore case, spaces, hyphens and underscores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from portal.enums import ShipmentStatus as S


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


def _table(mapping: dict[str, S]) -> dict[str, S]:
    return {_key(word): status for word, status in mapping.items()}


CARRIERS: dict[str, Carrier] = {
    carrier.code: carrier
    for carrier in (
        Carrier(
            code="ups", name="UPS",
            tracking_url="https://www.ups.com/track?tracknum={number}",
            statuses=_table({
                "M": S.INFO_RECEIVED, "MV": S.INFO_RECEIVED, "manifest": S.INFO_RECEIVED,
                "P": S.IN_TRANSIT, "pickup": S.IN_TRANSIT, "I": S.IN_TRANSIT,
                "in_transit": S.IN_TRANSIT, "O": S.OUT_FOR_DELIVERY,
                "out_for_delivery": S.OUT_FOR_DELIVERY, "D": S.DELIVERED,
                "delivered": S.DELIVERED, "AP": S.AVAILABLE_FOR_PICKUP,
                "access_point": S.AVAILABLE_FOR_PICKUP, "DA": S.FAILED_ATTEMPT,
                "delivery_attempted": S.FAILED_ATTEMPT, "X": S.EXCEPTION,
                "exception": S.EXCEPTION, "RS": S.RETURNED_TO_SENDER,
                "returned_to_shipper": S.RETURNED_TO_SENDER,
            }),
        ),
        Carrier(
            code="fedex", name="FedEx",
            tracking_url="https://www.fedex.com/fedextrack/?trknbr={number}",
            statuses=_table({
                "OC": S.INFO_RECEIVED, "label_created": S.INFO_RECEIVED, "PU": S.IN_TRANSIT,
                "picked_up": S.IN_TRANSIT, "IT": S.IN_TRANSIT, "AR": S.IN_TRANSIT,
                "DP": S.IN_TRANSIT, "at_local_facility": S.IN_TRANSIT,
                "OD": S.OUT_FOR_DELIVERY, "on_fedex_vehicle_for_delivery": S.OUT_FOR_DELIVERY,
                "DL": S.DELIVERED, "delivered": S.DELIVERED, "HL": S.AVAILABLE_FOR_PICKUP,
                "hold_at_location": S.AVAILABLE_FOR_PICKUP, "DE": S.EXCEPTION,
                "delivery_exception": S.EXCEPTION, "SE": S.EXCEPTION, "CA": S.EXCEPTION,
                "NA": S.FAILED_ATTEMPT, "delivery_attempted": S.FAILED_ATTEMPT,
                "RS": S.RETURNED_TO_SENDER, "return_to_shipper": S.RETURNED_TO_SENDER,
            }),
        ),
        Carrier(
            code="usps", name="USPS",
            tracking_url="https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
            statuses=_table({
                "Pre-Shipment": S.INFO_RECEIVED, "Shipping Label Created": S.INFO_RECEIVED,
                "Accepted": S.IN_TRANSIT, "Accepted at USPS Origin Facility": S.IN_TRANSIT,
                "In Transit": S.IN_TRANSIT, "Arrived at Post Office": S.IN_TRANSIT,
                "Out for Delivery": S.OUT_FOR_DELIVERY, "Delivered": S.DELIVERED,
                "Delivered, In/At Mailbox": S.DELIVERED, "Delivered, Front Door": S.DELIVERED,
                "Available for Pickup": S.AVAILABLE_FOR_PICKUP,
                "Notice Left": S.FAILED_ATTEMPT, "Delivery Attempted": S.FAILED_ATTEMPT,
                "Alert": S.EXCEPTION, "Delivery Exception": S.EXCEPTION,
                "Return to Sender": S.RETURNED_TO_SENDER,
                "Returned to Sender": S.RETURNED_TO_SENDER,
            }),
        ),
    )
}


def get_carrier(code: str) -> Carrier | None:
    return CARRIERS.get(code.lower())


def carrier_name(code: str) -> str:
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
