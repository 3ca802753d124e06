"""The contact flow: prefilled, suggesting articles, one request per form, CSRF."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.help.models import SearchEvent
from portal.support.models import Message, SupportRequest
from tests.factories import make_customer, make_order
from tests.factories.support import count_rows, make_request

HTMX = {"HX-Request": "true"}
KEY = "0123456789abcdef0123456789abcdef"


def _form(**overrides: str) -> dict[str, str]:
    return {"category": "order", "order": "", "subject": "Broken zip on my jacket",
            "message": "The zip broke the first time I used it.", "idempotency_key": KEY,
            "search_query": "", **overrides}


# /contact


def test_contact_needs_login(client) -> None:
    response = client.get("/contact?order=NW1")
    assert response.status_code == 302
    assert "/login" in response.location and "next=" in response.location


def test_contact_prefills_from_search_order_and_topic(client, session, login) -> None:
    customer = make_customer(session)
    order = make_order(session, customer)
    login(client, customer)
    page = client.get(f"/contact?q=refund+timing&order={order.number}&topic=refund")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(rf'<option selected value="{order.number}">', html)
    assert '<option selected value="return">' in html
    assert 'name="subject"' in html and 'value="refund timing"' in html
    assert re.search(r'name="idempotency_key" type="hidden" value="[0-9a-f]{32}"', html)
    # the prefilled subject already brings suggestions, without JavaScript
    assert "When will I get my refund?" in html


def test_contact_ignores_another_shoppers_order(client, session, login) -> None:
    customer, other = make_customer(session), make_customer(session)
    foreign = make_order(session, other)
    login(client, customer)
    html = client.get(f"/contact?order={foreign.number}").get_data(as_text=True)
    assert foreign.number not in html


def test_suggestions_fragment_lists_up_to_three_articles(client, session, login) -> None:
    login(client, make_customer(session))
    response = client.get("/contact/suggestions?subject=track+my+parcel", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'href="/help/track-a-parcel"' in html
    assert html.count("<li>") <= 3
    assert "HX-Request" in response.headers["Vary"]


def test_suggestions_say_nothing_for_a_few_letters_or_no_match(client, session, login) -> None:
    login(client, make_customer(session))
    assert "<li>" not in client.get("/contact/suggestions?subject=tr", headers=HTMX).text
    assert "<li>" not in client.get("/contact/suggestions?subject=zzqx+vvbn",
                                    headers=HTMX).text


def test_submit_creates_request_mails_and_redirects(client, session, login, outbox) -> None:
    customer = make_customer(session)
    order = make_order(session, customer)
    login(client, customer)
    response = client.post("/contact", data=_form(order=order.number))

    support_request = session.scalars(select(SupportRequest)).one()
    assert response.status_code == 302
    assert response.location.endswith(f"/requests/{support_request.number}")
    assert support_request.order_id == order.id and support_request.customer_id == customer.id
    mails = outbox()
    assert len(mails) == 1 and mails[0]["To"] == customer.email
    assert support_request.number in mails[0]["Subject"]
    page = client.get(response.location)
    assert "The zip broke the first time I used it." in page.text


def test_htmx_submit_redirects_with_hx_redirect(client, session, login) -> None:
    login(client, make_customer(session))
    response = client.post("/contact", data=_form(), headers=HTMX)
    number = session.scalars(select(SupportRequest.number)).one()
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].endswith(f"/requests/{number}")


def test_double_submission_makes_one_request(client, session, login, outbox) -> None:
    login(client, make_customer(session))
    first = client.post("/contact", data=_form())
    second = client.post("/contact", data=_form())
    assert first.location == second.location
    assert count_rows(session, SupportRequest) == 1
    assert count_rows(session, Message) == 1
    assert len(outbox()) == 1


def test_bad_input_keeps_what_was_typed(client, session, login) -> None:
    login(client, make_customer(session))
    response = client.post("/contact", data=_form(category="", subject="Hi",
                                                  message="My order <b>never</b> came"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose what your question is about." in html
    assert 'id="subject-error"' in html and "Use 4 to 200 characters." in html
    assert "My order &lt;b&gt;never&lt;/b&gt; came" in html
    assert f'value="{KEY}"' in html
    assert count_rows(session, SupportRequest) == 0


def test_bad_input_over_htmx_is_the_form_fragment_with_422(client, session, login) -> None:
    login(client, make_customer(session))
    response = client.post("/contact", data=_form(message=""), headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.lstrip().startswith("<form") and "<html" not in html
    assert "Describe the problem so we can help." in html
    assert 'value="Broken zip on my jacket"' in html


def test_order_that_is_not_yours_is_refused_beside_the_field(client, session, login) -> None:
    customer, other = make_customer(session), make_customer(session)
    foreign = make_order(session, other)
    login(client, customer)
    response = client.post("/contact", data=_form(order=foreign.number))
    assert response.status_code == 422
    assert 'id="order-error"' in response.text
    assert count_rows(session, SupportRequest) == 0


def test_missing_idempotency_key_is_refused_and_replaced(client, session, login) -> None:
    login(client, make_customer(session))
    response = client.post("/contact", data=_form(idempotency_key=""))
    assert response.status_code == 422
    assert "too old to send" in response.text
    assert re.search(r'name="idempotency_key" type="hidden" value="[0-9a-f]{32}"', response.text)


def test_search_that_led_here_is_marked(client, session, login) -> None:
    customer = make_customer(session)
    event = SearchEvent(query="zip broke", normalized_query="zip broke", hit_count=0,
                        customer_id=customer.id)
    session.add(event)
    session.commit()
    login(client, customer)
    with client.session_transaction() as cookie:
        cookie["last_search_event_id"] = event.id
    client.post("/contact", data=_form(search_query="zip broke"))

    session.refresh(event)
    assert event.led_to_request is True
    assert session.scalars(select(SupportRequest.search_query)).one() == "zip broke"
    with client.session_transaction() as cookie:
        assert "last_search_event_id" not in cookie


@pytest.fixture
def csrf_on(app_config: dict[str, object]) -> None:
    app_config["WTF_CSRF_ENABLED"] = True


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]* value="([^"]+)"', html).group(1)


@pytest.mark.usefixtures("csrf_on")
def test_contact_without_csrf_token_is_400(client, session, login) -> None:
    customer = make_customer(session)
    response = client.post("/login", data={"email": customer.email, "password": "portal-demo",
                                           "csrf_token": _token(client.get("/login").text)})
    assert response.status_code == 302
    request = make_request(session, customer)

    assert client.post("/contact", data=_form()).status_code == 400
    for action in ("reply", "resolve", "rating"):
        assert client.post(f"/requests/{request.number}/{action}",
                           data={"body": "x", "score": "5"}).status_code == 400
    assert count_rows(session, SupportRequest) == 1
    assert count_rows(session, Message) == 1

    token = _token(client.get("/contact").text)
    assert client.post("/contact", data=_form(csrf_token=token)).status_code == 302
    assert count_rows(session, SupportRequest) == 2
