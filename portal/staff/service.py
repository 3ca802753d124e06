"""Figures for the staff console's front page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.returns.models import ReturnRequest, ReturnStatus
from portal.support.models import RequestStatus, SupportRequest

TO_RECEIVE = (ReturnStatus.APPROVED, ReturnStatus.IN_TRANSIT)
WAITING_RETURNS = (ReturnStatus.REQUESTED, *TO_RECEIVE, ReturnStatus.RECEIVED)


@dataclass(frozen=True)
class DashboardCounts:
    open_requests: int
    returns_to_review: int
    returns_to_receive: int
    returns_to_refund: int


def dashboard_counts(session: Session) -> DashboardCounts:
    """What waits for staff: open requests, and returns to decide, check in or refund."""
    open_requests = session.scalar(
        select(func.count()).select_from(SupportRequest)
        .where(SupportRequest.status.in_([RequestStatus.OPEN]))
    )
    returns_by_status = dict(
        session.execute(
            select(ReturnRequest.status, func.count())
            .where(ReturnRequest.status.in_(WAITING_RETURNS))
            .group_by(ReturnRequest.status)
        ).all()
    )
    return DashboardCounts(
        open_requests=open_requests or 0,
        returns_to_review=returns_by_status.get(ReturnStatus.REQUESTED, 0),
        returns_to_receive=sum(returns_by_status.get(status, 0) for status in TO_RECEIVE),
        returns_to_refund=returns_by_status.get(ReturnStatus.RECEIVED, 0),
    )
