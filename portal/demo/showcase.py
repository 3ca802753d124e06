"""What happens to orders: the demo shoppers' hand-picked histories, and random plans by age.

Each demo shopper gets every situation a page has to explain (orders in every status, a
delayed parcel, a delivery exception, a failed attempt, a parcel returned to sender, a
partial refund, open and finished returns, open and resolved requests, gift card and split
payments); everyone else gets plans drawn by the age of the order.
"""

from __future__ import annotations

import random

from portal.demo.orders import Kind, Plan
from portal.demo.tracking import Outcome
from portal.returns.models import ReturnResolution, ReturnStatus
from portal.support.models import RequestStatus

K, T, R = Kind, Outcome, ReturnStatus  # short names keep the table readable

# (days ago, plan)
SHOWCASE: tuple[tuple[float, Plan], ...] = (
    (0.2, Plan(K.PROCESSING, lines=2)),
    (0.7, Plan(K.PROCESSING, digital=True, payment="paypal")),
    (2.0, Plan(K.SHIPPED, carrier="usps", lines=1)),
    (3.2, Plan(K.PARTIALLY_SHIPPED, carrier="ups", lines=3)),
    (5.5, Plan(K.SHIPPED, outcome=T.FAILED_ATTEMPT, carrier="fedex", lines=1)),
    (5.0, Plan(K.SHIPPED, outcome=T.EXCEPTION, carrier="fedex", lines=2,
               request=("delivery", RequestStatus.AWAITING_CUSTOMER))),
    (6.5, Plan(K.SHIPPED, outcome=T.DELAYED, carrier="ups", lines=2,
               request=("delivery", RequestStatus.OPEN))),
    (9.0, Plan(K.DELIVERED, lines=2, return_status=R.REQUESTED)),
    (12.0, Plan(K.DELIVERED, lines=1, payment="credit")),
    (14.0, Plan(K.DELIVERED, lines=2, return_status=R.IN_TRANSIT,
                resolution=ReturnResolution.STORE_CREDIT)),
    (16.0, Plan(K.SHIPPED, outcome=T.RETURNED_TO_SENDER, carrier="usps", lines=1)),
    (22.0, Plan(K.PARTIALLY_REFUNDED, lines=3, request=("return", RequestStatus.RESOLVED))),
    (26.0, Plan(K.DELIVERED, lines=1, return_status=R.REJECTED)),
    (40.0, Plan(K.RETURNED, lines=2, resolution=ReturnResolution.STORE_CREDIT)),
    (48.0, Plan(K.CANCELLED, lines=2)),
    (60.0, Plan(K.DELIVERED, lines=2, payment="gift_card")),
    (75.0, Plan(K.RETURNED, lines=1)),
    (90.0, Plan(K.DELIVERED, lines=14)),
    (120.0, Plan(K.DELIVERED, lines=2, request=("billing", RequestStatus.RESOLVED))),
    (160.0, Plan(K.DELIVERED, digital=True, payment="paypal")),
    (210.0, Plan(K.CANCELLED, lines=1, payment="paypal")),
    (300.0, Plan(K.DELIVERED, lines=3, payment="declined")),
    (420.0, Plan(K.PARTIALLY_REFUNDED, lines=2)),
    (540.0, Plan(K.DELIVERED, lines=1)),
    (690.0, Plan(K.DELIVERED, lines=2, request=("product", RequestStatus.CLOSED))),
)

_OPEN_RETURNS = (R.REQUESTED, R.APPROVED, R.IN_TRANSIT, R.RECEIVED, R.REJECTED, R.CANCELLED)


def _payment(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.66:
        return "card"
    if roll < 0.82:
        return "paypal"
    if roll < 0.9:
        return "credit"
    if roll < 0.96:
        return "gift_card"
    return "declined"


def random_plan(rng: random.Random, age_days: float) -> Plan:
    """A plausible fate for an order placed `age_days` ago."""
    roll, payment = rng.random(), _payment(rng)
    request = None
    if age_days < 1.2:
        kind = K.CANCELLED if roll < 0.08 else K.PROCESSING
        return Plan(kind, payment=payment)
    if age_days < 7:
        if roll < 0.05:
            return Plan(K.CANCELLED, payment=payment)
        kind = K.PARTIALLY_SHIPPED if roll < 0.2 else K.SHIPPED
        trouble = rng.random()
        outcome = (T.EXCEPTION if trouble < 0.03 else T.FAILED_ATTEMPT if trouble < 0.05
                   else T.DELAYED if trouble < 0.09 and age_days >= 5 else T.NORMAL)
        if outcome is not T.NORMAL and rng.random() < 0.4:
            request = ("delivery", RequestStatus.OPEN)
        return Plan(kind, outcome=outcome, payment=payment, request=request)
    if roll < 0.06:
        return Plan(K.CANCELLED, payment=payment)
    if roll < 0.11:
        resolution = (ReturnResolution.STORE_CREDIT if rng.random() < 0.25
                      else ReturnResolution.REFUND)
        if rng.random() < 0.15:
            request = ("return", RequestStatus.CLOSED)
        return Plan(K.RETURNED, payment=payment, resolution=resolution, request=request)
    if roll < 0.16:
        return Plan(K.PARTIALLY_REFUNDED, payment=payment)
    if age_days < 40 and roll < 0.175:
        return Plan(K.SHIPPED, outcome=T.RETURNED_TO_SENDER, payment=payment)
    return_status = None
    if age_days < 35 and rng.random() < 0.12:
        return_status = rng.choice(_OPEN_RETURNS)
    if rng.random() < 0.025:
        category = rng.choice(("order", "billing", "product", "delivery"))
        status = RequestStatus.OPEN if age_days < 10 else rng.choice(
            (RequestStatus.RESOLVED, RequestStatus.CLOSED, RequestStatus.CLOSED))
        request = (category, status)
    return Plan(K.DELIVERED, payment=payment, return_status=return_status, request=request)
