"""Support requests from the shopper's side: open one, follow it, reply, resolve, rate.

Every read is scoped to the shopper in SQL, so another shopper's request is simply not
found. Writes add to the caller's session; the view commits once.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.auth.models import Customer
from portal.domain import DomainError, NotFound
from portal.help.service import mark_search_led_to_request
from portal.mail import queue_mail
from portal.orders.models import Order, OrderStatus, ShipmentStatus
from portal.pagination import Page, paginate
from portal.support import attachments, sla
from portal.support.models import (
    Message,
    RequestPriority,
    RequestStatus,
    SatisfactionRating,
    SupportRequest,
)

CATEGORIES: dict[str, str] = {
    "order": "A problem with an order",
    "delivery": "Delivery and tracking",
    "return": "Return or refund",
    "billing": "Billing and payment",
    "account": "My account",
    "product": "A question about a product",
    "other": "Something else",
}
# Words other pages may put in ?topic= that mean one of our categories.
TOPIC_ALIASES = {
    "orders": "order", "shipping": "delivery", "tracking": "delivery", "shipment": "delivery",
    "returns": "return", "refund": "return", "refunds": "return", "payment": "billing",
    "payments": "billing", "invoice": "billing", "products": "product", "security": "account",
}
OPEN_STATUSES = (RequestStatus.OPEN, RequestStatus.AWAITING_CUSTOMER)
PER_PAGE = 20
RECENT_ORDERS = 20
_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
_TROUBLED_SHIPMENTS = (ShipmentStatus.EXCEPTION, ShipmentStatus.RETURNED_TO_SENDER,
                       ShipmentStatus.FAILED_ATTEMPT)
_URGENT_WORDS = re.compile(
    r"\b(fraud\w*|unauthori[sz]ed|stolen|charged (twice|two times|double)|double charged|"
    r"hacked)\b", re.IGNORECASE,
)


class RequestClosed(DomainError):
    """The request no longer takes this action."""


@dataclass(frozen=True)
class NewRequest:
    category: str
    subject: str
    body: str
    order_number: str | None = None
    search_query: str | None = None
    priority: RequestPriority | None = None  # None: derived from the text and the order
    problem_kind: str | None = None  # a problem report's kind (support.problems.KINDS)
    suggested_fix: str | None = None  # the fix the shopper chose (support.problems.FIXES)


def category_for_topic(topic: str | None) -> str | None:
    """A category key from a ?topic= value, or None when it names nothing we know."""
    key = (topic or "").strip().lower()
    key = TOPIC_ALIASES.get(key, key)
    return key if key in CATEGORIES else None


def recent_orders(session: Session, *, customer_id: int, limit: int = RECENT_ORDERS) -> list[Order]:
    """The shopper's newest orders, for the order picker on the contact form."""
    return list(session.scalars(
        select(Order).where(Order.customer_id == customer_id)
        .options(selectinload(Order.shipments))
        .order_by(Order.placed_at.desc(), Order.id.desc()).limit(limit)
    ))


def open_requests(session: Session, *, customer_id: int, limit: int = 5) -> list[SupportRequest]:
    """The shopper's requests still being worked on, newest first: shown before a new one."""
    return list(session.scalars(
        select(SupportRequest).options(joinedload(SupportRequest.order))
        .where(SupportRequest.customer_id == customer_id,
               SupportRequest.status.in_(OPEN_STATUSES))
        .order_by(SupportRequest.created_at.desc(), SupportRequest.id.desc()).limit(limit)
    ))


def orders_to_choose(
    session: Session, *, customer_id: int, include: str | None = None
) -> list[Order]:
    """Recent orders for the picker, plus an older one of the shopper's that a link named."""
    orders = recent_orders(session, customer_id=customer_id)
    if include and include not in {order.number for order in orders}:
        older = session.scalar(select(Order).where(
            Order.customer_id == customer_id, Order.number == include.strip()))
        if older is not None:
            orders.append(older)
    return orders


def find_order(session: Session, *, customer_id: int, number: str | None) -> Order | None:
    """The shopper's own order with this number; anyone else's is None."""
    if not number:
        return None
    return session.scalar(
        select(Order).where(Order.customer_id == customer_id, Order.number == number.strip())
        .options(selectinload(Order.shipments))
    )


def derive_priority(*, category: str, text: str, order: Order | None) -> RequestPriority:
    """Money and parcels in trouble come first; questions that can wait come last."""
    if _URGENT_WORDS.search(text):
        return RequestPriority.URGENT
    if category == "billing":
        return RequestPriority.HIGH
    if order is not None and any(s.status in _TROUBLED_SHIPMENTS for s in order.shipments):
        return RequestPriority.HIGH
    if category == "delivery" and order is not None and order.status in (
        OrderStatus.SHIPPED, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.DELIVERED
    ):
        return RequestPriority.HIGH
    if category in ("product", "other", "account") and order is None:
        return RequestPriority.LOW if category == "product" else RequestPriority.NORMAL
    return RequestPriority.NORMAL


def new_request_number(session: Session) -> str:
    """REQ- and six random characters, checked against the ones already given out."""
    for _ in range(10):
        number = "REQ-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(6))
        if not session.scalar(select(exists().where(SupportRequest.number == number))):
            return number
    raise RuntimeError("could not find a free request number")


def open_request(
    session: Session, *, customer: Customer, idempotency_key: str, request: NewRequest,
    now: datetime, request_url: Callable[[str], str], search_event_id: int | None = None,
    files: Iterable[attachments.PreparedFile] = (),
    sla_policy: sla.SlaPolicy = sla.DEFAULT_POLICY,
) -> SupportRequest:
    """Opens a request with its first message, once per idempotency key, and confirms by mail.

    A second submission of the same form returns the request the first one made. On a race
    between two submissions the database's unique key decides, and the loser's transaction
    is rolled back before the winner is returned.
    """
    existing = request_by_idempotency_key(session, customer_id=customer.id, key=idempotency_key)
    if existing is not None:
        return existing
    order = find_order(session, customer_id=customer.id, number=request.order_number)
    if request.order_number and order is None:
        raise NotFound("That order is not one of yours.", field="order")
    if request.category not in CATEGORIES:
        raise DomainError("Choose what your question is about.", field="category")
    support_request = SupportRequest(
        number=new_request_number(session), customer_id=customer.id,
        order_id=order.id if order else None, subject=request.subject.strip(),
        category=request.category, status=RequestStatus.OPEN,
        priority=request.priority or derive_priority(
            category=request.category, text=f"{request.subject}\n{request.body}", order=order),
        problem_kind=request.problem_kind, suggested_fix=request.suggested_fix,
        search_query=(request.search_query or None) and request.search_query[:200],
        idempotency_key=idempotency_key, created_at=now, updated_at=now,
    )
    sla.start_clock(sla_policy, support_request)
    session.add(support_request)
    first = Message(request=support_request, author_id=customer.id, body=request.body.strip(),
                    is_internal=False, created_at=now)
    session.add(first)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        existing = request_by_idempotency_key(session, customer_id=customer.id,
                                              key=idempotency_key)
        if existing is None:
            raise
        return existing
    attachments.store(session, message=first, files=files)
    if search_event_id is not None:  # the help search did not answer it: staff metrics count it
        mark_search_led_to_request(session, search_event_id=search_event_id)
    queue_mail(
        session, to=customer.email, subject=f"We received your request {support_request.number}",
        body=(f"Hello {customer.first_name},\n\n"
              f"Thank you for writing to us. Your request {support_request.number} "
              f"(\"{support_request.subject}\") is with our team, and we reply by email.\n\n"
              f"Follow it or add details here: {request_url(support_request.number)}\n"),
    )
    return support_request


def request_by_idempotency_key(
    session: Session, *, customer_id: int, key: str
) -> SupportRequest | None:
    """The request a form with this key already opened, if any."""
    return session.scalar(select(SupportRequest).where(
        SupportRequest.customer_id == customer_id, SupportRequest.idempotency_key == key))


def list_requests(
    session: Session, *, customer_id: int, page: int, per_page: int = PER_PAGE
) -> Page[SupportRequest]:
    """The shopper's requests, newest first, with the order each one is about."""
    statement = (
        select(SupportRequest).where(SupportRequest.customer_id == customer_id)
        .options(joinedload(SupportRequest.order))
        .order_by(SupportRequest.created_at.desc(), SupportRequest.id.desc())
    )
    return paginate(session, statement, number=page, per_page=per_page)


@dataclass(frozen=True)
class Conversation:
    request: SupportRequest
    messages: Sequence[Message]
    rating: SatisfactionRating | None


def get_request(session: Session, *, customer_id: int, number: str) -> SupportRequest:
    """The shopper's own request with this number, or NotFound (also for someone else's)."""
    found = session.scalar(
        select(SupportRequest)
        .where(SupportRequest.customer_id == customer_id, SupportRequest.number == number)
        .options(joinedload(SupportRequest.order))
    )
    if found is None:
        raise NotFound("No such request.")
    return found


def get_conversation(session: Session, *, customer_id: int, number: str) -> Conversation:
    """What the shopper may see of a request: public messages only, never internal notes."""
    support_request = get_request(session, customer_id=customer_id, number=number)
    messages = session.scalars(
        select(Message)
        .where(Message.request_id == support_request.id, Message.is_internal.is_(False))
        .options(joinedload(Message.author), selectinload(Message.attachments))
        .order_by(Message.created_at, Message.id)
    ).all()
    rating = session.scalar(
        select(SatisfactionRating).where(SatisfactionRating.request_id == support_request.id))
    return Conversation(request=support_request, messages=messages, rating=rating)


def add_shopper_reply(
    session: Session, *, customer_id: int, number: str, body: str, now: datetime,
    files: Iterable[attachments.PreparedFile] = (),
    sla_policy: sla.SlaPolicy = sla.DEFAULT_POLICY,
    staff_url: Callable[[str], str] | None = None,
) -> Message:
    """A shopper's reply; writing again on a resolved request reopens it and restarts its
    service-level clock. The assignee, if any, is told by email."""
    support_request = get_request(session, customer_id=customer_id, number=number)
    if support_request.status == RequestStatus.CLOSED:
        raise RequestClosed("This request is closed. Please open a new one.", field="body")
    last = session.scalar(
        select(Message).where(Message.request_id == support_request.id)
        .order_by(Message.id.desc()).limit(1)
    )
    if last is not None and last.author_id == customer_id and last.body == body.strip():
        return last  # the same reply sent twice (double click, resent form) is one reply
    message = Message(request_id=support_request.id, author_id=customer_id, body=body.strip(),
                      is_internal=False, created_at=now)
    session.add(message)
    attachments.store(session, message=message, files=files)
    sla.change_status(sla_policy, support_request, RequestStatus.OPEN, now=now)
    support_request.resolved_at = None
    support_request.updated_at = now
    if staff_url is not None:
        _tell_assignee(session, support_request, body.strip(), staff_url)
    return message


def _tell_assignee(session: Session, support_request: SupportRequest, body: str,
                   staff_url: Callable[[str], str]) -> None:
    if support_request.assignee_id is None:
        return
    assignee = session.get(Customer, support_request.assignee_id)
    if assignee is None or not assignee.is_active:
        return
    queue_mail(
        session, to=assignee.email,
        subject=f"Shopper replied: {support_request.subject} [{support_request.number}]",
        body=(f"Hello {assignee.first_name},\n\nThe shopper wrote again on "
              f"{support_request.number}, which is assigned to you:\n\n{body}\n\n"
              f"Answer it here: {staff_url(support_request.number)}\n"),
    )


def resolve_request(
    session: Session, *, customer_id: int, number: str, now: datetime,
    sla_policy: sla.SlaPolicy = sla.DEFAULT_POLICY,
) -> SupportRequest:
    """The shopper says the problem is solved."""
    support_request = get_request(session, customer_id=customer_id, number=number)
    if support_request.status not in OPEN_STATUSES:
        raise RequestClosed("This request is already resolved.")
    sla.change_status(sla_policy, support_request, RequestStatus.RESOLVED, now=now)
    support_request.resolved_at = now
    support_request.updated_at = now
    return support_request


def rate_request(
    session: Session, *, customer_id: int, number: str, score: int, comment: str | None,
    now: datetime,
) -> SatisfactionRating:
    """One rating per request, only once it is resolved or closed."""
    support_request = get_request(session, customer_id=customer_id, number=number)
    if support_request.status in OPEN_STATUSES:
        raise RequestClosed("You can rate the help once the request is resolved.", field="score")
    if not 1 <= score <= 5:
        raise DomainError("Choose a score from 1 to 5.", field="score")
    already = session.scalar(select(exists().where(
        SatisfactionRating.request_id == support_request.id)))
    if already:
        raise RequestClosed("You have already rated this request. Thank you!", field="score")
    rating = SatisfactionRating(request_id=support_request.id, score=score,
                                comment=(comment or "").strip() or None, created_at=now)
    session.add(rating)
    try:
        session.flush()
    except IntegrityError:  # the same rating sent twice at once: the first one counts
        session.rollback()
        raise RequestClosed("You have already rated this request. Thank you!",
                            field="score") from None
    return rating


def rate_by_survey(
    session: Session, *, request_id: int, score: int, now: datetime
) -> tuple[SupportRequest, SatisfactionRating | None]:
    """The survey link's one click: the same rule as rating on the page, once per request.

    Returns the request and the new rating, or None when it was already rated (a reused link).
    """
    support_request = session.get(SupportRequest, request_id)
    if support_request is None:
        raise NotFound("No such request.")
    if session.scalar(select(exists().where(SatisfactionRating.request_id == request_id))):
        return support_request, None
    return support_request, rate_request(
        session, customer_id=support_request.customer_id, number=support_request.number,
        score=score, comment=None, now=now)


def add_survey_comment(session: Session, *, request_id: int, comment: str) -> bool:
    """The optional words after a survey click; only the first comment is kept."""
    rating = session.scalar(
        select(SatisfactionRating).where(SatisfactionRating.request_id == request_id))
    if rating is None or rating.comment or not comment.strip():
        return False
    rating.comment = comment.strip()[:500]
    return True
