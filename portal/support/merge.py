"""Duplicates: the same shopper writing twice about the same order while both are open.

Merging moves the duplicate's messages (with their attachments) into the request that stays,
closes the duplicate with a note pointing to it, and audits the merge.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.audit import record_event
from portal.domain import DomainError
from portal.support import sla
from portal.support.models import Message, RequestStatus, SupportRequest
from portal.support.service import OPEN_STATUSES
from portal.support.staff import get_request


def find_duplicates(session: Session, support_request: SupportRequest) -> list[SupportRequest]:
    """Other open requests of the same shopper about the same order."""
    if support_request.order_id is None or support_request.status not in OPEN_STATUSES:
        return []
    return list(session.scalars(
        select(SupportRequest).where(
            SupportRequest.customer_id == support_request.customer_id,
            SupportRequest.order_id == support_request.order_id,
            SupportRequest.status.in_(OPEN_STATUSES),
            SupportRequest.id != support_request.id)
        .order_by(SupportRequest.created_at).limit(10)))


def merge(session: Session, *, staff_id: int, duplicate_number: str, keep_number: str,
          now: datetime, sla_policy: sla.SlaPolicy) -> SupportRequest:
    """Moves the duplicate's conversation into the kept request and closes the duplicate."""
    duplicate = get_request(session, number=duplicate_number)
    keep = get_request(session, number=keep_number)
    if keep.id not in {other.id for other in find_duplicates(session, duplicate)}:
        raise DomainError("Only an open request of the same shopper about the same order "
                          "can be merged into this one.")
    session.execute(update(Message).where(Message.request_id == duplicate.id)
                    .values(request_id=keep.id).execution_options(synchronize_session=False))
    session.add(Message(request_id=keep.id, author_id=staff_id, is_internal=True,
                        created_at=now, body=f"Merged {duplicate.number} into this request."))
    session.add(Message(request_id=duplicate.id, author_id=staff_id, is_internal=True,
                        created_at=now, body=f"Merged into {keep.number}."))
    sla.change_status(sla_policy, duplicate, RequestStatus.CLOSED, now=now)
    duplicate.resolved_at = duplicate.updated_at = keep.updated_at = now
    if keep.first_response_at is None and duplicate.first_response_at is not None:
        keep.first_response_at = duplicate.first_response_at
    record_event(session, actor_id=staff_id, action="support.merged",
                 object_type="support_request", object_id=duplicate.number, into=keep.number)
    return keep
