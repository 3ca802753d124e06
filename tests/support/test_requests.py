"""The shopper's requests, through HTTP: list, detail, reply, resolve and rate."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.db import utcnow
from portal.support.models import Message, RequestStatus, SatisfactionRating
from tests.factories import make_customer, make_order
from tests.factories.support import add_message, count_rows, make_request

HTMX = {"HX-Request": "true"}


def test_list_shows_only_own_requests_with_badges(client, session, login) -> None:
    customer, other = make_customer(session), make_customer(session)
    mine = make_request(session, customer, subject="My own question",
                        status=RequestStatus.AWAITING_CUSTOMER)
    theirs = make_request(session, other, subject="Someone else's question")
    login(client, customer)
    html = client.get("/requests").text
    assert mine.number in html and "Waiting for your reply" in html
    assert theirs.number not in html and "Someone else" not in html


def test_list_paginates_with_htmx_fragment(client, session, login) -> None:
    customer = make_customer(session)
    for days in range(25):
        make_request(session, customer, created_at=utcnow() - timedelta(days=days))
    login(client, customer)
    first = client.get("/requests").text
    assert "Page 1 of 2" in first and 'hx-push-url="true"' in first
    second = client.get("/requests?page=2", headers=HTMX)
    assert second.status_code == 200 and "<html" not in second.text
    assert second.text.count('href="/requests/REQ-') == 5
    assert client.get("/requests?page=banana").status_code == 200


def test_list_query_count_does_not_grow_with_history(client, session, login,
                                                     query_count) -> None:
    customer = make_customer(session)
    order = make_order(session, customer)
    make_request(session, customer, order=order)
    login(client, customer)
    with query_count() as small:
        client.get("/requests")
    for _ in range(15):
        make_request(session, customer, order=make_order(session, customer, lines=1))
    with query_count() as large:
        client.get("/requests")
    assert large.count == small.count


# /requests/<number>


def test_another_shoppers_request_is_404_everywhere(client, session, login) -> None:
    owner, intruder = make_customer(session), make_customer(session)
    request = make_request(session, owner, status=RequestStatus.RESOLVED)
    login(client, intruder)
    assert client.get(f"/requests/{request.number}").status_code == 404
    assert client.post(f"/requests/{request.number}/reply",
                       data={"body": "sneaky"}).status_code == 404
    assert client.post(f"/requests/{request.number}/resolve").status_code == 404
    assert client.post(f"/requests/{request.number}/rating",
                       data={"score": "1"}).status_code == 404
    assert client.get("/requests/REQ-NOPE00").status_code == 404
    assert count_rows(session, SatisfactionRating) == 0
    assert count_rows(session, Message) == 1


def test_detail_never_shows_internal_notes(client, session, login) -> None:
    customer = make_customer(session)
    staff = make_customer(session, role="staff", name="Sam Staff")
    request = make_request(session, customer)
    add_message(session, request, staff, "We have sent a replacement.")
    add_message(session, request, staff, "INTERNAL: shopper abused returns before",
                is_internal=True)
    login(client, customer)
    html = client.get(f"/requests/{request.number}").text
    assert "We have sent a replacement." in html and "Sam from our team" in html
    assert "INTERNAL" not in html


def test_reply_adds_message_and_reopens(client, session, login) -> None:
    customer = make_customer(session)
    request = make_request(session, customer, status=RequestStatus.AWAITING_CUSTOMER)
    login(client, customer)
    response = client.post(f"/requests/{request.number}/reply",
                           data={"body": "Here is the photo you asked for."})
    assert response.status_code == 302
    session.refresh(request)
    assert request.status == RequestStatus.OPEN
    assert "Here is the photo you asked for." in client.get(f"/requests/{request.number}").text


def test_empty_reply_is_422_fragment_over_htmx(client, session, login) -> None:
    customer = make_customer(session)
    request = make_request(session, customer)
    login(client, customer)
    response = client.post(f"/requests/{request.number}/reply", data={"body": "  "},
                           headers=HTMX)
    assert response.status_code == 422
    assert response.text.lstrip().startswith("<form") and "Write your reply first." in response.text
    full = client.post(f"/requests/{request.number}/reply", data={"body": ""})
    assert full.status_code == 422 and "<html" in full.text
    assert count_rows(session, Message) == 1


def test_reply_to_closed_request_is_refused(client, session, login) -> None:
    customer = make_customer(session)
    request = make_request(session, customer, status=RequestStatus.CLOSED)
    login(client, customer)
    response = client.post(f"/requests/{request.number}/reply", data={"body": "Hello again"})
    assert response.status_code == 422 and "Please open a new one." in response.text


def test_resolve_then_rate_once(client, session, login) -> None:
    customer = make_customer(session)
    request = make_request(session, customer)
    login(client, customer)
    before = client.get(f"/requests/{request.number}").text
    assert "My problem is solved" in before and 'id="rating-form"' not in before

    assert client.post(f"/requests/{request.number}/resolve").status_code == 302
    page = client.get(f"/requests/{request.number}").text
    assert "Resolved" in page and 'id="rating-form"' in page

    rated = client.post(f"/requests/{request.number}/rating",
                        data={"score": "5", "comment": "Fast and kind"})
    assert rated.status_code == 302
    again = client.post(f"/requests/{request.number}/rating", data={"score": "1"})
    assert again.status_code == 422 and "already rated" in again.text
    rating = session.scalars(select(SatisfactionRating)).one()
    assert (rating.score, rating.comment) == (5, "Fast and kind")
    assert "You rated our help 5 out of 5" in client.get(f"/requests/{request.number}").text


def test_rating_with_bad_score_keeps_comment(client, session, login) -> None:
    customer = make_customer(session)
    request = make_request(session, customer, status=RequestStatus.RESOLVED)
    login(client, customer)
    response = client.post(f"/requests/{request.number}/rating",
                           data={"score": "9", "comment": "Kept comment"}, headers=HTMX)
    assert response.status_code == 422
    assert "Kept comment" in response.text and 'id="score-error"' in response.text
    assert count_rows(session, SatisfactionRating) == 0


def test_detail_query_count_does_not_grow_with_messages(client, session, login,
                                                        query_count) -> None:
    customer = make_customer(session)
    staff = make_customer(session, role="staff")
    request = make_request(session, customer, order=make_order(session, customer))
    login(client, customer)
    with query_count() as small:
        client.get(f"/requests/{request.number}")
    for n in range(8):
        add_message(session, request, staff if n % 2 else customer, f"message {n}")
    with query_count() as large:
        html = client.get(f"/requests/{request.number}").text
    assert large.count == small.count
    assert "message 7" in html


def test_order_page_links_prefill_subject(client, session, login) -> None:
    customer = make_customer(session)
    order = make_order(session, customer)
    login(client, customer)
    html = client.get(f"/contact?order={order.number}&topic=delivery"
                      "&subject=The+carrier+reported+a+problem").text
    assert 'value="The carrier reported a problem"' in html
    assert '<option selected value="delivery">' in html
