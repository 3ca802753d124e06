"""Help center pages over HTTP: full pages, htmx fragments, drafts, feedback, search log."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.auth.models import Role
from portal.help import service
from portal.help.models import ArticleFeedback, ArticleView, SearchEvent
from tests.factories import make_customer

HTMX = {"HX-Request": "true"}


@pytest.fixture
def session(app):
    """A database session *without* a pushed app context: the shared `session` fixture keeps
    one pushed for the whole test, so `g` (and Flask-Login's user) leaks between requests."""
    db = app.extensions["portal_sessionmaker"]()
    yield db
    db.close()


def test_help_home_lists_categories_and_popular_articles(client, session) -> None:
    client.get("/help/track-my-order")
    page = client.get("/help").get_data(as_text=True)
    assert "Browse by topic" in page and "Returns &amp; refunds" in page
    assert "Most viewed" in page and 'href="/help/track-my-order"' in page
    assert session.scalar(select(ArticleView.view_count)) == 1


def test_search_page_full_and_htmx_fragment(client) -> None:
    full = client.get("/help/search?q=where+is+my+parcel")
    assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
    assert "HX-Request" in full.headers["Vary"]
    fragment = client.get("/help/search?q=where+is+my+parcel", headers=HTMX)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "help/track-my-order?sid=" in body
    assert "<mark>" in body


def test_did_you_mean_and_no_answer_offers_contact(client) -> None:
    body = client.get("/help/search?q=shiping+cost").get_data(as_text=True)
    assert "Did you mean" in body and "shipping cost" in body
    body = client.get("/help/search?q=bitcoin+mining+rig").get_data(as_text=True)
    assert "couldn't find a good answer" in body
    assert "/contact?q=bitcoin+mining+rig" in body


def test_category_browse_and_filter(client) -> None:
    body = client.get("/help/search?category=billing").get_data(as_text=True)
    assert "Gift cards" in body and "Our return policy" not in body
    body = client.get("/help/search?q=refund&category=billing").get_data(as_text=True)
    assert "/help/refund-timing" not in body


@pytest.mark.parametrize("url", [
    "/help/search?q=" + "x" * 5000, "/help/search?q=%00%ff<script>", "/help/search?category=%00",
    "/help/search?q=a&category=../../etc", "/help/no-such-article", "/help/..%2f..%2fetc",
    "/help/search?q=*:*+OR+(", "/help/track-my-order?sid=abc",
])
def test_bad_input_never_fails(client, url: str) -> None:
    assert client.get(url).status_code in {200, 400, 404}


def test_long_articles_get_a_table_of_contents(client) -> None:
    body = client.get("/help/track-my-order").get_data(as_text=True)
    assert 'aria-label="On this page"' in body
    assert '<a href="#without-an-account">Without an account</a>' in body
    assert '<h2 id="without-an-account">' in body


def test_article_page(client) -> None:
    body = client.get("/help/return-policy").get_data(as_text=True)
    assert "<h1>Our return policy</h1>" in body
    assert 'aria-label="breadcrumb"' in body and "Returns &amp; refunds" in body
    assert "30 days" in body and "{{" not in body
    assert "Last updated" in body and "Related articles" in body
    assert "Was this article helpful?" in body


def test_drafts_only_for_staff(app, client, session, login) -> None:
    assert client.get("/help/holiday-return-extension").status_code == 404
    shopper = make_customer(session)
    login(client, shopper)
    assert client.get("/help/holiday-return-extension").status_code == 404
    staff_client = app.test_client()
    login(staff_client, make_customer(session, role=Role.STAFF))
    page = staff_client.get("/help/holiday-return-extension")
    assert page.status_code == 200 and "Draft preview" in page.get_data(as_text=True)
    console = staff_client.get("/staff/content").get_data(as_text=True)
    assert "holiday-return-extension" in console and "Every file is valid" in console
    assert client.get("/staff/content").status_code == 404


def test_feedback_one_vote_per_visitor(client, session) -> None:
    first = client.post("/help/cookies/feedback", data={"helpful": "yes"})
    assert first.status_code == 302 and "help_visitor=" in first.headers["Set-Cookie"]
    again = client.post("/help/cookies/feedback", data={"helpful": "no", "comment": "Unclear"},
                        headers=HTMX)
    assert again.status_code == 200 and "Thanks for your feedback" in again.get_data(as_text=True)
    votes = session.scalars(select(ArticleFeedback)).all()
    assert [(v.slug, v.is_helpful, v.comment) for v in votes] == [("cookies", False, "Unclear")]
    other_visitor = client.application.test_client()
    other_visitor.post("/help/cookies/feedback", data={"helpful": "yes"})
    assert session.scalar(select(func.count()).select_from(ArticleFeedback)) == 2


def test_feedback_for_a_signed_in_shopper_is_keyed_by_account(client, session, login) -> None:
    shopper = make_customer(session)
    login(client, shopper)
    client.post("/help/cookies/feedback", data={"helpful": "yes"})
    assert session.scalar(select(ArticleFeedback.visitor_key)) == f"customer:{shopper.id}"


def test_invalid_feedback_keeps_the_page(client) -> None:
    response = client.post("/help/cookies/feedback", data={"comment": "x" * 2000}, headers=HTMX)
    assert response.status_code == 422
    assert "Choose yes or no" in response.get_data(as_text=True)
    assert client.post("/help/nope/feedback", data={"helpful": "yes"}).status_code == 404


def test_feedback_without_csrf_token_is_400(app, client) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/help/cookies/feedback", data={"helpful": "yes"})
    assert response.status_code == 400


def test_searches_are_logged_with_clicks_and_requests(client, session) -> None:
    client.get("/help/search?q=refu", headers=HTMX)
    client.get("/help/search?q=refund", headers=HTMX)  # typing on: the same search
    client.get("/help/search?q=bitcoin+mining")
    events = session.scalars(select(SearchEvent).order_by(SearchEvent.id)).all()
    assert [(e.query, e.hit_count > 0) for e in events] == [
        ("refund", True), ("bitcoin mining", False)]
    client.get("/help/search?q=refund+status")
    with client.session_transaction() as flask_session:
        event_id = flask_session["last_search_event_id"]
    client.get(f"/help/refund-timing?sid={event_id}")
    assert service.mark_search_led_to_request(session, search_event_id=event_id)
    session.commit()
    event = session.get(SearchEvent, event_id)
    session.refresh(event)
    assert (event.clicked_slug, event.led_to_request) == ("refund-timing", True)
    assert not service.mark_search_led_to_request(session, search_event_id=10**9)
