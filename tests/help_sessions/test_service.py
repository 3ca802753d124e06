"""Help sessions: continued while active, ended by a deflection or a request, summarised."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.help_sessions import service
from portal.help_sessions.models import HelpEventKind, HelpSession, HelpSessionEvent
from tests.factories import make_customer
from tests.factories.support import make_request

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _start(session, key="customer:1", customer_id=None, current_id=None, now=NOW):
    return service.continue_session(session, visitor_key=key, customer_id=customer_id,
                                    current_id=current_id, now=now)


def test_activity_within_half_an_hour_continues_the_session(session) -> None:
    first = _start(session)
    again = _start(session, current_id=first.id, now=NOW + timedelta(minutes=29))
    later = _start(session, current_id=first.id, now=NOW + timedelta(minutes=60))
    assert again.id == first.id
    assert later.id != first.id


def test_another_visitors_session_id_is_not_continued(session) -> None:
    mine = _start(session, key="visitor:aaaa")
    theirs = _start(session, key="visitor:bbbb", current_id=mine.id)
    assert theirs.id != mine.id


def test_typing_refinements_are_one_search(session) -> None:
    help_session = _start(session)
    for offset, query in enumerate(["lam", "lamp la", "lamp late"]):
        service.record_search(session, help_session, query=query,
                              now=NOW + timedelta(seconds=offset))
    service.record_search(session, help_session, query="refund", now=NOW + timedelta(seconds=5))
    session.flush()
    queries = [e.query for e in session.query(HelpSessionEvent).order_by(HelpSessionEvent.id)]
    assert queries == ["lamp late", "refund"]
    assert help_session.search_count == 2


def test_deflection_ends_the_session(session) -> None:
    help_session = _start(session)
    service.record_deflection(session, help_session, query="lamp late", slug="delayed-shipment",
                              now=NOW)
    assert help_session.deflected_at == NOW
    assert _start(session, current_id=help_session.id, now=NOW).id != help_session.id


def test_a_request_counts_against_the_days_sessions_of_that_shopper(session) -> None:
    shopper, other = make_customer(session), make_customer(session)
    support_request = make_request(session, shopper)
    yesterday = _start(session, key=f"customer:{shopper.id}", customer_id=shopper.id,
                       now=NOW - timedelta(hours=20))
    too_old = _start(session, key=f"customer:{shopper.id}", customer_id=shopper.id,
                     now=NOW - timedelta(hours=30))
    someone_else = _start(session, key=f"customer:{other.id}", customer_id=other.id,
                          now=NOW - timedelta(hours=1))
    writing = _start(session, key=f"customer:{shopper.id}", customer_id=shopper.id, now=NOW)
    service.record_request(session, writing, request_id=support_request.id,
                           customer_id=shopper.id, now=NOW)
    session.commit()
    session.expire_all()
    assert writing.request_id == support_request.id
    assert yesterday.request_opened_at == NOW
    assert too_old.request_opened_at is None
    assert someone_else.request_opened_at is None


def test_trail_lists_what_was_searched_and_read_before_the_request(session) -> None:
    shopper = make_customer(session)
    support_request = make_request(session, shopper)
    help_session = _start(session, customer_id=shopper.id)
    service.record_search(session, help_session, query="lamp broken", now=NOW)
    service.record_article_view(session, help_session, slug="damaged-or-defective-item", now=NOW)
    service.record_not_helped(session, help_session, query="lamp broken", now=NOW)
    service.record_request(session, help_session, request_id=support_request.id,
                           customer_id=shopper.id, now=NOW)
    session.commit()
    trail = service.trail_for_request(session, request_id=support_request.id)
    assert [(e.kind, e.query or e.slug) for e in trail] == [
        (HelpEventKind.SEARCH, "lamp broken"),
        (HelpEventKind.ARTICLE_VIEW, "damaged-or-defective-item"),
        (HelpEventKind.NOT_HELPED, "lamp broken"),
    ]


def test_summary_counts_deflections_and_requests(session) -> None:
    shopper = make_customer(session)
    support_request = make_request(session, shopper)
    searched = _start(session, key="visitor:a")
    service.record_search(session, searched, query="refund", now=NOW)
    answered = _start(session, key="visitor:b")
    service.record_article_view(session, answered, slug="refund-timing", now=NOW)
    service.record_deflection(session, answered, query=None, slug="refund-timing", now=NOW)
    _start(session, key="visitor:c")  # looked at a page, tried nothing
    wrote = _start(session, key=f"customer:{shopper.id}", customer_id=shopper.id)
    service.record_search(session, wrote, query="broken", now=NOW)
    service.record_request(session, wrote, request_id=support_request.id,
                           customer_id=shopper.id, now=NOW)
    _start(session, key="visitor:d", now=NOW - timedelta(days=40))  # outside the period
    session.commit()
    summary = service.deflection_summary(session, since=NOW - timedelta(days=30),
                                         until=NOW + timedelta(hours=1))
    assert (summary.sessions, summary.deflected, summary.requested, summary.said_answered) == (
        4, 2, 1, 1)
    assert summary.share(summary.deflected) == 0.5
    assert session.query(HelpSession).count() == 5
