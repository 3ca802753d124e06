"""Metrics against figures worked out by hand on a small store, and their query counts."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from portal.auth.models import Customer
from portal.help.models import ArticleFeedback, SearchEvent
from portal.help_sessions.models import HelpSession
from portal.support import help_metrics, metrics
from portal.support.models import (
    Message,
    RequestPriority,
    RequestStatus,
    SatisfactionRating,
    SupportRequest,
)

HOUR = timedelta(hours=1)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WEEK = metrics.Period(since=datetime(2026, 11, 2, tzinfo=UTC),
                      until=datetime(2026, 11, 9, tzinfo=UTC))


def at(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def _request(session: Session, shopper: Customer, staff: Customer, number: str, *,
             created: datetime, category: str, status: RequestStatus,
             first: float | None = None, resolved: float | None = None,
             first_due: float = 2, resolve_due: float = 48, shopper_messages: int = 1,
             staff_replies: int = 0, notes: int = 0, rating: tuple[int, str | None] | None = None,
             ) -> SupportRequest:
    """A request with hand-set times (hours after `created`) and its messages."""
    request = SupportRequest(
        number=number, customer_id=shopper.id, subject=number, category=category, status=status,
        priority=RequestPriority.NORMAL, idempotency_key=number, created_at=created,
        first_response_at=created + first * HOUR if first is not None else None,
        resolved_at=created + resolved * HOUR if resolved is not None else None,
        first_response_due_at=created + first_due * HOUR,
        resolution_due_at=created + resolve_due * HOUR)
    session.add(request)
    session.flush()
    for author, count, internal in ((shopper, shopper_messages, False),
                                    (staff, staff_replies, False), (staff, notes, True)):
        for _ in range(count):
            session.add(Message(request_id=request.id, author_id=author.id, body="…",
                                is_internal=internal, created_at=created))
    if rating:
        session.add(SatisfactionRating(request_id=request.id, score=rating[0],
                                       comment=rating[1], created_at=created + 40 * HOUR))
    return request


@pytest.fixture
def store(session: Session, staff: Customer, shopper: Customer) -> None:
    done, waiting = RequestStatus.RESOLVED, RequestStatus.AWAITING_CUSTOMER
    _request(session, shopper, staff, "R1", created=at(2, 10), category="delivery", status=done,
             first=1, resolved=5, resolve_due=8, staff_replies=1, rating=(5, "Quick"))
    _request(session, shopper, staff, "R2", created=at(2, 12), category="delivery", status=done,
             first=3, resolved=30, shopper_messages=2, staff_replies=2, rating=(2, "Slow"))
    _request(session, shopper, staff, "R3", created=at(3, 9), category="billing", status=waiting,
             first=2, first_due=4, resolve_due=24, staff_replies=1)
    _request(session, shopper, staff, "R4", created=at(4, 9), category="billing",
             status=RequestStatus.OPEN, first_due=1, resolve_due=8)
    _request(session, shopper, staff, "R5", created=at(5, 9), category="return", status=done,
             first=10, resolved=20, first_due=8, staff_replies=1, notes=1, rating=(4, None))
    # Before the week: one still open, one resolved during it.
    _request(session, shopper, staff, "R6", created=at(20, 9, month=10), category="other",
             status=RequestStatus.OPEN)
    _request(session, shopper, staff, "R7", created=at(21, 9, month=10), category="other",
             status=done, first=1, resolved=(at(3, 10) - at(21, 9, month=10)) / HOUR)
    for query, hits, clicked, requested, times in (
            ("refund status", 0, None, False, 2), ("where parcel", 3, None, False, 1),
            ("cancel order", 2, "cancel-an-order", False, 1), ("invoice copy", 1, None, True, 1)):
        for _ in range(times):
            session.add(SearchEvent(query=query, normalized_query=query, hit_count=hits,
                                    clicked_slug=clicked, led_to_request=requested,
                                    created_at=at(3, 8)))
    session.add(SearchEvent(query="old", normalized_query="old", hit_count=0,
                            created_at=at(1, 8)))
    for key, searches, requested in (("a", 1, None), ("b", 2, at(4, 9)), ("c", 0, None)):
        session.add(HelpSession(visitor_key=key, started_at=at(4, 8), last_seen_at=at(4, 8),
                                search_count=searches, request_opened_at=requested))
    session.add_all([
        ArticleFeedback(slug="track-a-parcel", visitor_key="v1", is_helpful=True,
                        created_at=at(5, 8)),
        ArticleFeedback(slug="track-a-parcel", visitor_key="v2", is_helpful=False,
                        comment="Too vague", created_at=at(6, 8)),
        ArticleFeedback(slug="start-a-return", visitor_key="v1", is_helpful=True,
                        created_at=at(6, 9)),
    ])
    session.commit()


@pytest.mark.usefixtures("store")
def test_response_and_resolution_times(session: Session) -> None:
    # First responses 1, 2, 3, 10 h: median is rank 2 (2 h), p90 rank ceil(3.6) = 4 (10 h).
    assert metrics.first_response_times(session, WEEK) == metrics.Durations(4, 7200, 36000)
    # Resolutions 5, 20, 30 h: median rank 2 (20 h), p90 rank 3 (30 h).
    assert metrics.resolution_times(session, WEEK) == metrics.Durations(3, 72000, 108000)
    delivery = metrics.Period(WEEK.since, WEEK.until, category="delivery")
    assert metrics.first_response_times(session, delivery) == metrics.Durations(2, 3600, 10800)


@pytest.mark.usefixtures("store")
def test_sla_csat_and_first_contact(session: Session) -> None:
    first, resolution = metrics.sla_attainment(session, WEEK, now=NOW)
    assert (first.met, first.measured) == (2, 5)  # R1, R3 on time; R2, R5 late; R4 unanswered
    assert (resolution.met, resolution.measured) == (3, 5)  # R3, R4 overdue and unresolved
    csat = metrics.satisfaction(session, WEEK)
    assert (csat.ratings, csat.satisfied) == (3, 2)
    assert [(number, score, comment) for number, score, comment, _ in csat.comments] == [
        ("R2", 2, "Slow"), ("R1", 5, "Quick")]
    fcr = metrics.first_contact_resolution(session, WEEK)
    assert (fcr.resolved, fcr.first_contact) == (3, 2)  # R2 took two rounds


@pytest.mark.usefixtures("store")
def test_categories_and_backlog(session: Session) -> None:
    assert metrics.requests_per_category_week(session, WEEK) == [
        (date(2026, 11, 2), "billing", 2), (date(2026, 11, 2), "delivery", 2),
        (date(2026, 11, 2), "return", 1)]
    # Start: R6 and R7 open. Mon +R1 +R2 -R1 = 3; Tue +R3 -R7 -R2 = 2; Wed +R4 = 3;
    # Thu +R5 = 4; Fri -R5 = 3; then flat.
    assert [level for _, level in metrics.backlog(session, WEEK)] == [3, 2, 3, 4, 3, 3, 3]


@pytest.mark.usefixtures("store")
def test_self_service_figures(session: Session) -> None:
    failed = help_metrics.failed_searches(session, since=WEEK.since, until=WEEK.until)
    assert failed.searches == 5
    assert failed.totals == {"no_results": 2, "no_click": 1, "then_request": 1}
    assert failed.examples["no_results"] == [("refund status", 2)]
    assert failed.examples["then_request"] == [("invoice copy", 1)]
    votes = help_metrics.article_votes(session, since=WEEK.since, until=WEEK.until)
    assert [(v.slug, v.helpful, v.not_helpful) for v in votes] == [
        ("track-a-parcel", 1, 1), ("start-a-return", 1, 0)]
    assert [c[:3] for c in help_metrics.article_comments(
        session, since=WEEK.since, until=WEEK.until)] == [("track-a-parcel", False, "Too vague")]


@pytest.mark.usefixtures("store")
def test_metrics_page_tables_csv_and_bounded_queries(client, session, login, staff, shopper,
                                                     query_count) -> None:
    login(client, staff)
    args = "since=2026-11-02&until=2026-11-08"
    with query_count() as small:
        html = client.get(f"/staff/metrics?{args}").text
    assert "CSAT): 67% rated 4 or 5 of 3 ratings" in html
    assert 'data-chart="line"' in html and "vendor/chart.umd.min.js" in html
    assert "<td>1 of" not in html
    deflection = html.split('id="metric-deflection"')[1].split("</table>")[0]
    assert "<th scope=\"row\">3</th><td>1</td><td>33%</td>" in deflection
    for day in range(9, 16):  # a busier store: same number of queries
        _request(session, shopper, staff, f"X{day}", created=at(day - 5, 11),
                 category="product", status=RequestStatus.RESOLVED, first=1, resolved=2,
                 staff_replies=1, rating=(5, "Fine"))
    session.commit()
    with query_count() as large:
        client.get(f"/staff/metrics?{args}")
    assert large.count == small.count

    response = client.get(f"/staff/metrics/response_times.csv?{args}&category=delivery")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [["Measure", "Median", "90th percentile", "Requests"],
                    ["First response", "1.0", "3.0", "2"], ["Resolution", "5.0", "30.0", "2"]]
    assert client.get("/staff/metrics/nothing.csv").status_code == 404


def test_bad_ranges_are_explained_and_keep_the_default(client, login, staff) -> None:
    login(client, staff)
    response = client.get("/staff/metrics?since=2026-12-31&until=2026-01-01&category=zzz")
    assert response.status_code == 422
    assert "Choose a start before the end." in response.text
    response = client.get("/staff/metrics?since=2020-01-01&until=2026-01-01")
    assert "at most 366 days" in response.text
    assert client.get("/staff/metrics?since=yesterday").status_code == 422


def test_shoppers_cannot_see_metrics(client, login, shopper) -> None:
    login(client, shopper)
    assert client.get("/staff/metrics").status_code == 404
    assert client.get("/staff/metrics/backlog.csv").status_code == 404
