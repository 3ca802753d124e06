"""Tracking without an account: both facts needed, no hint about which one was wrong."""

from __future__ import annotations

import re

import pytest

from portal.orders.models import ShipmentStatus
from tests.factories import make_customer, make_order
from tests.factories.parcels import make_shipment


@pytest.fixture
def parcel(session):
    customer = make_customer(session, email="Track.Me@example.com")
    order = make_order(session, customer)
    return make_shipment(session, order, status=ShipmentStatus.EXCEPTION, events=2,
                         tracking_number="1ZPUBLIC01")


def _result(html: str) -> str:
    """The answer region, with the per-response CSRF token removed."""
    return re.sub(r'value="[^"]*"', "", html.split('id="track-result"', 1)[1])


def test_form_shown_without_login(client):
    response = client.get("/track")
    assert response.status_code == 200
    assert "Order number" in response.get_data(as_text=True)


def test_match_shows_tracking_only(client, session, parcel):
    order = parcel.order
    response = client.post("/track", data={"number": f" {order.number.lower()} ",
                                           "email": "track.me@EXAMPLE.com"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1ZPUBLIC01" in html and "Scan 2" in html
    assert "The carrier reported a delivery problem" in html
    assert "Main Street" not in html and "Springfield" not in html  # no address
    assert "$" not in _result(html)  # no prices
    assert "/contact" not in _result(html)


def test_wrong_email_and_unknown_number_answer_the_same(client, session, parcel):
    wrong_email = client.post("/track", data={"number": parcel.order.number,
                                              "email": "someone@example.com"})
    no_order = client.post("/track", data={"number": "NW999999",
                                           "email": "track.me@example.com"})
    assert wrong_email.status_code == no_order.status_code == 200
    assert _result(wrong_email.get_data(as_text=True)) == _result(no_order.get_data(as_text=True))
    assert "We could not find a parcel" in wrong_email.get_data(as_text=True)


def test_bad_input_is_422_with_messages(client):
    response = client.post("/track", data={"number": "<script>", "email": "nope"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "letters and digits" in html and "does not look like an email" in html
    fragment = client.post("/track", data={"number": "", "email": ""},
                           headers={"HX-Request": "true"})
    assert fragment.status_code == 422
    assert "<html" not in fragment.get_data(as_text=True)


def test_unshipped_order_says_so(client, session):
    customer = make_customer(session, email="wait@example.com")
    order = make_order(session, customer)
    html = client.post("/track", data={"number": order.number,
                                       "email": "wait@example.com"}).get_data(as_text=True)
    assert "being prepared" in html


def test_lookup_is_rate_limited(app, client):
    app.config["TRACK_RATE_LIMIT"] = "3 per minute"
    codes = [client.post("/track", data={"number": f"NW{n}", "email": "a@example.com"})
             .status_code for n in range(5)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]
    assert client.get("/track").status_code == 200  # the form itself stays reachable


def test_lookup_without_csrf_token_is_400(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/track", data={"number": "NW1", "email": "a@example.com"}
                       ).status_code == 400
