"""Figures for the staff console's front page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.enums import RequestStatus, ReturnStatus
from portal.returns.models import ReturnRequest
from portal.support.models import SupportRequest


@dataclass(frozen=True)
class DashboardCounts:
    open_requests: int
    returns_to_review: int
    returns_to_receive: int


def dashboard_counts(session: Session) -> DashboardCounts:
    """What is waiting for staff: open requests and returns needing a decision or a check-in."""
    open_requests = session.scalar(
        select(func.count()).select_from(SupportRequest)
        .where(SupportRequest.status.in_([RequestStatus.OPEN]))
    )
    returns_by_status = dict(
        session.execute(
            select(ReturnRequest.status, func.count())
            .where(ReturnRequest.status.in_([ReturnStatus.REQUESTED, ReturnStatus.IN_TRANSIT]))
            .group_by(ReturnRequest.status)
        ).all()
    )
    return DashboardCounts(
        open_requests=open_requests or 0,
        returns_to_review=returns_by_status.get(ReturnStatus.REQUESTED, 0),
        returns_to_receive=returns_by_status.get(ReturnStatus.IN_TRANSIT, 0),
    )
