import re

import pytest

from portal.auth.models import Role
from tests.factories import DEMO_PASSWORD, make_address, make_customer


def _post_login(client, email, password=DEMO_PASSWORD, **query):
    return client.post("/login", query_string=query, data={"email": email, "password": password})


def test_login_page_renders_the_form(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page and "Forgot your password?" in page


def test_login_then_home_then_logout(client, session):
    make_customer(session, email="ada@example.com", name="Ada Lovelace")
    response = _post_login(client, "ada@example.com")
    assert response.status_code == 302 and response.location == "/"
    assert "Hello, Ada" in client.get("/").get_data(as_text=True)
    assert client.post("/logout").status_code == 302
    assert client.get("/").location.startswith("/login")


@pytest.mark.parametrize("email", ["ada@example.com", "nobody@example.com"])
def test_wrong_credentials_get_one_message_that_reveals_nothing(client, session, email):
    make_customer(session, email="ada@example.com")
    response = _post_login(client, email, password="not-the-password")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "That email and password do not match an account." in page
    assert f'value="{email}"' in page  # what was typed is kept


def test_login_follows_a_local_next_and_refuses_an_external_one(client, session):
    make_customer(session, email="ada@example.com")
    assert _post_login(client, "ada@example.com", next="/account").location == "/account"
    client.post("/logout")
    assert _post_login(client, "ada@example.com", next="https://evil.example/").location == "/"


def test_pages_need_login_and_come_back_after_it(client, session):
    response = client.get("/account")
    assert response.status_code == 302 and "/login?next=%2Faccount" in response.location


@pytest.fixture
def strict_app_config(app_config):
    app_config["LOGIN_RATE_LIMIT"] = "3 per minute"
    return app_config


def test_login_is_rate_limited(strict_app_config, session, client):
    make_customer(session, email="ada@example.com")
    statuses = [_post_login(client, "ada@example.com", "wrong").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    page = _post_login(client, "ada@example.com").get_data(as_text=True)
    assert "Too many attempts" in page


@pytest.fixture
def csrf_app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_forms_without_csrf_token_are_refused(csrf_app_config, session, client):
    make_customer(session, email="ada@example.com")
    response = _post_login(client, "ada@example.com")
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)


def test_login_with_csrf_token_works(csrf_app_config, session, client):
    make_customer(session, email="ada@example.com")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"email": "ada@example.com", "password": DEMO_PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302


def test_logout_is_post_only(client, session, login):
    login(client, make_customer(session))
    assert client.get("/logout").status_code == 405


def test_password_reset_journey(client, session, outbox):
    make_customer(session, email="ada@example.com")
    response = client.post("/password/reset", data={"email": "ada@example.com"})
    assert response.status_code == 302
    [mail] = outbox()
    assert mail["To"] == "ada@example.com"
    body = mail.get_payload(decode=True).decode()
    link = re.search(r"https://portal\.example(/password/reset/\S+)", body).group(1)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "a-new-password", "confirm": "a-new-password"})
    assert response.location == "/login"
    assert _post_login(client, "ada@example.com", "a-new-password").status_code == 302
    client.post("/logout")
    reused = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "already been used" in reused


def test_password_reset_for_unknown_email_says_the_same_and_sends_nothing(client, outbox):
    response = client.post("/password/reset", data={"email": "nobody@example.com"},
                           follow_redirects=True)
    assert "If an account uses that email" in response.get_data(as_text=True)
    assert outbox() == []


def test_tampered_reset_link_is_refused(client, session):
    response = client.get("/password/reset/not-a-token", follow_redirects=True)
    assert "This reset link is not valid" in response.get_data(as_text=True)


def test_new_password_mismatch_is_explained(client, session):
    from portal.auth.service import make_reset_token

    customer = make_customer(session)
    link = f"/password/reset/{make_reset_token('test-secret', customer)}"
    response = client.post(link, data={"password": "a-new-password", "confirm": "different-one"})
    assert "The passwords do not match." in response.get_data(as_text=True)


def test_account_update_and_business_details(client, session, login):
    customer = make_customer(session)
    login(client, customer)
    response = client.post("/account", data={"name": "Ada Byron", "time_zone": "Europe/Paris",
                                              "company_name": "Analytical Ltd",
                                              "tax_id": "GB123"})
    assert response.status_code == 302
    session.refresh(customer)
    assert (customer.name, customer.time_zone, customer.company_name) == (
        "Ada Byron", "Europe/Paris", "Analytical Ltd")


def test_account_bad_input_is_explained_and_kept(client, session, login):
    login(client, make_customer(session))
    response = client.post("/account", data={"name": "", "time_zone": "Mars/Olympus"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose a time zone" in page and 'value="Mars/Olympus"' in page


def test_change_password_with_wrong_current_password(client, session, login):
    login(client, make_customer(session))
    response = client.post("/account/password", data={
        "current_password": "wrong", "password": "another-password", "confirm": "another-password"})
    assert response.status_code == 422
    assert "That is not your current password." in response.get_data(as_text=True)


def test_add_address_bad_input_keeps_what_was_typed(client, session, login):
    login(client, make_customer(session))
    response = client.post("/account/addresses", data={"name": "Ada", "line1": "",
                                                        "city": "Paris", "postal_code": "",
                                                        "country": "FR"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Paris"' in page and "This field is required." in page


def test_another_shoppers_address_is_not_found(client, session, login):
    other = make_customer(session)
    address = make_address(session, other)
    login(client, make_customer(session))
    assert client.post(f"/account/addresses/{address.id}/delete").status_code == 404


def test_shopper_cannot_open_the_staff_console(client, session, login):
    login(client, make_customer(session))
    assert client.get("/staff/").status_code == 404


def test_staff_can_open_the_staff_console(client, session, login):
    login(client, make_customer(session, role=Role.STAFF))
    assert client.get("/staff/").status_code == 200


def test_healthz_is_tiny_and_touches_no_database(client, query_count):
    with query_count() as counter:
        response = client.get("/healthz")
    assert (response.status_code, response.data, counter.count) == (200, b"ok", 0)


def test_security_headers_and_cookie_flags(app_config, session):
    from portal import create_app

    app_config["SESSION_COOKIE_SECURE"] = True
    client = create_app(app_config).test_client()
    make_customer(session, email="ada@example.com")
    response = _post_login(client, "ada@example.com")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"


def test_unknown_page_is_a_404_in_the_layout(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)


def test_htmx_error_gets_a_fragment(client):
    response = client.get("/no-such-page", headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and "<html" not in page and 'role="alert"' in page
