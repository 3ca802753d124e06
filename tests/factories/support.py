"""Support requests for tests; each factory commits what it makes."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.auth.models import Customer
from portal.db import utcnow
from portal.orders.models import Order
from portal.support import sla
from portal.support.models import Message, RequestPriority, RequestStatus, SupportRequest

_sequence = itertools.count(1)


def make_request(
    session: Session, customer: Customer, *, subject: str = "Where is my parcel?",
    body: str = "It was due on Monday and has not arrived.", category: str = "delivery",
    status: RequestStatus = RequestStatus.OPEN,
    priority: RequestPriority = RequestPriority.NORMAL, order: Order | None = None,
    assignee: Customer | None = None, created_at: datetime | None = None,
    number: str | None = None,
) -> SupportRequest:
    created = created_at or utcnow() - timedelta(hours=2)
    support_request = SupportRequest(
        number=number or f"REQ-T{next(_sequence):05d}", customer_id=customer.id,
        order_id=order.id if order else None, subject=subject, category=category,
        status=status, priority=priority, assignee_id=assignee.id if assignee else None,
        idempotency_key=uuid.uuid4().hex, created_at=created, updated_at=created,
        resolved_at=created if status in (RequestStatus.RESOLVED, RequestStatus.CLOSED) else None,
    )
    sla.start_clock(sla.DEFAULT_POLICY, support_request)
    if status != RequestStatus.OPEN:
        support_request.sla_paused_at = created
    session.add(support_request)
    session.flush()
    session.add(Message(request_id=support_request.id, author_id=customer.id, body=body,
                        created_at=created))
    session.commit()
    return support_request


def add_message(
    session: Session, support_request: SupportRequest, author: Customer, body: str, *,
    is_internal: bool = False,
) -> Message:
    message = Message(request_id=support_request.id, author_id=author.id, body=body,
                      is_internal=is_internal, created_at=utcnow())
    session.add(message)
    session.commit()
    return message


def count_rows(session: Session, model: type) -> int:
    """How many rows the table of `model` holds now (what requests committed included)."""
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0
