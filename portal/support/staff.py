"""Support requests from the staff side: one request beside the shopper's history, replies
and internal notes, and triage (assignee, status, priority, category), alone or in bulk.

Every staff action writes an audit event in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.audit import record_event
from portal.auth.models import Customer, Role
from portal.domain import DomainError, NotFound
from portal.help_sessions.models import HelpSessionEvent
from portal.help_sessions.service import trail_for_request
from portal.support import emails, sla
from portal.support.models import (
    Message,
    RequestPriority,
    RequestStatus,
    SatisfactionRating,
    SupportRequest,
)
from portal.support.service import CATEGORIES, OPEN_STATUSES
from portal.support.timeline import Entry, shopper_timeline


def list_staff(session: Session) -> list[Customer]:
    """People a request can be assigned to."""
    return list(session.scalars(
        select(Customer).where(Customer.role.in_([Role.STAFF, Role.ADMIN]),
                               Customer.is_active.is_(True))
        .order_by(Customer.name).limit(200)
    ))


@dataclass(frozen=True)
class Review:
    request: SupportRequest
    messages: Sequence[Message]
    rating: SatisfactionRating | None
    timeline: Sequence[Entry]
    help_trail: Sequence[HelpSessionEvent] = ()  # searches and articles before the request


def get_request(session: Session, *, number: str) -> SupportRequest:
    found = session.scalar(
        select(SupportRequest).where(SupportRequest.number == number).options(
            joinedload(SupportRequest.customer), joinedload(SupportRequest.assignee),
            joinedload(SupportRequest.order),
        )
    )
    if found is None:
        raise NotFound("No such request.")
    return found


def review_request(session: Session, *, number: str) -> Review:
    """The request, its whole conversation (internal notes too) and the shopper's history."""
    support_request = get_request(session, number=number)
    messages = session.scalars(
        select(Message).where(Message.request_id == support_request.id)
        .options(joinedload(Message.author), selectinload(Message.attachments))
        .order_by(Message.created_at, Message.id)
    ).all()
    rating = session.scalar(
        select(SatisfactionRating).where(SatisfactionRating.request_id == support_request.id))
    timeline = shopper_timeline(session, support_request=support_request)
    return Review(request=support_request, messages=messages, rating=rating, timeline=timeline,
                  help_trail=trail_for_request(session, request_id=support_request.id))


def reply(
    session: Session, *, staff: Customer, number: str, body: str, is_internal: bool,
    now: datetime, request_url: Callable[[str], str], sla_policy: sla.SlaPolicy,
) -> Message:
    """A public reply (emailed to the shopper) or an internal note (never shown to them)."""
    support_request = get_request(session, number=number)
    body = body.strip()
    last = session.scalar(select(Message).where(Message.request_id == support_request.id)
                          .order_by(Message.id.desc()).limit(1))
    if last is not None and (last.author_id, last.body, last.is_internal) == (
            staff.id, body, is_internal):
        return last  # the same message sent twice is one message
    message = Message(request_id=support_request.id, author_id=staff.id, body=body,
                      is_internal=is_internal, created_at=now)
    session.add(message)
    support_request.updated_at = now
    if not is_internal:
        if support_request.first_response_at is None:
            support_request.first_response_at = now
        if support_request.status == RequestStatus.OPEN:
            sla.change_status(sla_policy, support_request, RequestStatus.AWAITING_CUSTOMER,
                              now=now)
        emails.queue_staff_reply(session, support_request=support_request, staff=staff,
                                 body=body, request_url=request_url)
    session.flush()
    record_event(session, actor_id=staff.id,
                 action="support.note_added" if is_internal else "support.replied",
                 object_type="support_request", object_id=support_request.number,
                 message_id=message.id)
    return message


@dataclass(frozen=True)
class Triage:
    status: RequestStatus
    priority: RequestPriority
    category: str
    assignee_id: int | None


_TRIAGE_ACTIONS = {"status": "support.status_changed", "priority": "support.priority_changed",
                   "category": "support.category_changed", "assignee_id": "support.assigned"}


def triage(
    session: Session, *, staff_id: int, number: str, change: Triage, now: datetime,
    sla_policy: sla.SlaPolicy,
) -> dict[str, tuple[str | None, str | None]]:
    """Sets status, priority, category and assignee; returns what changed, each audited.

    The service-level clock follows: a new priority sets new targets, leaving "open" stops
    the clock and coming back restarts it.
    """
    support_request = get_request(session, number=number)
    if change.category not in CATEGORIES:
        raise DomainError("Choose a category from the list.", field="category")
    if change.assignee_id is not None:
        assignee = session.get(Customer, change.assignee_id)
        if assignee is None or not assignee.is_staff:
            raise DomainError("Choose someone from the team.", field="assignee")
    before = _triage_values(support_request)
    if change.priority != support_request.priority:
        sla.change_priority(sla_policy, support_request, change.priority)
    if change.status != support_request.status:
        sla.change_status(sla_policy, support_request, change.status, now=now)
        if change.status is RequestStatus.RESOLVED:
            emails.queue_survey(session, support_request=support_request,
                                shopper=support_request.customer)
    support_request.category = change.category
    support_request.assignee_id = change.assignee_id
    if change.status in OPEN_STATUSES:
        support_request.resolved_at = None
    elif support_request.resolved_at is None:
        support_request.resolved_at = now
    after = _triage_values(support_request)
    changes = {key: (_text(before[key]), _text(after[key]))
               for key in before if before[key] != after[key]}
    if changes:
        support_request.updated_at = now
    for key, (old, new) in changes.items():
        record_event(session, actor_id=staff_id, action=_TRIAGE_ACTIONS[key],
                     object_type="support_request", object_id=support_request.number,
                     old=old, new=new)
    return changes


def _triage_values(support_request: SupportRequest) -> dict[str, object]:
    return {"status": support_request.status.value, "priority": support_request.priority.value,
            "category": support_request.category, "assignee_id": support_request.assignee_id}


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class BulkChange:
    status: RequestStatus | None = None
    assignee_id: int | None = None
    unassign: bool = False


def bulk_triage(
    session: Session, *, staff_id: int, numbers: Sequence[str], change: BulkChange,
    now: datetime, sla_policy: sla.SlaPolicy,
) -> int:
    """Applies one status or assignee to many requests, each change audited; returns how
    many requests changed. Unknown numbers are skipped (they may have been merged away)."""
    changed = 0
    for number in dict.fromkeys(numbers):
        found = session.scalar(select(SupportRequest).where(SupportRequest.number == number))
        if found is None:
            continue
        assignee_id = None if change.unassign else (change.assignee_id or found.assignee_id)
        one = Triage(status=change.status or found.status, priority=found.priority,
                     category=found.category, assignee_id=assignee_id)
        if triage(session, staff_id=staff_id, number=number, change=one, now=now,
                  sla_policy=sla_policy):
            changed += 1
    return changed
