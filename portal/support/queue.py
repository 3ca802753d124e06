"""The staff queue: saved views with their counts, search, sorting and bulk changes.

Every view is one SQL condition, so the counts of all views come from one query and the
"breaching" view is a comparison on the indexed due times that portal/support/sla.py keeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload

from portal.auth.models import Customer
from portal.numbers import parse_int
from portal.orders.models import Order
from portal.pagination import Page, paginate
from portal.support.models import Message, RequestPriority, RequestStatus, SupportRequest
from portal.support.service import OPEN_STATUSES

QUEUE_PER_PAGE = 25
ACTIVE = "active"  # the status filter's default: open or waiting for the shopper
ANY = ""
UNASSIGNED = "none"
MINE = "me"
SEARCH_MAX = 100
_PRIORITY_RANK = case(
    {RequestPriority.URGENT.value: 0, RequestPriority.HIGH.value: 1,
     RequestPriority.NORMAL.value: 2, RequestPriority.LOW.value: 3},
    value=SupportRequest.priority, else_=4,
)
# The next due time that matters: the first response until there is one, then resolution.
NEXT_DUE = case((SupportRequest.first_response_at.is_(None), SupportRequest.first_response_due_at),
                else_=SupportRequest.resolution_due_at)

VIEW_LABELS: dict[str, str] = {
    "new": "New",
    "mine": "Mine",
    "unassigned": "Unassigned",
    "waiting_on_us": "Waiting on us",
    "waiting_on_shopper": "Waiting on the shopper",
    "breaching": "Breaching SLA",
    "resolved_this_week": "Resolved this week",
}
SORTS: dict[str, str] = {
    "priority": "Priority, then oldest",
    "due": "Due soonest",
    "newest": "Newest first",
    "oldest": "Oldest first",
    "updated": "Recently updated",
}


@dataclass(frozen=True)
class QueueFilters:
    view: str = ANY
    status: str = ACTIVE
    priority: str = ANY
    assignee: str = ANY
    q: str = ""
    sort: str = "priority"

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> QueueFilters:
        """Filters from the query string; a value we do not know means no filter."""

        def get(name: str) -> str:
            return (args.get(name) or "").strip()

        statuses = {s.value for s in RequestStatus} | {ACTIVE, ANY}
        assignee = get("assignee")
        if assignee not in (MINE, UNASSIGNED) and parse_int(assignee, minimum=1) is None:
            assignee = ANY
        status = get("status") if "status" in args else ACTIVE
        return cls(
            view=get("view") if get("view") in VIEW_LABELS else ANY,
            status=status if status in statuses else ACTIVE,
            priority=get("priority") if get("priority") in {p.value for p in RequestPriority}
            else ANY,
            assignee=assignee,
            q=get("q")[:SEARCH_MAX],
            sort=get("sort") if get("sort") in SORTS else "priority",
        )

    def as_args(self) -> dict[str, str]:
        """The filters that differ from the defaults, for links that keep them."""
        defaults = QueueFilters()
        return {name: value for name in ("view", "status", "priority", "assignee", "q", "sort")
                if (value := getattr(self, name)) != getattr(defaults, name)}

    def with_view(self, view: str) -> QueueFilters:
        """A saved view starts from the view alone: the status filter would fight it."""
        return replace(QueueFilters(), view=view, sort=self.sort)


def week_start(now: datetime) -> datetime:
    """Monday 00:00 UTC of the current week."""
    return (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0,
                                                         microsecond=0)


def view_condition(view: str, *, staff_id: int, now: datetime) -> ColumnElement[bool]:
    is_open = SupportRequest.status.in_(OPEN_STATUSES)
    conditions: dict[str, ColumnElement[bool]] = {
        "new": and_(SupportRequest.status == RequestStatus.OPEN,
                    SupportRequest.first_response_at.is_(None)),
        "mine": and_(is_open, SupportRequest.assignee_id == staff_id),
        "unassigned": and_(is_open, SupportRequest.assignee_id.is_(None)),
        "waiting_on_us": SupportRequest.status == RequestStatus.OPEN,
        "waiting_on_shopper": SupportRequest.status == RequestStatus.AWAITING_CUSTOMER,
        "breaching": and_(SupportRequest.status == RequestStatus.OPEN, or_(
            and_(SupportRequest.first_response_at.is_(None),
                 SupportRequest.first_response_due_at < now),
            SupportRequest.resolution_due_at < now)),
        "resolved_this_week": and_(
            SupportRequest.status.in_([RequestStatus.RESOLVED, RequestStatus.CLOSED]),
            SupportRequest.resolved_at >= week_start(now)),
    }
    return conditions[view]


def view_counts(session: Session, *, staff_id: int, now: datetime) -> dict[str, int]:
    """How many requests each saved view holds, in one query."""
    columns = [func.coalesce(func.sum(case((view_condition(name, staff_id=staff_id, now=now), 1),
                                           else_=0)), 0).label(name)
               for name in VIEW_LABELS]
    row = session.execute(select(*columns).select_from(SupportRequest)).one()
    return dict(zip(VIEW_LABELS, (int(value) for value in row), strict=True))


def _search(q: str) -> ColumnElement[bool]:
    """Request number, order number, shopper email or name, or words in the thread."""
    term = q.lower()
    words = [word for word in term.split() if word][:5]
    in_thread = exists().where(
        Message.request_id == SupportRequest.id,
        *(func.lower(Message.body).contains(word, autoescape=True) for word in words),
    )
    return or_(
        SupportRequest.number == q.upper(),
        SupportRequest.order_id.in_(select(Order.id).where(Order.number == q.upper())),
        SupportRequest.customer_id.in_(select(Customer.id).where(or_(
            func.lower(Customer.email) == term,
            func.lower(Customer.name).contains(term, autoescape=True)))),
        func.lower(SupportRequest.subject).contains(term, autoescape=True),
        in_thread,
    )


def _order_by(sort: str) -> tuple[ColumnElement[object], ...]:
    orders: dict[str, tuple[ColumnElement[object], ...]] = {
        "priority": (_PRIORITY_RANK, SupportRequest.created_at),
        "due": (NEXT_DUE.is_(None), NEXT_DUE, _PRIORITY_RANK),
        "newest": (SupportRequest.created_at.desc(),),
        "oldest": (SupportRequest.created_at,),
        "updated": (SupportRequest.updated_at.desc(),),
    }
    return (*orders[sort], SupportRequest.id)


def queue_statement(filters: QueueFilters, *, staff_id: int,
                    now: datetime) -> Select[tuple[SupportRequest]]:
    statement = select(SupportRequest)
    if filters.view:
        statement = statement.where(view_condition(filters.view, staff_id=staff_id, now=now))
    elif filters.status == ACTIVE:
        statement = statement.where(SupportRequest.status.in_(OPEN_STATUSES))
    elif filters.status:
        statement = statement.where(SupportRequest.status == RequestStatus(filters.status))
    if filters.priority:
        statement = statement.where(SupportRequest.priority == RequestPriority(filters.priority))
    if filters.assignee == MINE:
        statement = statement.where(SupportRequest.assignee_id == staff_id)
    elif filters.assignee == UNASSIGNED:
        statement = statement.where(SupportRequest.assignee_id.is_(None))
    elif filters.assignee:
        statement = statement.where(SupportRequest.assignee_id == int(filters.assignee))
    if filters.q:
        statement = statement.where(_search(filters.q))
    return statement.order_by(*_order_by(filters.sort))


def list_queue(
    session: Session, *, filters: QueueFilters, staff_id: int, now: datetime, page: int,
    per_page: int = QUEUE_PER_PAGE,
) -> Page[SupportRequest]:
    """One page of the queue, with the shopper, assignee and order of each request."""
    statement = queue_statement(filters, staff_id=staff_id, now=now).options(
        joinedload(SupportRequest.customer), joinedload(SupportRequest.assignee),
        joinedload(SupportRequest.order),
    )
    return paginate(session, statement, number=page, per_page=per_page)


def neighbours(session: Session, *, filters: QueueFilters, staff_id: int, now: datetime,
               number: str, limit: int = 2000) -> tuple[str | None, str | None]:
    """The requests before and after this one in the queue as filtered, for j/k keys."""
    numbers = list(session.scalars(
        queue_statement(filters, staff_id=staff_id, now=now)
        .with_only_columns(SupportRequest.number).limit(limit)))
    if number not in numbers:
        return None, None
    index = numbers.index(number)
    return (numbers[index - 1] if index > 0 else None,
            numbers[index + 1] if index + 1 < len(numbers) else None)
