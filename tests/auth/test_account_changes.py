"""Changing the email (confirmed from the new address, undone from the old), editing a
saved address, and the notices that tell the owner."""

import re

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from portal.audit import AuditEvent
from portal.auth.models import Address
from portal.db import utcnow
from tests.factories import make_address, make_customer


def _body(mail):
    return mail.get_payload(decode=True).decode()


def _link(mail, path):
    body = _body(mail)
    return re.search(rf"https://portal\.example({path}/\S+)", body).group(1)


def _ask(client, new_email="new@example.com", password="portal-demo"):
    return client.post("/account/email",
                       data={"email-new_email": new_email, "email-current_password": password})


def test_email_change_journey_with_undo(client, session, login, outbox, app):
    customer = make_customer(session, email="old@example.com", name="Ada Lovelace")
    login(client, customer)
    response = _ask(client, "New@Example.com")
    assert response.location == "/account"
    [confirm] = outbox()
    assert confirm["To"] == "new@example.com"
    session.refresh(customer)
    assert customer.email == "old@example.com"  # nothing changes before the link
    link = _link(confirm, "/account/email/confirm")
    assert "Confirm your new email" in client.get(link).get_data(as_text=True)
    session.refresh(customer)
    assert customer.email == "old@example.com"  # opening the link changes nothing yet
    assert client.post(link).location == "/account"
    session.refresh(customer)
    assert customer.email == "new@example.com"
    notice = outbox()[-1]
    assert notice["To"] == "old@example.com" and "now uses new@example.com" in _body(notice)
    assert "already been used" in client.post(link, follow_redirects=True).get_data(as_text=True)

    stranger = app.test_client()  # the undo link works without signing in
    undo = _link(notice, "/account/email/undo")
    assert "Put your email back" in stranger.get(undo).get_data(as_text=True)
    assert client.get("/account").status_code == 200
    assert stranger.post(undo).location == "/password/reset"
    session.refresh(customer)
    assert customer.email == "old@example.com"
    assert client.get("/account").status_code == 302  # whoever changed it is signed out
    assert stranger.post(undo, follow_redirects=True).status_code == 200
    session.refresh(customer)
    assert customer.email == "old@example.com"
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["email_changed", "email_change_undone"]


def test_email_change_needs_the_current_password(client, session, login, outbox):
    login(client, make_customer(session, email="old@example.com"))
    response = _ask(client, password="wrong-password")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "That is not your current password." in page and 'value="new@example.com"' in page
    assert outbox() == []


def test_email_change_bad_input_is_explained(client, session, login):
    login(client, make_customer(session, email="old@example.com"))
    for typed, message in [("not-an-email", "Invalid email address."),
                           ("OLD@example.com", "That is already the email of your account.")]:
        response = _ask(client, typed)
        assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_a_taken_email_is_told_to_its_owner_not_on_the_page(client, session, login, outbox):
    make_customer(session, email="taken@example.com")
    login(client, make_customer(session, email="old@example.com"))
    response = _ask(client, "taken@example.com")
    assert response.location == "/account"
    [mail] = outbox()
    assert mail["To"] == "taken@example.com" and "already uses it" in _body(mail)


@pytest.mark.commits  # days pass: the session's last use is written on its own connection
def test_a_tampered_or_expired_confirm_link_is_refused(client, session, login, outbox):
    customer = make_customer(session, email="old@example.com")
    login(client, customer)
    with freeze_time(utcnow()) as frozen:
        _ask(client)
        link = _link(outbox()[0], "/account/email/confirm")
        tampered = link[:-4] + ("abcd" if not link.endswith("abcd") else "wxyz")
        page = client.post(tampered, follow_redirects=True).get_data(as_text=True)
        assert "This link is not valid." in page
        frozen.tick(24 * 3600 + 1)
        page = client.post(link, follow_redirects=True).get_data(as_text=True)
        assert "This link has expired." in page
    session.refresh(customer)
    assert customer.email == "old@example.com"


def test_a_confirm_link_fails_when_the_address_was_taken_meanwhile(client, session, login,
                                                                   outbox):
    customer = make_customer(session, email="old@example.com")
    login(client, customer)
    _ask(client)
    make_customer(session, email="new@example.com")
    page = client.post(_link(outbox()[0], "/account/email/confirm"), follow_redirects=True)
    assert "Another account uses that email now" in page.get_data(as_text=True)
    session.refresh(customer)
    assert customer.email == "old@example.com"


def test_password_change_sends_a_notice(client, session, login, outbox):
    login(client, make_customer(session, email="ada@example.com"))
    client.post("/account/password", data={"current_password": "portal-demo",
                                           "password": "a-new-password",
                                           "confirm": "a-new-password"})
    [mail] = outbox()
    assert mail["To"] == "ada@example.com" and mail["Subject"] == "Your password was changed"


def test_edit_an_address(client, session, login):
    customer = make_customer(session)
    address = make_address(session, customer, label="Home", city="Springfield")
    login(client, customer)
    page = client.get(f"/account/addresses/{address.id}/edit").get_data(as_text=True)
    assert 'value="Springfield"' in page
    data = {"label": "Home", "name": "Ada Lovelace", "line1": "2 Side Street",
            "city": "Shelbyville", "postal_code": "54321", "country": "GB"}
    response = client.post(f"/account/addresses/{address.id}/edit", data=data)
    assert response.location == "/account#addresses"
    session.refresh(address)
    assert (address.line1, address.city, address.country) == ("2 Side Street", "Shelbyville", "GB")
    assert "2 Side Street" in client.get("/account").get_data(as_text=True)


def test_edit_address_bad_input_keeps_what_was_typed(client, session, login):
    customer = make_customer(session)
    address = make_address(session, customer)
    login(client, customer)
    response = client.post(f"/account/addresses/{address.id}/edit",
                           data={"name": "Ada", "line1": "", "city": "Typed City",
                                 "postal_code": "1" * 30, "country": "XX"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Typed City"' in page and "This field is required." in page
    session.refresh(address)
    assert address.city == "Springfield"


def test_making_an_address_the_default_moves_the_badge(client, session, login):
    customer = make_customer(session)
    first = make_address(session, customer)
    second = make_address(session, customer, label="Work")
    second.is_default = False
    session.commit()
    login(client, customer)
    data = {"label": "Work", "name": "Ada", "line1": "3 Road", "city": "Town",
            "postal_code": "111", "country": "US", "is_default": "y"}
    client.post(f"/account/addresses/{second.id}/edit", data=data)
    defaults = session.scalars(select(Address.id).where(Address.is_default)
                               .execution_options(populate_existing=True)).all()
    assert defaults == [second.id] and first.id != second.id


def test_another_shoppers_address_cannot_be_edited(client, session, login):
    owner = make_customer(session)
    address = make_address(session, owner)
    login(client, make_customer(session))
    assert client.get(f"/account/addresses/{address.id}/edit").status_code == 404
    data = {"label": "Mine", "name": "X", "line1": "X", "city": "X", "postal_code": "1",
            "country": "US"}
    assert client.post(f"/account/addresses/{address.id}/edit", data=data).status_code == 404
    session.refresh(address)
    assert address.label == "Home"
    assert client.get("/account/addresses/99999999999/edit").status_code == 404


def test_a_sign_in_from_a_new_device_is_notified(client, session, app, outbox):
    make_customer(session, email="ada@example.com")
    firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0"
    iphone = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
              "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
    data = {"email": "ada@example.com", "password": "portal-demo"}
    app.test_client().post("/login", data=data, headers={"User-Agent": firefox})
    assert outbox() == []  # the very first sign-in is no news
    app.test_client().post("/login", data=data, headers={"User-Agent": firefox})
    assert outbox() == []  # a device seen before
    app.test_client().post("/login", data=data, headers={"User-Agent": iphone})
    [mail] = outbox()
    assert mail["Subject"] == "New sign-in to your account"
    assert "Mobile Safari on iOS" in _body(mail)
