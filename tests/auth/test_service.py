from datetime import timedelta

import pytest
from freezegun import freeze_time

from portal.auth import service
from portal.auth.models import Customer
from portal.db import utcnow
from portal.domain import DomainError
from tests.factories import DEMO_PASSWORD, make_customer

SECRET = "test-secret"


def test_authenticate_accepts_right_password_case_insensitive_email(session):
    customer = make_customer(session, email="ada@example.com")
    assert service.authenticate(session, email=" ADA@example.com ", password=DEMO_PASSWORD,
                                now=utcnow()) is customer


@pytest.mark.parametrize("email,password", [("ada@example.com", "wrong-password"),
                                            ("nobody@example.com", DEMO_PASSWORD)])
def test_authenticate_refuses_wrong_credentials(session, email, password):
    make_customer(session, email="ada@example.com")
    assert service.authenticate(session, email=email, password=password, now=utcnow()) is None


def test_authenticate_refuses_deactivated_account(session):
    customer = make_customer(session, email="gone@example.com")
    customer.is_active = False
    session.commit()
    assert service.authenticate(session, email="gone@example.com", password=DEMO_PASSWORD,
                                now=utcnow()) is None


def test_passwords_are_stored_with_a_modern_kdf(session):
    customer = service.create_customer(session, email="new@example.com", name="New Person",
                                       password="a-long-password")
    assert customer.password_hash.startswith("scrypt:")
    assert "a-long-password" not in customer.password_hash


def test_create_customer_refuses_a_taken_email(session):
    make_customer(session, email="taken@example.com")
    with pytest.raises(DomainError) as error:
        service.create_customer(session, email="Taken@example.com", name="X", password="x" * 12)
    assert error.value.field == "email"


def test_change_password_needs_the_current_one(session):
    customer = make_customer(session)
    with pytest.raises(DomainError):
        service.change_password(session, customer, current_password="nope",
                                new_password="another-password", now=utcnow())
    service.change_password(session, customer, current_password=DEMO_PASSWORD,
                            new_password="another-password", now=utcnow())
    assert service.authenticate(session, email=customer.email, password="another-password",
                                now=utcnow()) is customer


def _reset(session, token, max_age=3600):
    return service.reset_password(session, token=token, new_password="brand-new-password",
                                  secret_key=SECRET, max_age=max_age, now=utcnow())


def test_reset_token_works_once(session):
    customer = make_customer(session)
    token = service.make_reset_token(SECRET, customer)
    assert _reset(session, token) is customer
    session.commit()
    with pytest.raises(service.InvalidResetToken, match="already been used"):
        _reset(session, token)


def test_reset_token_expires(session):
    customer = make_customer(session)
    with freeze_time(utcnow() - timedelta(hours=2)):
        token = service.make_reset_token(SECRET, customer)
    with pytest.raises(service.InvalidResetToken, match="expired"):
        _reset(session, token)


def test_tampered_reset_token_is_refused(session):
    customer = make_customer(session)
    token = service.make_reset_token(SECRET, customer)
    forged = service.make_reset_token("another-secret", customer)
    with pytest.raises(service.InvalidResetToken, match="not valid"):
        _reset(session, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    with pytest.raises(service.InvalidResetToken, match="not valid"):
        _reset(session, forged)
    assert session.get(Customer, customer.id).password_hash == customer.password_hash


@pytest.mark.parametrize(
    "target,safe",
    [("/orders", True), ("/orders?page=2", True), ("https://evil.example/", False),
     ("//evil.example/", False), ("/\\evil.example", False), ("javascript:alert(1)", False),
     ("", False), (None, False), ("orders", False)],
)
def test_is_safe_next_accepts_only_local_paths(target, safe):
    assert service.is_safe_next(target) is safe


def test_first_address_becomes_default_and_a_new_default_replaces_it(session):
    customer = make_customer(session)
    fields = {"label": "Home", "name": "A", "line1": "1 St", "line2": None, "city": "C",
              "region": None, "postal_code": "1", "country": "US", "phone": None}
    first = service.add_address(session, customer_id=customer.id, **fields, is_default=False)
    session.flush()
    second = service.add_address(session, customer_id=customer.id, **fields, is_default=True)
    session.flush()
    assert (first.is_default, second.is_default) == (False, True)
