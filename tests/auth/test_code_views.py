"""Signing in with an emailed code, and opening the account a store order made."""

import re

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from portal.auth.models import Customer
from portal.db import utcnow
from tests.factories import make_customer


def _without_tokens(page, email):
    """The page as a person reads it: the address typed and CSRF tokens set aside."""
    page = page.replace(email, "EMAIL")
    return re.sub(r'(value="|"X-CSRFToken": ")[^"]*"', "", page)


def _body(mail):
    return mail.get_payload(decode=True).decode()


def _code(mail):
    return re.search(r"\b(\d{6})\b", mail["Subject"]).group(1)


def _link(mail):
    return re.search(r"https://portal\.example(/login/link/\S+)", _body(mail)).group(1)


def test_code_sign_in_journey(client, session, outbox):
    make_customer(session, email="ada@example.com", name="Ada Lovelace")
    assert "Email me a sign-in code instead" in client.get("/login").get_data(as_text=True)
    response = client.post("/login/code", data={"email": "Ada@Example.com"})
    assert response.location == "/login/code/enter"
    [mail] = outbox()
    assert mail["To"] == "ada@example.com"
    response = client.post("/login/code/enter", data={"code": _code(mail)})
    assert response.status_code == 302 and response.location == "/"
    assert "Hello, Ada" in client.get("/").get_data(as_text=True)


def test_the_same_answer_whether_or_not_the_email_has_an_account(client, session, outbox):
    make_customer(session, email="ada@example.com")
    pages = []
    for email in ("ada@example.com", "nobody@example.com"):
        with client.session_transaction() as cookie:
            cookie.clear()
        page = client.post("/login/code", data={"email": email}, follow_redirects=True)
        pages.append(_without_tokens(page.get_data(as_text=True), email))
        wrong = client.post("/login/code/enter", data={"code": "000000"})
        pages.append(_without_tokens(wrong.get_data(as_text=True), email))
    assert pages[0] == pages[2] and pages[1] == pages[3]
    assert [mail["To"] for mail in outbox()] == ["ada@example.com"]


def test_a_wrong_code_is_explained_and_the_fifth_sends_you_back(client, session, outbox):
    make_customer(session, email="ada@example.com")
    client.post("/login/code", data={"email": "ada@example.com"})
    code = _code(outbox()[0])
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(4):
        response = client.post("/login/code/enter", data={"code": wrong})
        assert response.status_code == 422
        assert "That code does not work" in response.get_data(as_text=True)
    response = client.post("/login/code/enter", data={"code": wrong})
    assert response.location == "/login/code"
    client.post("/login/code", data={"email": "ada@example.com"})
    newest = _code(outbox()[-1])
    if newest != code:  # the used-up code fails even when typed right
        assert client.post("/login/code/enter", data={"code": code}).status_code == 422
    assert client.post("/login/code/enter", data={"code": newest}).location == "/"


FULLWIDTH_DIGITS = "\uff11\uff12\uff13\uff14\uff15\uff16"


@pytest.mark.parametrize("typed", ["12345", "abcdef", FULLWIDTH_DIGITS, "\u00b2" * 6, "1234567"])
def test_a_code_that_is_not_six_ascii_digits_is_explained(client, session, typed):
    make_customer(session, email="ada@example.com")
    client.post("/login/code", data={"email": "ada@example.com"})
    response = client.post("/login/code/enter", data={"code": typed})
    assert response.status_code == 200
    assert "Type the 6 digits from the email." in response.get_data(as_text=True)


def test_an_expired_code_does_not_work(client, session, outbox):
    make_customer(session, email="ada@example.com")
    with freeze_time(utcnow()) as frozen:
        client.post("/login/code", data={"email": "ada@example.com"})
        frozen.tick(10 * 60 + 1)
        response = client.post("/login/code/enter", data={"code": _code(outbox()[0])})
    assert response.status_code == 422


def test_the_link_shows_a_button_and_works_once(client, session, outbox):
    make_customer(session, email="ada@example.com")
    client.post("/login/code", data={"email": "ada@example.com"})
    link = _link(outbox()[0])
    page = client.get(link)
    assert page.status_code == 200 and "Sign in as ada@example.com" in page.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # opening the link signed nobody in
    assert client.post(link).location == "/"
    client.post("/logout")
    reused = client.post(link, follow_redirects=True).get_data(as_text=True)
    assert "That code does not work" in reused


def test_a_tampered_link_is_refused(client, session, outbox):
    make_customer(session, email="ada@example.com")
    client.post("/login/code", data={"email": "ada@example.com"})
    link = _link(outbox()[0])
    tampered = link[:-3] + ("xyz" if not link.endswith("xyz") else "abc")
    response = client.post(tampered, follow_redirects=True)
    assert "This sign-in link is not valid" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_code_entry_without_asking_first_goes_to_the_request_form(client):
    assert client.get("/login/code/enter").location == "/login/code"


@pytest.fixture
def strict_app_config(app_config):
    app_config["LOGIN_RATE_LIMIT"] = "3 per minute"
    return app_config


def test_asking_for_codes_is_rate_limited(strict_app_config, client, session):
    statuses = [client.post("/login/code", data={"email": "ada@example.com"}).status_code
                for _ in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_typing_codes_is_rate_limited(strict_app_config, client, session):
    make_customer(session, email="ada@example.com")
    client.post("/login/code", data={"email": "ada@example.com"})
    statuses = [client.post("/login/code/enter", data={"code": "000000"}).status_code
                for _ in range(4)]
    assert statuses[-1] == 429


def test_claiming_an_account_the_store_made(client, session, outbox):
    make_customer(session, email="ada@example.com", name="Ada Lovelace", password=None)
    login_page = client.get("/login").get_data(as_text=True)
    assert 'href="/signup"' in login_page
    # No password yet: the password form cannot open the account.
    assert client.post("/login", data={"email": "ada@example.com", "password": ""}
                       ).status_code == 200
    client.post("/signup", data={"email": "ada@example.com"})
    [mail] = outbox()
    assert "Your orders are waiting" in _body(mail)
    response = client.post("/login/code/enter", data={"code": _code(mail)})
    assert response.location == "/account/password/new"
    assert "Your account is ready" in client.get("/account/password/new").get_data(as_text=True)
    response = client.post("/account/password/new",
                           data={"password": "a-new-password", "confirm": "a-new-password"})
    assert response.location == "/account"
    client.post("/logout")
    assert client.post("/login", data={"email": "ada@example.com",
                                       "password": "a-new-password"}).status_code == 302
    assert outbox()[-1]["Subject"] == "Your password was changed"


def test_a_claimed_account_may_keep_using_codes(client, session, outbox):
    make_customer(session, email="ada@example.com", password=None)
    client.post("/signup", data={"email": "ada@example.com"})
    client.post("/login/code/enter", data={"code": _code(outbox()[0])})
    page = client.get("/account").get_data(as_text=True)
    assert "You sign in with codes we email you" in page
    client.post("/logout")
    client.post("/login/code", data={"email": "ada@example.com"})
    assert client.post("/login/code/enter", data={"code": _code(outbox()[-1])}).location == "/"


def test_signup_says_the_same_for_every_address_and_mails_what_fits(client, session, outbox):
    make_customer(session, email="store-made@example.com", password=None)
    make_customer(session, email="has-password@example.com")
    pages = []
    for email in ("store-made@example.com", "has-password@example.com", "nobody@example.com"):
        page = client.post("/signup", data={"email": email}, follow_redirects=True)
        pages.append(_without_tokens(page.get_data(as_text=True), email))
    assert pages[0] == pages[1] == pages[2]
    bodies = {mail["To"]: _body(mail) for mail in outbox()}
    assert "Your orders are waiting" in bodies["store-made@example.com"]
    assert "You already have an account" in bodies["has-password@example.com"]
    assert "found no orders" in bodies["nobody@example.com"]
    assert session.scalar(select(Customer).where(Customer.email == "nobody@example.com")) is None


def test_choose_password_is_only_for_accounts_without_one(client, session, login):
    login(client, make_customer(session))
    assert client.get("/account/password/new").location == "/account"
    response = client.post("/account/password/new",
                           data={"password": "a-new-password", "confirm": "a-new-password"})
    assert response.location == "/account"
