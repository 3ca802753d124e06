"""Requests left waiting on the shopper are closed after a while, with a notice first.

A request that waits on the shopper (our reply went out, nothing came back) gets a notice
`auto_close_days - auto_close_notice_days` days into the wait, and is closed after
`auto_close_days` (both from PORTAL_SLA_POLICY). A reply from the shopper at any point
reopens it and the wait starts again. The notice is recorded in the audit log, which is
also how a second run knows not to send it twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, joinedload

from portal.audit import AuditEvent, record_event
from portal.mail import queue_mail
from portal.support import sla
from portal.support.models import RequestStatus, SupportRequest

NOTICE = "support.auto_close_notice"
BATCH = 500


@dataclass(frozen=True)
class Sweep:
    noticed: list[str]
    closed: list[str]


def _waiting_since() -> object:
    # Requests older than the SLA columns have no pause time: their last update stands in.
    return func.coalesce(SupportRequest.sla_paused_at, SupportRequest.updated_at)


def auto_close(session: Session, *, policy: sla.SlaPolicy, now: datetime,
               request_url: Callable[[str], str]) -> Sweep:
    """Sends due notices and closes requests that waited too long; the caller commits."""
    waiting = SupportRequest.status == RequestStatus.AWAITING_CUSTOMER
    since = _waiting_since()
    close_before = now - timedelta(days=policy.auto_close_days)
    notice_before = now - timedelta(days=policy.auto_close_days - policy.auto_close_notice_days)
    notice = (AuditEvent.object_type == "support_request",
              AuditEvent.object_id == SupportRequest.number, AuditEvent.action == NOTICE,
              AuditEvent.created_at >= since)
    noticed = exists().where(*notice)
    # The shopper always gets the full notice period, even when a sweep ran late.
    warned_in_time = exists().where(
        *notice, AuditEvent.created_at <= now - timedelta(days=policy.auto_close_notice_days))
    to_close = session.scalars(
        select(SupportRequest).where(waiting, since <= close_before, warned_in_time)
        .options(joinedload(SupportRequest.customer)).order_by(SupportRequest.id).limit(BATCH)
    ).all()
    for support_request in to_close:
        sla.change_status(policy, support_request, RequestStatus.CLOSED, now=now)
        support_request.resolved_at = support_request.updated_at = now
        record_event(session, actor_id=None, action="support.auto_closed",
                     object_type="support_request", object_id=support_request.number)
        queue_mail(session, to=support_request.customer.email,
                   subject=f"Closed: {support_request.subject} [{support_request.number}]",
                   body=(f"Hello {support_request.customer.first_name},\n\nWe have not heard "
                         f"back, so we closed request {support_request.number}. If you still "
                         "need help, open a new request and mention this number.\n"))
    to_notice = session.scalars(
        select(SupportRequest).where(waiting, since <= notice_before, ~noticed)
        .options(joinedload(SupportRequest.customer)).order_by(SupportRequest.id).limit(BATCH)
    ).all()
    for support_request in to_notice:
        record_event(session, actor_id=None, action=NOTICE, object_type="support_request",
                     object_id=support_request.number)
        queue_mail(session, to=support_request.customer.email,
                   subject=f"Still need help? {support_request.subject} "
                           f"[{support_request.number}]",
                   body=(f"Hello {support_request.customer.first_name},\n\nWe are waiting for "
                         f"your reply on request {support_request.number}. If we do not hear "
                         f"from you within {policy.auto_close_notice_days} days we will close "
                         f"it; just reply here to keep it open: "
                         f"{request_url(support_request.number)}\n"))
    return Sweep(noticed=[r.number for r in to_notice], closed=[r.number for r in to_close])
