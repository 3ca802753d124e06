"""The metrics page as tables: each one shown (and charted) on the page and exported as CSV.

A table is built only when asked for, so a CSV export runs only its own queries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.help_sessions.service import deflection_summary
from portal.support import help_metrics, metrics
from portal.support.service import CATEGORIES


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]
    chart: str | None = None  # "bar" or "line": the first column labels the points
    note: str = ""
    series: Sequence[int] = ()  # the columns charted; all but the first when empty


def _hours(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 3600:.1f}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def response_times(session: Session, period: metrics.Period, now: datetime) -> Table:
    first = metrics.first_response_times(session, period)
    resolution = metrics.resolution_times(session, period)
    return Table("response_times", "Response and resolution time (hours)",
                 ("Measure", "Median", "90th percentile", "Requests"),
                 [("First response", _hours(first.median_seconds), _hours(first.p90_seconds),
                   first.count),
                  ("Resolution", _hours(resolution.median_seconds),
                   _hours(resolution.p90_seconds), resolution.count)],
                 chart="bar", series=(1, 2),
                 note="Clock time from the shopper's first message.")


def sla(session: Session, period: metrics.Period, now: datetime) -> Table:
    first, resolution = metrics.sla_attainment(session, period, now=now)
    return Table("sla", "SLA attainment", ("Target", "Met", "Measured", "Share met"),
                 [("First response", first.met, first.measured, _share(first.share)),
                  ("Resolution", resolution.met, resolution.measured, _share(resolution.share))],
                 note="Requests still waiting past their due time count as missed.")


def csat(session: Session, period: metrics.Period, now: datetime) -> Table:
    result = metrics.satisfaction(session, period)
    comments = [(number, score, comment, when.date().isoformat())
                for number, score, comment, when in result.comments]
    return Table("csat", f"Satisfaction (CSAT): {_share(result.share)} rated 4 or 5 "
                 f"of {result.ratings} rating{'' if result.ratings == 1 else 's'}",
                 ("Request", "Score", "Comment", "Date"), comments,
                 note="The latest comments shoppers left with their rating.")


def first_contact(session: Session, period: metrics.Period, now: datetime) -> Table:
    result = metrics.first_contact_resolution(session, period)
    return Table("first_contact", "First-contact resolution",
                 ("Resolved requests", "Settled with one reply", "Share"),
                 [(result.resolved, result.first_contact, _share(result.share))],
                 note="One public reply from the team and no second message from the shopper.")


def categories(session: Session, period: metrics.Period, now: datetime) -> Table:
    rows = metrics.requests_per_category_week(session, period)
    names = sorted({category for _, category, _ in rows})
    weeks: dict[str, dict[str, int]] = {}
    for week, category, count in rows:
        weeks.setdefault(week.isoformat(), {})[category] = count
    return Table("categories", "Requests per category per week",
                 ("Week of", *(CATEGORIES.get(name, name) for name in names)),
                 [(week, *(counts.get(name, 0) for name in names))
                  for week, counts in weeks.items()], chart="bar")


def backlog(session: Session, period: metrics.Period, now: datetime) -> Table:
    return Table("backlog", "Backlog: requests open at the end of each day", ("Day", "Open"),
                 [(day.isoformat(), level) for day, level in metrics.backlog(session, period)],
                 chart="line")


def deflection(session: Session, period: metrics.Period, now: datetime) -> Table:
    summary = deflection_summary(session, since=period.since, until=period.until)
    return Table("deflection", "Deflection: help sessions that needed no request",
                 ("Help sessions", "Searched or read, no request within 24 h", "Share",
                  "Said an article answered them", "Opened a request"),
                 [(summary.sessions, summary.deflected, _share(
                     summary.share(summary.deflected) if summary.sessions else None),
                   summary.said_answered, summary.requested)],
                 note="Help sessions are not filtered by category.")


def failed_searches(session: Session, period: metrics.Period, now: datetime) -> Table:
    result = help_metrics.failed_searches(session, since=period.since, until=period.until)
    rows = [(label, result.totals[kind], "; ".join(f"{query} ({times})"
                                                   for query, times in result.examples[kind]))
            for kind, label in help_metrics.FAILURES.items()]
    return Table("failed_searches", f"Failed searches, of {result.searches} searches",
                 ("Kind", "Searches", "Most frequent queries (times)"), rows)


def articles(session: Session, period: metrics.Period, now: datetime) -> Table:
    votes = help_metrics.article_votes(session, since=period.since, until=period.until)
    comments = help_metrics.article_comments(session, since=period.since, until=period.until)
    rows: list[Sequence[object]] = [(v.slug, v.helpful, v.not_helpful, "") for v in votes]
    rows += [(slug, "yes" if helpful else "", "" if helpful else "no", comment)
             for slug, helpful, comment, _when in comments]
    return Table("articles", "Article helpfulness", ("Article", "Helpful", "Not helpful",
                                                     "Comment"), rows,
                 note="Vote totals per article first, then the latest comments with their vote.")


BUILDERS: dict[str, Callable[[Session, metrics.Period, datetime], Table]] = {
    "response_times": response_times, "sla": sla, "csat": csat, "first_contact": first_contact,
    "categories": categories, "backlog": backlog, "deflection": deflection,
    "failed_searches": failed_searches, "articles": articles,
}
