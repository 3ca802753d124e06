""""Get help with this order": the state in words, what the shopper can do now (or why
not), the answers that fit the state, and any request already open on the order.

Every "can they?" is asked of the feature that owns the rule (orders.actions for cancel
and address, returns for the return window, the parcel's status for tracking and
reports), so this page can never promise what the action itself would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.billing.service import invoice_numbers
from portal.orders import actions, status
from portal.orders.models import Order, Shipment
from portal.orders.models import ShipmentStatus as S
from portal.orders.service import OrderDetail, order_detail
from portal.returns.lines import LineOption, ReturnableOrder, returnable_orders
from portal.store import StorePolicy
from portal.support.models import SupportRequest
from portal.support.service import OPEN_STATUSES

# Which reason to give when no line can go back: the one the shopper can act on first.
_RETURN_REASON_ORDER = ("not_delivered", "in_open_return", "window_closed", "already_returned",
                        "final_sale", "digital", "cancelled")
ANSWERS_BY_STATE = {
    "preparing": ("change-an-order", "cancel-an-order", "order-cutoff-and-processing-times"),
    "on_its_way": ("track-my-order", "delivery-times", "change-an-order"),
    "delivered": ("start-a-return", "return-policy", "damaged-or-defective-item",
                  "wrong-item-received", "missing-item-in-order"),
    "cancelled": ("cancel-an-order", "refund-timing"),
    "returned": ("refund-timing", "return-policy"),
}


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    blocker: str | None = None  # why not, in the shopper's words; None when allowed
    shipment_id: int | None = None  # the parcel a track/not-received action is about


@dataclass
class OrderHelp:
    detail: OrderDetail
    state: status.StatusText
    stage: str  # a key of ANSWERS_BY_STATE
    problems: list[tuple[Shipment, status.Problem]]
    actions: list[Action]
    returnable: ReturnableOrder
    open_requests: list[SupportRequest]
    invoice_number: str | None = None
    answer_slugs: list[str] = field(default_factory=list)

    @property
    def order(self) -> Order:
        return self.detail.order

    @property
    def return_blocked_by(self) -> LineOption | None:
        """The line whose reason explains why nothing can be returned (None if something can)."""
        if self.returnable.eligible or not self.returnable.options:
            return None
        rank = {reason: n for n, reason in enumerate(_RETURN_REASON_ORDER)}
        return min(self.returnable.options,
                   key=lambda o: rank.get(o.eligibility.reason.value, 99))  # type: ignore[union-attr]


def order_help(
    session: Session, *, customer_id: int, number: str, clock: status.Clock, now: datetime,
    policy: StorePolicy,
) -> OrderHelp:
    """Everything the help page shows for the shopper's own order (OrderNotFound otherwise)."""
    detail = order_detail(session, customer_id=customer_id, number=number)
    order = detail.order
    returnable = returnable_orders(session, [order], policy=policy, now=now)[0]
    problems = [(s, p) for s in order.shipments if (p := status.shipment_problem(s, clock))]
    stage = order_stage(order)
    help_ = OrderHelp(
        detail=detail, state=status.describe_order(order, clock), stage=stage,
        problems=problems, actions=[], returnable=returnable,
        open_requests=open_requests_on(session, customer_id=customer_id, order_id=order.id),
        invoice_number=invoice_numbers(session, customer_id=customer_id,
                                       order_ids=[order.id]).get(order.id),
    )
    help_.actions = _actions(help_)
    help_.answer_slugs = state_answer_slugs(order, clock)
    return help_


def state_answer_slugs(order: Order, clock: status.Clock) -> list[str]:
    """The articles the order's state calls for, its parcels' problems first (needs
    order.shipments loaded)."""
    problems = [p.help_slug for s in order.shipments if (p := status.shipment_problem(s, clock))]
    return list(dict.fromkeys([*problems, *ANSWERS_BY_STATE[order_stage(order)]]))


def latest_order_with_problem(orders: list[Order], clock: status.Clock) -> Order | None:
    """The newest of these orders with a parcel in trouble: the one a shopper most likely
    writes about (needs shipments loaded)."""
    return next((order for order in orders
                 if any(status.shipment_problem(s, clock) for s in order.shipments)), None)


def order_stage(order: Order) -> str:
    """Where the order is, in the five stages the answers are grouped by."""
    value = order.status.value
    if value in ("cancelled", "returned", "delivered"):
        return value
    if any(s.shipped_at is not None or s.status is not S.INFO_RECEIVED for s in order.shipments):
        return "on_its_way"
    return "preparing"


def open_requests_on(session: Session, *, customer_id: int, order_id: int) -> list[SupportRequest]:
    """The shopper's requests on this order still being worked on, newest first."""
    return list(session.scalars(
        select(SupportRequest)
        .where(SupportRequest.customer_id == customer_id, SupportRequest.order_id == order_id,
               SupportRequest.status.in_(OPEN_STATUSES))
        .order_by(SupportRequest.created_at.desc())
    ))


def delivered_parcels(order: Order) -> list[Shipment]:
    return [s for s in order.shipments if s.status is S.DELIVERED]


def _actions(help_: OrderHelp) -> list[Action]:
    order = help_.order
    tracked = status.next_tracked_shipment(order)
    delivered = delivered_parcels(order)
    unreported = [s for s in delivered if s.not_received_reported_at is None]
    not_arrived = "You can report this once the carrier says a parcel was delivered."
    return [
        Action("track", "Track the parcel", None if tracked else
               "Nothing has left our warehouse yet; the tracking link appears here when it does.",
               shipment_id=tracked.id if tracked else None),
        Action("address", "Change the delivery address", actions.address_blocker(order)),
        Action("cancel", "Cancel the order", actions.cancel_blocker(order)),
        Action("return", "Start a return", None if help_.returnable.eligible else
               "Nothing in this order can be returned."),
        Action("not_received", "Report a parcel not received",
               None if unreported else (
                   "Already reported: we are looking into it." if delivered else not_arrived),
               shipment_id=unreported[0].id if unreported else None),
        Action("damaged", "Report a damaged item", None if delivered else not_arrived),
        Action("wrong_item", "Report a wrong item", None if delivered else not_arrived),
        Action("missing_item", "Report a missing item", None if delivered else not_arrived),
        Action("invoice", "Download the invoice", None if help_.invoice_number else
               "No invoice has been issued for this order yet."),
    ]
