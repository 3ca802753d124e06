"""One-time email codes: the rules, without HTTP."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.auth import codes
from portal.auth.models import EmailCode
from portal.db import utcnow
from tests.factories import make_customer

SECRET = "test-secret"


def _issue(session, email="ada@example.com", now=None):
    code = codes.issue_code(session, email=email, secret_key=SECRET, now=now or utcnow())
    session.commit()
    return code


def _redeem(session, code, email="ada@example.com", now=None):
    try:
        return codes.redeem_code(session, email=email, code=code, secret_key=SECRET,
                                 now=now or utcnow())
    finally:
        session.commit()


def test_a_code_is_six_digits_stored_only_as_a_keyed_hash(session):
    make_customer(session, email="ada@example.com")
    code = _issue(session)
    assert len(code) == 6 and code.isdigit()
    stored = session.scalar(select(EmailCode))
    assert code not in stored.code_hash and len(stored.code_hash) == 64


def test_the_right_code_signs_in_once(session):
    customer = make_customer(session, email="ada@example.com")
    code = _issue(session)
    assert _redeem(session, f" {code} ", email="ADA@example.com") == customer
    with pytest.raises(codes.InvalidCode):
        _redeem(session, code)


def test_a_code_expires_after_ten_minutes(session):
    make_customer(session, email="ada@example.com")
    issued = utcnow()
    code = _issue(session, now=issued)
    with pytest.raises(codes.InvalidCode):
        _redeem(session, code, now=issued + timedelta(minutes=10))
    assert _redeem(session, code, now=issued + timedelta(minutes=9, seconds=59))


def test_the_fifth_wrong_try_uses_the_code_up(session):
    make_customer(session, email="ada@example.com")
    code = _issue(session)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(codes.MAX_ATTEMPTS):
        with pytest.raises(codes.InvalidCode):
            _redeem(session, wrong)
    with pytest.raises(codes.InvalidCode):
        _redeem(session, code)


def test_a_new_code_replaces_the_earlier_one(session):
    make_customer(session, email="ada@example.com")
    first = _issue(session)
    second = _issue(session)
    if first != second:
        with pytest.raises(codes.InvalidCode):
            _redeem(session, first)
    assert _redeem(session, second)


def test_a_code_for_another_address_does_not_work(session):
    make_customer(session, email="ada@example.com")
    make_customer(session, email="bob@example.com")
    code = _issue(session, email="ada@example.com")
    with pytest.raises(codes.InvalidCode):
        _redeem(session, code, email="bob@example.com")


def test_unknown_and_wrong_get_the_same_message(session):
    make_customer(session, email="ada@example.com")
    code = _issue(session)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    messages = set()
    for email in ("ada@example.com", "nobody@example.com"):
        with pytest.raises(codes.InvalidCode) as error:
            _redeem(session, wrong, email=email)
        messages.add(error.value.message)
    assert len(messages) == 1


def test_a_link_token_carries_the_code_and_refuses_tampering(session):
    token = codes.make_link_token(SECRET, email="ada@example.com", code="123456")
    assert codes.read_link_token(SECRET, token) == ("ada@example.com", "123456")
    with pytest.raises(codes.InvalidCode, match="not valid"):
        codes.read_link_token(SECRET, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    with pytest.raises(codes.InvalidCode, match="not valid"):
        codes.read_link_token("another-secret", token)


def test_codes_a_day_past_expiry_are_forgotten(session):
    make_customer(session, email="ada@example.com")
    issued = utcnow()
    _issue(session, now=issued)
    expired = issued + codes.CODE_LIFETIME
    assert codes.forget_old_codes(session, now=expired + timedelta(hours=23)) == 0
    assert codes.forget_old_codes(session, now=expired + timedelta(days=1)) == 1
