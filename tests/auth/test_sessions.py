"""Sessions end on the server: logout, password change and reset, per device, everywhere."""

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import select

from portal.auth.models import LoginSession
from portal.db import utcnow
from tests.factories import DEMO_PASSWORD, make_customer

# Sessions note their last use on a connection of their own (portal.auth.sessions.note_seen)
# and the user loader is counted to one query: both need real commits.
pytestmark = pytest.mark.commits

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 " \
        "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
LAPTOP = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _sign_in(app, customer, *, remember=False, user_agent=LAPTOP) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", headers={"User-Agent": user_agent}, data={
        "email": customer.email, "password": DEMO_PASSWORD, "remember": "y" if remember else ""})
    assert response.status_code == 302
    return client


def _copy_cookies(app, source: FlaskClient, *names: str) -> FlaskClient:
    thief = app.test_client()
    for name in names:
        thief.set_cookie(name, source.get_cookie(name).value)
    return thief


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/account").status_code == 200


def test_a_session_cookie_copied_before_logout_is_worthless_after(app, session):
    shopper = make_customer(session)
    client = _sign_in(app, shopper)
    copy = _copy_cookies(app, client, "session")
    assert _signed_in(copy)
    client.post("/logout")
    assert not _signed_in(copy)
    assert copy.get("/account").location.startswith("/login")


def test_remember_me_stops_working_after_logout(app, session):
    shopper = make_customer(session)
    client = _sign_in(app, shopper, remember=True)
    assert _signed_in(_copy_cookies(app, client, "remember_token"))
    remember_token = client.get_cookie("remember_token").value
    client.post("/logout")
    returning_browser = app.test_client()
    returning_browser.set_cookie("remember_token", remember_token)
    assert not _signed_in(returning_browser)


def test_a_password_change_ends_every_other_session_and_remember_me(app, session):
    shopper = make_customer(session)
    here = _sign_in(app, shopper)
    elsewhere = _sign_in(app, shopper, remember=True, user_agent=PHONE)
    remembered = _copy_cookies(app, elsewhere, "remember_token")
    response = here.post("/account/password", data={
        "current_password": DEMO_PASSWORD, "password": "a-brand-new-pass",
        "confirm": "a-brand-new-pass"})
    assert response.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert not _signed_in(remembered)


def test_a_password_reset_ends_every_session(app, session):
    from portal.auth.service import make_reset_token

    shopper = make_customer(session)
    signed_in = _sign_in(app, shopper, remember=True)
    remembered = _copy_cookies(app, signed_in, "remember_token")
    link = f"/password/reset/{make_reset_token('test-secret', shopper)}"
    app.test_client().post(link, data={"password": "a-new-password", "confirm": "a-new-password"})
    assert not _signed_in(signed_in)
    assert not _signed_in(remembered)


def test_the_sessions_page_lists_devices_and_ends_one(app, session):
    shopper = make_customer(session)
    laptop = _sign_in(app, shopper)
    phone = _sign_in(app, shopper, user_agent=PHONE)
    page = laptop.get("/account/sessions").get_data(as_text=True)
    assert "Firefox on Linux" in page and "Mobile Safari on iOS (iPhone)" in page
    assert page.count("This device") == 1
    phone_id = session.scalar(select(LoginSession.id).where(
        LoginSession.device.like("Mobile Safari%")))
    response = laptop.post(f"/account/sessions/{phone_id}/end")
    assert response.location == "/account/sessions"
    assert not _signed_in(phone) and _signed_in(laptop)
    assert laptop.post(f"/account/sessions/{phone_id}/end").status_code == 302  # again: harmless
    assert "Mobile Safari" not in laptop.get("/account/sessions").get_data(as_text=True)


def test_another_shoppers_session_id_is_a_404_and_stays_signed_in(app, session):
    shopper, stranger = make_customer(session), make_customer(session)
    victim = _sign_in(app, shopper)
    attacker = _sign_in(app, stranger)
    victim_id = session.scalar(select(LoginSession.id).where(
        LoginSession.customer_id == shopper.id))
    assert attacker.post(f"/account/sessions/{victim_id}/end").status_code == 404
    assert attacker.post("/account/sessions/999999/end").status_code == 404
    assert _signed_in(victim)


def test_sign_out_everywhere_ends_this_and_every_other_session(app, session):
    shopper = make_customer(session)
    laptop, phone = _sign_in(app, shopper), _sign_in(app, shopper, user_agent=PHONE)
    assert laptop.post("/account/sessions/end-all").location == "/login"
    assert not _signed_in(laptop) and not _signed_in(phone)


def test_ending_this_device_from_the_list_signs_out(app, session):
    shopper = make_customer(session)
    laptop = _sign_in(app, shopper)
    [own_id] = session.scalars(select(LoginSession.id)).all()
    assert laptop.post(f"/account/sessions/{own_id}/end").location == "/login"
    assert not _signed_in(laptop)


def test_sessions_pages_need_csrf(app, app_config, session):
    app.config["WTF_CSRF_ENABLED"] = True
    shopper = make_customer(session)
    client = _sign_in_with_csrf(app, shopper)
    assert client.post("/account/sessions/end-all").status_code == 400
    assert _signed_in(client)


def _sign_in_with_csrf(app, customer):
    import re

    client = app.test_client()
    token = re.search(r'name="csrf_token" [^>]*value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"email": customer.email, "password": DEMO_PASSWORD,
                                "csrf_token": token})
    return client


def test_a_disabled_account_is_signed_out(app, session):
    shopper = make_customer(session)
    client = _sign_in(app, shopper)
    shopper.is_active = False
    session.commit()
    assert not _signed_in(client)


def test_an_idle_session_ends_after_thirty_days(app, session):
    shopper = make_customer(session)
    client = _sign_in(app, shopper, remember=True)
    with freeze_time(utcnow() + timedelta(days=31)):
        assert not _signed_in(client)


def test_last_seen_is_written_at_most_every_five_minutes(app, session):
    shopper = make_customer(session)
    start = utcnow()
    with freeze_time(start) as clock:
        client = _sign_in(app, shopper)
        clock.tick(timedelta(minutes=2))
        client.get("/account")
        assert _last_seen(session) == start
        clock.tick(timedelta(minutes=4))
        client.get("/account")
        assert _last_seen(session) == start + timedelta(minutes=6)


def _last_seen(session):
    session.expire_all()
    return session.scalar(select(LoginSession.last_seen_at))


def test_loading_the_signed_in_user_is_one_query(app, session, query_count):
    from portal.auth.session_views import load_user

    shopper = make_customer(session)
    _sign_in(app, shopper)
    token = session.scalar(select(LoginSession.token))
    with app.test_request_context(), query_count() as counter:
        loaded = load_user(token)
    assert loaded.id == shopper.id and counter.count == 1


@pytest.mark.parametrize("token", ["", "1", "x" * 500, "\x00"])
def test_unknown_tokens_load_nobody(app, session, token):
    from portal.auth.session_views import load_user

    with app.test_request_context():
        assert load_user(token) is None
