"""Support metrics for staff, computed in SQL over a date range and an optional category.

Requests count in the range by when they were opened. Percentiles are nearest-rank: the
median of n durations is the value at rank ceil(n / 2), p90 the value at rank ceil(0.9 n).
Each figure is one aggregate query, so the page costs the same number of queries whatever
the size of the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from portal.support.models import (
    Message,
    RequestStatus,
    SatisfactionRating,
    SupportRequest,
)
from portal.support.sql_time import seconds_between, utc_day, utc_week

DONE = (RequestStatus.RESOLVED, RequestStatus.CLOSED)
EXAMPLES = 10


@dataclass(frozen=True)
class Period:
    since: datetime  # inclusive, UTC
    until: datetime  # exclusive, UTC
    category: str | None = None

    def opened_in(self) -> ColumnElement[bool]:
        condition = and_(SupportRequest.created_at >= self.since,
                         SupportRequest.created_at < self.until)
        if self.category:
            condition = and_(condition, SupportRequest.category == self.category)
        return condition


@dataclass(frozen=True)
class Durations:
    count: int
    median_seconds: int | None
    p90_seconds: int | None


@dataclass(frozen=True)
class Attainment:
    measured: int  # answered (or resolved), or past the due time without it
    met: int

    @property
    def share(self) -> float | None:
        return self.met / self.measured if self.measured else None


@dataclass(frozen=True)
class Satisfaction:
    ratings: int
    satisfied: int  # 4 or 5
    comments: Sequence[tuple[str, int, str, datetime]]  # (request number, score, comment, when)

    @property
    def share(self) -> float | None:
        return self.satisfied / self.ratings if self.ratings else None


@dataclass(frozen=True)
class FirstContact:
    resolved: int
    first_contact: int  # one staff reply, no second message from the shopper

    @property
    def share(self) -> float | None:
        return self.first_contact / self.resolved if self.resolved else None


def _durations(session: Session, seconds: ColumnElement[float],
               where: ColumnElement[bool]) -> Durations:
    ranked = select(seconds.label("seconds"),
                    func.cume_dist().over(order_by=seconds).label("rank")).where(where).subquery()
    count, median, p90 = session.execute(select(
        func.count(),
        func.min(case((ranked.c.rank >= 0.5, ranked.c.seconds))),
        func.min(case((ranked.c.rank >= 0.9, ranked.c.seconds))),
    ).select_from(ranked)).one()
    # julianday() arithmetic on SQLite is off by microseconds: whole seconds are exact enough.
    return Durations(count=int(count), median_seconds=None if median is None else round(median),
                     p90_seconds=None if p90 is None else round(p90))


def first_response_times(session: Session, period: Period) -> Durations:
    """From the shopper's first message to the team's first public reply."""
    return _durations(
        session, seconds_between(SupportRequest.created_at, SupportRequest.first_response_at),
        and_(period.opened_in(), SupportRequest.first_response_at.is_not(None)))


def resolution_times(session: Session, period: Period) -> Durations:
    """From the first message to resolution, for requests resolved or closed."""
    return _durations(
        session, seconds_between(SupportRequest.created_at, SupportRequest.resolved_at),
        and_(period.opened_in(), SupportRequest.status.in_(DONE),
             SupportRequest.resolved_at.is_not(None)))


def sla_attainment(session: Session, period: Period, *, now: datetime) -> tuple[Attainment,
                                                                                Attainment]:
    """Shares of first responses and resolutions that came by their due time. A request
    still waiting past its due time counts as missed; one not yet due is not counted."""
    first_done = SupportRequest.first_response_at.is_not(None)
    first_measured = or_(first_done, SupportRequest.first_response_due_at < now)
    first_met = and_(first_done,
                     SupportRequest.first_response_at <= SupportRequest.first_response_due_at)
    resolved = and_(SupportRequest.status.in_(DONE), SupportRequest.resolved_at.is_not(None))
    resolve_measured = or_(resolved, SupportRequest.resolution_due_at < now)
    resolve_met = and_(resolved, SupportRequest.resolved_at <= SupportRequest.resolution_due_at)

    def total(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = session.execute(select(
        total(first_measured), total(first_met), total(resolve_measured), total(resolve_met),
    ).where(period.opened_in(), SupportRequest.first_response_due_at.is_not(None))).one()
    return Attainment(int(row[0]), int(row[1])), Attainment(int(row[2]), int(row[3]))


def satisfaction(session: Session, period: Period) -> Satisfaction:
    """Ratings of requests opened in the period: the share of 4 and 5, and the comments."""
    rated = (select(SatisfactionRating)
             .join(SupportRequest, SupportRequest.id == SatisfactionRating.request_id)
             .where(period.opened_in()))
    ratings, satisfied = session.execute(
        rated.with_only_columns(
            func.count(), func.coalesce(func.sum(case((SatisfactionRating.score >= 4, 1),
                                                      else_=0)), 0))).one()
    comments = session.execute(
        rated.with_only_columns(SupportRequest.number, SatisfactionRating.score,
                                SatisfactionRating.comment, SatisfactionRating.created_at)
        .where(SatisfactionRating.comment.is_not(None))
        .order_by(SatisfactionRating.created_at.desc(), SatisfactionRating.id.desc())
        .limit(EXAMPLES)).all()
    return Satisfaction(ratings=int(ratings), satisfied=int(satisfied),
                        comments=[tuple(row) for row in comments])  # type: ignore[misc]


def first_contact_resolution(session: Session, period: Period) -> FirstContact:
    """Resolved requests the team settled with one reply: exactly one public staff message
    and no second message from the shopper."""
    from_shopper = Message.author_id == SupportRequest.customer_id
    counts = (
        select(
            SupportRequest.id,
            func.sum(case((from_shopper, 1), else_=0)).label("shopper"),
            func.sum(case((and_(~from_shopper, Message.is_internal.is_(False)), 1),
                          else_=0)).label("staff"),
        )
        .join(Message, Message.request_id == SupportRequest.id)
        .where(period.opened_in(), SupportRequest.status.in_(DONE))
        .group_by(SupportRequest.id)
    ).subquery()
    resolved, first = session.execute(select(
        func.count(),
        func.coalesce(func.sum(case((and_(counts.c.shopper == 1, counts.c.staff == 1), 1),
                                    else_=0)), 0),
    ).select_from(counts)).one()
    return FirstContact(resolved=int(resolved), first_contact=int(first))


def requests_per_category_week(session: Session, period: Period) -> list[tuple[date, str, int]]:
    """(Monday of the week, category, requests opened), oldest week first."""
    week = utc_week(SupportRequest.created_at)
    rows = session.execute(
        select(week, SupportRequest.category, func.count())
        .where(period.opened_in()).group_by(week, SupportRequest.category)
        .order_by(week, SupportRequest.category))
    return [(_as_date(day), category, int(count)) for day, category, count in rows]


def backlog(session: Session, period: Period) -> list[tuple[date, int]]:
    """Requests still open at the end of each day of the period (opened before its end and
    not resolved by then), from a starting count and each day's openings and resolutions."""
    category = (SupportRequest.category == period.category if period.category
                else SupportRequest.id.is_not(None))
    start = session.scalar(select(func.count()).where(
        category, SupportRequest.created_at < period.since,
        or_(SupportRequest.resolved_at.is_(None), SupportRequest.resolved_at >= period.since)))
    opened = _per_day(session, SupportRequest.created_at, category, period)
    closed = _per_day(session, SupportRequest.resolved_at, category, period)
    level, series = int(start or 0), []
    day, last = period.since.date(), (period.until - timedelta(microseconds=1)).date()
    while day <= last:
        level += opened.get(day, 0) - closed.get(day, 0)
        series.append((day, level))
        day += timedelta(days=1)
    return series


def _per_day(session: Session, column: ColumnElement[datetime], category: ColumnElement[bool],
             period: Period) -> dict[date, int]:
    day = utc_day(column)
    statement: Select[tuple[object, int]] = (
        select(day, func.count())
        .where(category, column >= period.since, column < period.until).group_by(day))
    return {_as_date(value): int(count) for value, count in session.execute(statement)}


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
