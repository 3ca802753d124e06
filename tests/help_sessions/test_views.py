"""Help sessions recorded by the pages: searches, views, "this answered it", requests."""

from __future__ import annotations

from sqlalchemy import select

from portal.help_sessions.models import HelpEventKind, HelpSession, HelpSessionEvent
from portal.support.models import SupportRequest
from tests.factories import make_customer

KEY = "0123456789abcdef0123456789abcdef"


def _events(session) -> list[tuple[HelpEventKind, str | None, str | None]]:
    session.expire_all()
    rows = session.scalars(select(HelpSessionEvent).order_by(HelpSessionEvent.id))
    return [(e.kind, e.query, e.slug) for e in rows]


def test_anonymous_search_and_article_view_are_one_session(client, session) -> None:
    client.get("/help/search?q=refund")
    client.get("/help/refund-timing")
    assert _events(session) == [(HelpEventKind.SEARCH, "refund", None),
                                (HelpEventKind.ARTICLE_VIEW, None, "refund-timing")]
    only = session.scalars(select(HelpSession)).one()
    assert (only.search_count, only.article_view_count) == (1, 1)
    assert only.visitor_key.startswith("visitor:")


def test_this_answered_my_question_records_a_deflection(client, session, login) -> None:
    login(client, make_customer(session))
    client.get("/contact/suggestions?subject=when+is+my+refund")
    response = client.post("/contact/answered", data={
        "slug": "refund-timing", "suggested_for": "when is my refund"})
    assert response.status_code == 302 and "/help/refund-timing?answered=1" in response.location
    client.get(response.location)  # the article shown then starts no new session
    assert _events(session)[-1] == (HelpEventKind.DEFLECTION, "when is my refund",
                                    "refund-timing")
    assert session.scalars(select(HelpSession)).one().deflected_at is not None
    assert session.scalar(select(SupportRequest)) is None


def test_answered_for_an_unknown_article_is_refused(client, session) -> None:
    assert client.post("/contact/answered", data={"slug": "no-such-article"}).status_code == 400
    assert _events(session) == []


def test_writing_anyway_records_not_helped_and_links_the_request(client, session,
                                                                 login) -> None:
    login(client, make_customer(session))
    client.get("/help/search?q=refund")
    client.post("/contact", data={
        "category": "return", "order": "", "subject": "Refund not here",
        "message": "My refund has not arrived after two weeks.", "idempotency_key": KEY,
        "search_query": "", "suggested_for": "Refund not here"})
    opened = session.scalar(select(SupportRequest))
    assert [kind for kind, _q, _s in _events(session)] == [
        HelpEventKind.SEARCH, HelpEventKind.NOT_HELPED, HelpEventKind.REQUEST]
    help_session = session.scalars(select(HelpSession)).one()
    assert help_session.request_id == opened.id
    assert help_session.request_opened_at is not None


def test_answered_needs_csrf(app, client, session) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/contact/answered", data={"slug": "refund-timing"}).status_code == 400


def test_summary_command_prints_the_shares(app, client, session) -> None:
    client.get("/help/search?q=refund")
    result = app.test_cli_runner().invoke(args=["help-sessions", "summary", "--days", "1"])
    assert result.exit_code == 0, result.output
    assert "help sessions started in the last 1 days: 1" in result.output
    assert "(deflected): 1 (100.0%)" in result.output


def test_staff_see_what_was_searched_and_read_before_the_request(app, client, session,
                                                                 login) -> None:
    from portal.auth.models import Role

    login(client, make_customer(session))
    client.get("/help/search?q=refund")
    client.get("/help/refund-timing")
    client.post("/contact", data={
        "category": "return", "order": "", "subject": "Refund not here",
        "message": "My refund has not arrived after two weeks.", "idempotency_key": KEY,
        "search_query": ""})
    number = session.scalar(select(SupportRequest.number))
    console = app.test_client()
    login(console, make_customer(session, role=Role.STAFF))
    page = console.get(f"/staff/requests/{number}").text
    assert "searched “refund”" in page
    assert 'href="/help/refund-timing">refund-timing</a>' in page
