"""Support rules without HTTP: priority, idempotency, scoping, replies, ratings."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.domain import DomainError, NotFound
from portal.mail import OutboxMessage
from portal.orders.models import OrderStatus, Shipment, ShipmentStatus
from portal.support import service
from portal.support.models import (
    Message,
    RequestPriority,
    RequestStatus,
    SatisfactionRating,
    SupportRequest,
)
from tests.factories import make_customer, make_order
from tests.factories.support import make_request


def _url(number: str) -> str:
    return f"https://portal.test/requests/{number}"


def _open(session: Session, customer, *, key: str | None = None, **fields) -> SupportRequest:
    values = {"category": "order", "subject": "Item missing",
              "body": "One of the two items was not in the box.", **fields}
    return service.open_request(
        session, customer=customer, idempotency_key=key or uuid.uuid4().hex,
        request=service.NewRequest(**values), now=utcnow(), request_url=_url,
    )


def test_open_request_makes_number_first_message_and_confirmation(session: Session) -> None:
    customer = make_customer(session)
    opened = _open(session, customer)
    session.commit()

    assert re.fullmatch(r"REQ-[A-Z2-9]{6}", opened.number)
    assert opened.status == RequestStatus.OPEN
    messages = session.scalars(select(Message).where(Message.request_id == opened.id)).all()
    assert [m.body for m in messages] == ["One of the two items was not in the box."]
    assert messages[0].author_id == customer.id and not messages[0].is_internal
    mail = session.scalars(select(OutboxMessage)).one()
    assert mail.recipient == customer.email
    assert opened.number in mail.subject and _url(opened.number) in mail.body


def test_same_idempotency_key_gives_the_same_request(session: Session) -> None:
    customer = make_customer(session)
    first = _open(session, customer, key="a" * 32)
    session.commit()
    again = _open(session, customer, key="a" * 32, subject="Something else entirely")
    session.commit()

    assert again.id == first.id
    assert session.scalar(select(func.count()).select_from(SupportRequest)) == 1
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_order_of_another_shopper_is_refused(session: Session) -> None:
    customer, other = make_customer(session), make_customer(session)
    order = make_order(session, other)
    with pytest.raises(NotFound) as raised:
        _open(session, customer, order_number=order.number)
    assert raised.value.field == "order"


def test_unknown_category_is_refused(session: Session) -> None:
    with pytest.raises(DomainError):
        _open(session, make_customer(session), category="gossip")


@pytest.mark.parametrize(
    ("category", "text", "shipment", "order_status", "expected"),
    [
        ("billing", "Question about my invoice", None, None, RequestPriority.HIGH),
        ("order", "I was charged twice for this", None, None, RequestPriority.URGENT),
        ("account", "Unauthorized login on my account", None, None, RequestPriority.URGENT),
        ("delivery", "Parcel stuck", ShipmentStatus.EXCEPTION, OrderStatus.SHIPPED,
         RequestPriority.HIGH),
        ("delivery", "Where is it", None, OrderStatus.DELIVERED, RequestPriority.HIGH),
        ("order", "Change of colour", None, OrderStatus.PROCESSING, RequestPriority.NORMAL),
        ("product", "Is this jacket waterproof?", None, None, RequestPriority.LOW),
    ],
)
def test_priority_rules(session: Session, category, text, shipment, order_status,
                        expected) -> None:
    customer = make_customer(session)
    order_number = None
    if order_status is not None:
        order = make_order(session, customer, status=order_status)
        order_number = order.number
        if shipment is not None:
            session.add(Shipment(order_id=order.id, carrier="ups", tracking_number="1Z999",
                                 status=shipment))
            session.commit()
    opened = _open(session, customer, category=category, subject=text,
                   body="More details follow here.", order_number=order_number)
    assert opened.priority == expected


def test_category_for_topic_accepts_aliases_and_refuses_the_unknown() -> None:
    assert service.category_for_topic("shipping") == "delivery"
    assert service.category_for_topic("Billing") == "billing"
    assert service.category_for_topic("nonsense") is None
    assert service.category_for_topic(None) is None


def test_get_conversation_hides_internal_notes_and_other_shoppers(session: Session) -> None:
    customer, other = make_customer(session), make_customer(session)
    staff = make_customer(session, role="staff")
    request = make_request(session, customer)
    session.add_all([
        Message(request_id=request.id, author_id=staff.id, body="Refund approved",
                created_at=utcnow()),
        Message(request_id=request.id, author_id=staff.id, body="Shopper seems upset",
                is_internal=True, created_at=utcnow()),
    ])
    session.commit()

    conversation = service.get_conversation(session, customer_id=customer.id,
                                            number=request.number)
    assert [m.body for m in conversation.messages][-1] == "Refund approved"
    assert all(not m.is_internal for m in conversation.messages)
    with pytest.raises(NotFound):
        service.get_conversation(session, customer_id=other.id, number=request.number)


def test_reply_reopens_a_resolved_request_and_twice_is_once(session: Session) -> None:
    customer = make_customer(session)
    request = make_request(session, customer, status=RequestStatus.RESOLVED)
    for _ in range(2):
        service.add_shopper_reply(session, customer_id=customer.id, number=request.number,
                                  body="Still broken, sorry.", now=utcnow())
        session.commit()
    session.refresh(request)
    assert request.status == RequestStatus.OPEN and request.resolved_at is None
    bodies = session.scalars(select(Message.body).where(Message.request_id == request.id)).all()
    assert bodies.count("Still broken, sorry.") == 1


def test_closed_request_takes_no_reply(session: Session) -> None:
    customer = make_customer(session)
    request = make_request(session, customer, status=RequestStatus.CLOSED)
    with pytest.raises(service.RequestClosed):
        service.add_shopper_reply(session, customer_id=customer.id, number=request.number,
                                  body="Hello?", now=utcnow())


def test_resolve_then_rate_once(session: Session) -> None:
    customer = make_customer(session)
    request = make_request(session, customer)
    with pytest.raises(service.RequestClosed):
        service.rate_request(session, customer_id=customer.id, number=request.number, score=5,
                             comment=None, now=utcnow())
    service.resolve_request(session, customer_id=customer.id, number=request.number,
                            now=utcnow())
    session.commit()
    with pytest.raises(service.RequestClosed):
        service.resolve_request(session, customer_id=customer.id, number=request.number,
                                now=utcnow())
    service.rate_request(session, customer_id=customer.id, number=request.number, score=4,
                         comment=" Quick! ", now=utcnow())
    session.commit()
    with pytest.raises(service.RequestClosed):
        service.rate_request(session, customer_id=customer.id, number=request.number, score=1,
                             comment=None, now=utcnow())
    rating = session.scalars(select(SatisfactionRating)).one()
    assert (rating.score, rating.comment) == (4, "Quick!")


def test_rating_outside_one_to_five_is_refused(session: Session) -> None:
    customer = make_customer(session)
    request = make_request(session, customer, status=RequestStatus.RESOLVED)
    with pytest.raises(DomainError):
        service.rate_request(session, customer_id=customer.id, number=request.number, score=9,
                             comment=None, now=utcnow())


def test_list_requests_is_scoped_and_newest_first(session: Session) -> None:
    customer, other = make_customer(session), make_customer(session)
    old = make_request(session, customer, created_at=utcnow() - timedelta(days=5))
    new = make_request(session, customer, created_at=utcnow() - timedelta(days=1))
    make_request(session, other)
    page = service.list_requests(session, customer_id=customer.id, page=1)
    assert [r.number for r in page.items] == [new.number, old.number]


def test_orders_to_choose_adds_an_older_own_order_only(session: Session) -> None:
    customer, other = make_customer(session), make_customer(session)
    oldest = make_order(session, customer, placed_at=utcnow() - timedelta(days=900))
    for days in range(service.RECENT_ORDERS):
        make_order(session, customer, lines=1, placed_at=utcnow() - timedelta(days=days + 1))
    foreign = make_order(session, other)

    numbers = {o.number for o in service.orders_to_choose(session, customer_id=customer.id)}
    assert oldest.number not in numbers
    numbers = {o.number for o in service.orders_to_choose(
        session, customer_id=customer.id, include=oldest.number)}
    assert oldest.number in numbers
    numbers = {o.number for o in service.orders_to_choose(
        session, customer_id=customer.id, include=foreign.number)}
    assert foreign.number not in numbers
