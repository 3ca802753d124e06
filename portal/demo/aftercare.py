"""After the sale: return requests with their timelines, and support requests with messages."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from portal.demo.helpdesk import (
    RECENT,
    add_help_session,
    add_rating,
    response_delay,
    sla_fields,
)
from portal.demo.people import Shopper, Staff
from portal.demo.rows import RowWriter
from portal.returns.models import (
    ItemCondition,
    ReturnEvent,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    ReturnResolution,
    ReturnStatus,
)
from portal.support.models import Message, RequestPriority, RequestStatus, SupportRequest

# The steps a return walks through, in order; a return stops at its status.
_PATH = (ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.IN_TRANSIT,
         ReturnStatus.RECEIVED, ReturnStatus.REFUNDED)
_NOTES = {
    ReturnStatus.APPROVED: "Approved. Print the prepaid label and drop the parcel off.",
    ReturnStatus.IN_TRANSIT: "The carrier scanned your parcel on its way back to us.",
    ReturnStatus.RECEIVED: "We received your parcel and checked the items.",
    ReturnStatus.REFUNDED: "Your refund has been issued.",
    ReturnStatus.REJECTED: "The item shows signs of wear, so we cannot accept it back.",
    ReturnStatus.CANCELLED: "You cancelled this return.",
}
_COMMENTS = {
    ReturnReason.TOO_SMALL: "Runs a size small.",
    ReturnReason.TOO_LARGE: "Much bigger than the size chart suggested.",
    ReturnReason.DAMAGED: "Arrived with a tear near the seam.",
    ReturnReason.NOT_AS_DESCRIBED: "The colour is quite different from the photos.",
    ReturnReason.WRONG_ITEM: "I received a different item than the one I ordered.",
}
STORE_FAULT = frozenset({ReturnReason.DAMAGED, ReturnReason.WRONG_ITEM})


class Numbers:
    """Unique, random-looking numbers (RMA-…, REQ-…) drawn from the seeded generator."""

    _ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make) -> str:  # type: ignore[no-untyped-def]
        value = make()
        while value in self.used:
            value = make()
        self.used.add(value)
        return value

    def rma(self) -> str:
        return self._unique(lambda: f"RMA-{self.rng.getrandbits(32):08X}")

    def request(self) -> str:
        return self._unique(
            lambda: "REQ-" + "".join(self.rng.choice(self._ALPHABET) for _ in range(6)))

    def key(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"


def add_return(
    writer: RowWriter, rng: random.Random, numbers: Numbers, *, order_id: int,
    customer_id: int, lines: list[tuple[int, int, ReturnReason]], status: ReturnStatus,
    resolution: ReturnResolution, estimate_cents: int, opened_at: datetime, now: datetime,
) -> tuple[int, datetime]:
    """Queues a return of `lines` ((order_line_id, quantity, reason)) that got as far as
    `status`; returns its id and the time of its last step."""
    if status in (ReturnStatus.REJECTED, ReturnStatus.CANCELLED):
        stops = [*_PATH[:4], status] if status is ReturnStatus.REJECTED else [_PATH[0], status]
    else:
        stops = list(_PATH[: _PATH.index(status) + 1])
    times = [opened_at]
    for _ in stops[1:]:
        times.append(min(times[-1] + timedelta(hours=rng.uniform(6, 60)), now))
    return_id = writer.add(
        ReturnRequest, rma_number=numbers.rma(), order_id=order_id, customer_id=customer_id,
        status=status, resolution=resolution, method="drop_off",
        refund_estimate_cents=estimate_cents,
        rejection_reason=_NOTES[status] if status is ReturnStatus.REJECTED else None,
        idempotency_key=numbers.key(), created_at=opened_at, updated_at=times[-1],
    )
    inspected = ReturnStatus.RECEIVED in stops
    for order_line_id, quantity, reason in lines:
        condition = None
        if inspected:
            condition = ItemCondition.DAMAGED if reason in STORE_FAULT else rng.choice(
                (ItemCondition.AS_NEW, ItemCondition.AS_NEW, ItemCondition.OPENED))
            if status is ReturnStatus.REJECTED:
                condition = ItemCondition.OPENED
        writer.add(ReturnLine, return_request_id=return_id, order_line_id=order_line_id,
                   quantity=quantity, reason=reason, comment=_COMMENTS.get(reason),
                   condition=condition)
    for step, at in zip(stops, times, strict=True):
        writer.add(ReturnEvent, return_request_id=return_id, status=step,
                   note=_NOTES.get(step), created_at=at)
    return return_id, times[-1]


# category -> (subjects, the shopper's first message, the staff reply)
_TOPICS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "delivery": (
        ("Where is my parcel?", "Tracking has not moved for days", "Package marked delivered "
         "but not here"),
        "Hi, my order {order} has not arrived yet and the tracking page has not changed for a "
        "while. Can you check with the carrier?",
        "Thanks for your patience, {name}. I have opened a trace with the carrier and will "
        "update you within two working days.",
    ),
    "return": (
        ("Return label not working", "When will I get my refund?", "Can I exchange instead?"),
        "Hello, I sent back part of order {order}. How long until the refund shows up?",
        "Hi {name}, refunds reach your bank within five working days of us receiving the "
        "parcel. I have checked and yours is on its way.",
    ),
    "billing": (
        ("Charged twice for one order", "Invoice needs my company name", "Gift card balance"),
        "I think I was charged twice for order {order}. Could you look into it?",
        "Hi {name}, I checked the payments: one of them was a card authorisation that has "
        "already been released. You were charged once.",
    ),
    "order": (
        ("Missing item in my order", "Change the size before it ships", "Wrong colour sent"),
        "One item from order {order} was missing from the box. What should I do?",
        "Sorry about that, {name}. The missing item ships today; tracking follows by email.",
    ),
    "product": (
        ("Is the jacket waterproof?", "Care instructions for wool", "Restock date?"),
        "Hi, can you tell me more about the care instructions? The label is not clear.",
        "Hi {name}, machine wash cold on a wool cycle and dry flat. Happy to help further.",
    ),
    "account": (
        ("Cannot change my email", "Two-step sign-in question", "Close my account"),
        "I would like to change the email address on my account. How do I do that?",
        "Hi {name}, I have updated it for you; please sign in with the new address.",
    ),
}


def add_request(
    writer: RowWriter, rng: random.Random, numbers: Numbers, *, shopper: Shopper,
    staff: list[Staff], category: str, status: RequestStatus, opened_at: datetime,
    now: datetime, order: tuple[int, str] | None = None,
) -> int:
    """Queues a support request (about order (id, number) if given) and its conversation."""
    subjects, first, reply = _TOPICS[category]
    words = {"order": order[1] if order else "my last order", "name": shopper.name.split()[0]}
    agent = rng.choice(staff)
    answered = status is not RequestStatus.OPEN or rng.random() < 0.4
    first_response = min(opened_at + response_delay(rng), now)
    closed = status in (RequestStatus.RESOLVED, RequestStatus.CLOSED)
    resolved_at = min(first_response + timedelta(hours=rng.uniform(2, 72)), now) if closed else None
    if answered and status is RequestStatus.OPEN and rng.random() < 0.7:
        status = RequestStatus.AWAITING_CUSTOMER  # our reply went out; the shopper is next
    follow_up = closed and rng.random() < 0.4  # otherwise settled with the one reply
    priority = RequestPriority.HIGH if category in ("billing", "delivery") else rng.choice(
        (RequestPriority.NORMAL, RequestPriority.NORMAL, RequestPriority.LOW))
    request_id = writer.add(
        SupportRequest, number=numbers.request(), customer_id=shopper.id,
        order_id=order[0] if order else None, assignee_id=agent.id if answered else None,
        subject=rng.choice(subjects), category=category, status=status, priority=priority,
        search_query=None, idempotency_key=numbers.key(), created_at=opened_at,
        updated_at=resolved_at or (first_response if answered else opened_at),
        first_response_at=first_response if answered else None, resolved_at=resolved_at,
        **sla_fields(priority, status, opened_at=opened_at,
                     first_response=first_response if answered else None,
                     resolved_at=resolved_at),
    )
    if now - opened_at < RECENT and rng.random() < 0.6:  # searched the help center first
        add_help_session(writer, rng, customer_id=shopper.id,
                         started_at=opened_at - timedelta(minutes=rng.uniform(5, 600)),
                         request=(request_id, opened_at))
    writer.add(Message, request_id=request_id, author_id=shopper.id,
               body=first.format(**words), is_internal=False, created_at=opened_at)
    if answered:
        writer.add(Message, request_id=request_id, author_id=agent.id,
                   body="Checked the order history before replying.", is_internal=True,
                   created_at=first_response - timedelta(minutes=5))
        writer.add(Message, request_id=request_id, author_id=agent.id,
                   body=reply.format(**words), is_internal=False, created_at=first_response)
    if follow_up and resolved_at is not None:
        writer.add(Message, request_id=request_id, author_id=shopper.id,
                   body="Thanks, but it still has not arrived. Can you check again?",
                   is_internal=False,
                   created_at=first_response + (resolved_at - first_response) / 2)
        writer.add(Message, request_id=request_id, author_id=agent.id,
                   body="I have asked the carrier and sent a replacement; sorry for the wait.",
                   is_internal=False, created_at=resolved_at)
    if closed and resolved_at is not None and rng.random() < 0.5:
        add_rating(writer, rng, request_id=request_id, resolved_at=resolved_at)
    return request_id
