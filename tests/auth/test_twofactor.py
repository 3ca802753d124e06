"""Staff two-step sign-in: enrolment, the second step, recovery codes, replay."""

import re

import pyotp
import pytest
from sqlalchemy import select

from portal.audit import AuditEvent
from portal.auth import twofactor
from portal.auth.models import Role, TotpCredential
from portal.db import utcnow
from tests.factories import TEST_TOTP_SECRET, make_customer, next_totp_code


def _password(client, customer):
    return client.post("/login", data={"email": customer.email, "password": "portal-demo"})


def test_staff_with_two_factor_need_the_second_step(client, session):
    staff = make_customer(session, role=Role.STAFF)
    response = _password(client, staff)
    assert response.location == "/login/two-factor"
    assert client.get("/staff/").status_code == 404  # not signed in yet
    assert client.get("/account").status_code == 302
    response = client.post("/login/two-factor", data={"code": next_totp_code(session, staff)})
    assert response.location == "/"
    assert client.get("/staff/").status_code == 200


@pytest.mark.parametrize("code", ["000000", "", "12345", "²²²²²²", "ABCDE-FGHJK", "x" * 21])
def test_a_wrong_second_step_is_explained(client, session, code):
    staff = make_customer(session, role=Role.ADMIN)
    _password(client, staff)
    response = client.post("/login/two-factor", data={"code": code})
    assert response.status_code == 422
    assert client.get("/staff/").status_code == 404


def test_an_app_code_works_once(client, session, app):
    staff = make_customer(session, role=Role.STAFF)
    code = next_totp_code(session, staff)
    _password(client, staff)
    assert client.post("/login/two-factor", data={"code": code}).status_code == 302
    other = app.test_client()
    _password(other, staff)
    response = other.post("/login/two-factor", data={"code": code})
    assert response.status_code == 422 and "does not work" in response.get_data(as_text=True)


def test_the_second_step_needs_the_password_first(client, session):
    make_customer(session, role=Role.STAFF)
    assert client.get("/login/two-factor").location == "/login"
    assert client.post("/login/two-factor", data={"code": "123456"}).location == "/login"


def test_the_second_step_is_rate_limited(app_config, session, app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    staff = make_customer(session, role=Role.STAFF)
    client = app.test_client()
    _password(client, staff)
    statuses = [client.post("/login/two-factor", data={"code": "000000"}).status_code
                for _ in range(4)]
    assert statuses == [422, 422, 422, 429]


def test_shoppers_are_never_asked_for_a_second_step(client, session):
    shopper = make_customer(session)
    assert _password(client, shopper).location == "/"
    assert client.get("/account/two-factor").status_code == 404


def test_staff_without_it_enrol_before_the_console(client, session, login):
    staff = make_customer(session, role=Role.STAFF, two_factor=False)
    login(client, staff)
    response = client.get("/staff/")
    assert response.location == "/account/two-factor"
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    wrong = client.post("/account/two-factor", data={"code": "000000"})
    assert wrong.status_code == 422 and "not right" in wrong.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302
    response = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<li><code>([A-Z0-9-]{11})</code></li>", response.get_data(as_text=True))
    assert len(codes) == twofactor.RECOVERY_CODE_COUNT
    assert client.get("/staff/").status_code == 200
    actions = session.scalars(select(AuditEvent.action)).all()
    assert "two_factor_enabled" in actions


def test_the_setup_page_shows_the_same_key_until_confirmed(client, session, login):
    login(client, make_customer(session, role=Role.STAFF, two_factor=False))
    first = client.get("/account/two-factor").get_data(as_text=True)
    second = client.get("/account/two-factor").get_data(as_text=True)
    pattern = r'<code class="secret">([A-Z2-7]+)</code>'
    assert re.search(pattern, first).group(1) == re.search(pattern, second).group(1)


def test_a_recovery_code_works_once(client, session, app):
    staff = make_customer(session, role=Role.STAFF)
    codes = twofactor.replace_recovery_codes(session, customer_id=staff.id)
    session.commit()
    _password(client, staff)
    assert client.post("/login/two-factor", data={"code": codes[0].lower()}).location == "/"
    replay = app.test_client()
    _password(replay, staff)
    assert replay.post("/login/two-factor", data={"code": codes[0]}).status_code == 422
    assert replay.post("/login/two-factor", data={"code": codes[1]}).status_code == 302
    used = session.scalars(select(AuditEvent).where(AuditEvent.action == "recovery_code_used"))
    assert len(used.all()) == 2


def test_recovery_codes_are_stored_hashed(session):
    staff = make_customer(session, role=Role.STAFF)
    codes = twofactor.replace_recovery_codes(session, customer_id=staff.id)
    session.commit()
    stored = session.scalars(select(twofactor.RecoveryCode.code_hash)).all()
    assert len(stored) == len(codes) and not set(codes) & set(stored)


def test_new_recovery_codes_replace_the_old_ones(client, session, login):
    staff = make_customer(session, role=Role.STAFF)
    old = twofactor.replace_recovery_codes(session, customer_id=staff.id)
    session.commit()
    login(client, staff)
    assert "10</strong> unused" in client.get("/account/two-factor").get_data(as_text=True)
    refused = client.post("/account/two-factor/recovery-codes", data={"code": "000000"})
    assert refused.status_code == 422
    response = client.post("/account/two-factor/recovery-codes",
                           data={"code": next_totp_code(session, staff)})
    new = re.findall(r"<li><code>([A-Z0-9-]{11})</code></li>", response.get_data(as_text=True))
    assert len(new) == 10
    with pytest.raises(twofactor.InvalidSecondFactor):
        twofactor.verify_second_factor(session, customer_id=staff.id, code=old[0], now=utcnow())


def test_codes_are_accepted_one_step_either_side_and_not_further(session):
    staff = make_customer(session, role=Role.STAFF)
    credential = session.scalar(select(TotpCredential))
    now = utcnow()
    totp = pyotp.TOTP(TEST_TOTP_SECRET)
    step = int(now.timestamp()) // 30
    with pytest.raises(twofactor.InvalidSecondFactor):
        twofactor.verify_second_factor(session, customer_id=staff.id,
                                       code=totp.at((step - 2) * 30), now=now)
    assert twofactor.verify_second_factor(session, customer_id=staff.id,
                                          code=totp.at((step + 1) * 30), now=now) == "app"
    # An older step is refused once a later one was used: codes only move forward.
    with pytest.raises(twofactor.InvalidSecondFactor):
        twofactor.verify_second_factor(session, customer_id=staff.id,
                                       code=totp.at(step * 30), now=now)
    assert credential.last_step == step + 1


def test_reset_two_factor_command(app, session):
    staff = make_customer(session, email="sam@store.example", role=Role.STAFF)
    result = app.test_cli_runner().invoke(args=["reset-two-factor", "sam@store.example"])
    assert result.exit_code == 0, result.output
    assert not twofactor.is_enrolled(session, staff.id)
    missing = app.test_cli_runner().invoke(args=["reset-two-factor", "nobody@example.com"])
    assert missing.exit_code == 1
