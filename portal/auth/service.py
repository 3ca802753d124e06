"""Accounts: credentials, password reset tokens, profile and addresses."""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import urlsplit

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from portal.auth import notices
from portal.auth.models import Address, Customer, Role
from portal.auth.sessions import end_all_sessions
from portal.domain import DomainError, NotFound
from portal.mail import queue_mail

RESET_SALT = "password-reset"
# Checked when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class InvalidResetToken(DomainError):
    """A reset link that is forged, expired or already used."""


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # scrypt, Werkzeug's default KDF


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_customer_by_email(session: Session, email: str) -> Customer | None:
    return session.scalar(select(Customer).where(Customer.email == normalize_email(email)))


def authenticate(session: Session, *, email: str, password: str, now: datetime) -> Customer | None:
    """The active account with these credentials, or None; timing does not tell which failed."""
    customer = find_customer_by_email(session, email)
    if customer is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if customer.password_hash is None:  # the store made the account; no password chosen yet
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(customer.password_hash, password) or not customer.is_active:
        return None
    customer.last_login_at = now
    return customer


def create_customer(
    session: Session, *, email: str, name: str, password: str, role: Role = Role.SHOPPER,
    time_zone: str = "UTC",
) -> Customer:
    """A new account; the email must not be taken."""
    email = normalize_email(email)
    if find_customer_by_email(session, email) is not None:
        raise DomainError("An account with this email already exists.", field="email")
    customer = Customer(
        email=email, name=name, password_hash=hash_password(password), role=role,
        time_zone=time_zone,
    )
    session.add(customer)
    return customer


def change_password(
    session: Session, customer: Customer, *, current_password: str, new_password: str,
    now: datetime,
) -> None:
    """Only someone who knows the current password may set a new one; the owner is told, and
    every other session (and its remember-me cookie) ends, this one stays."""
    if not check_password(customer, current_password):
        raise DomainError("That is not your current password.", field="current_password")
    _set_password(customer, new_password, now)
    end_all_sessions(session, customer_id=customer.id, now=now, keep_id=customer.login_session_id)
    notices.send_password_changed(session, customer)


def choose_first_password(
    session: Session, customer: Customer, *, new_password: str, now: datetime
) -> None:
    """An account opened with an emailed code may choose its first password without one."""
    if customer.password_hash is not None:
        raise DomainError("Your account has a password already: change it with the current one.",
                          field="password")
    _set_password(customer, new_password, now)
    notices.send_password_changed(session, customer)


def check_password(customer: Customer, password: str) -> bool:
    if customer.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(customer.password_hash, password)


def _set_password(customer: Customer, password: str, now: datetime) -> None:
    customer.password_hash = hash_password(password)
    customer.password_changed_at = now


def _password_fingerprint(customer: Customer) -> str:
    """Changes whenever the password does, so a reset token works only once."""
    return hashlib.sha256((customer.password_hash or "").encode()).hexdigest()[:16]


def make_reset_token(secret_key: str, customer: Customer) -> str:
    serializer = URLSafeTimedSerializer(secret_key, salt=RESET_SALT)
    return serializer.dumps({"id": customer.id, "fp": _password_fingerprint(customer)})


def request_password_reset(
    session: Session, *, email: str, secret_key: str, reset_url: str
) -> None:
    """Mails a reset link if the account exists; says nothing either way."""
    customer = find_customer_by_email(session, email)
    if customer is None or not customer.is_active:
        return
    link = reset_url.replace("TOKEN", make_reset_token(secret_key, customer))
    queue_mail(
        session, to=customer.email, subject="Reset your password",
        body=(
            f"Hello {customer.first_name},\n\nSomeone asked to reset the password of your "
            f"account. If it was you, open this link within an hour:\n\n{link}\n\n"
            "If it was not you, ignore this message: your password stays as it is.\n"
        ),
    )


def reset_password(
    session: Session, *, token: str, new_password: str, secret_key: str, max_age: int,
    now: datetime,
) -> Customer:
    """Sets a new password from an emailed token that is signed, fresh and unused, and ends
    every session of the account: whoever knew the old password is out."""
    customer = customer_for_reset_token(session, token=token, secret_key=secret_key,
                                        max_age=max_age)
    _set_password(customer, new_password, now)
    notices.send_password_changed(session, customer)
    end_all_sessions(session, customer_id=customer.id, now=now)
    return customer


def customer_for_reset_token(
    session: Session, *, token: str, secret_key: str, max_age: int
) -> Customer:
    serializer = URLSafeTimedSerializer(secret_key, salt=RESET_SALT)
    try:
        payload = serializer.loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise InvalidResetToken("This reset link has expired. Ask for a new one below.") from error
    except BadSignature as error:
        raise InvalidResetToken("This reset link is not valid. Ask for a new one below.") from error
    customer = session.get(Customer, payload.get("id")) if isinstance(payload, dict) else None
    if customer is None or payload.get("fp") != _password_fingerprint(customer):
        raise InvalidResetToken("This reset link has already been used. Ask for a new one below.")
    return customer


def update_profile(
    customer: Customer, *, name: str, time_zone: str, company_name: str | None,
    tax_id: str | None,
) -> None:
    """Company and tax ID appear on invoices issued after the change, never on earlier ones."""
    customer.name = name.strip()
    customer.time_zone = time_zone
    customer.company_name = (company_name or "").strip() or None
    customer.tax_id = (tax_id or "").strip() or None


def list_addresses(session: Session, *, customer_id: int) -> list[Address]:
    return list(
        session.scalars(
            select(Address).where(Address.customer_id == customer_id).order_by(Address.id)
        )
    )


def add_address(session: Session, *, customer_id: int, **fields: str | bool | None) -> Address:
    """The first address, or one marked default, becomes the default."""
    count = session.scalar(
        select(func.count()).select_from(Address).where(Address.customer_id == customer_id)
    )
    make_default = bool(fields.pop("is_default", False)) or count == 0
    if make_default:
        for other in list_addresses(session, customer_id=customer_id):
            other.is_default = False
    address = Address(customer_id=customer_id, is_default=make_default, **fields)
    session.add(address)
    return address


def update_address(
    session: Session, *, customer_id: int, address_id: int, **fields: str | bool | None
) -> Address:
    """Changes a saved address; orders and invoices keep the copy they were made with."""
    address = get_address(session, customer_id=customer_id, address_id=address_id)
    if fields.pop("is_default", False) and not address.is_default:
        for other in list_addresses(session, customer_id=customer_id):
            other.is_default = other.id == address.id
    for name, value in fields.items():
        setattr(address, name, value)
    return address


def get_address(session: Session, *, customer_id: int, address_id: int) -> Address:
    """This shopper's address, or NotFound (someone else's included)."""
    address = session.scalar(
        select(Address).where(Address.id == address_id, Address.customer_id == customer_id)
    )
    if address is None:
        raise NotFound("That address was not found.")
    return address


def delete_address(session: Session, *, customer_id: int, address_id: int) -> None:
    session.delete(get_address(session, customer_id=customer_id, address_id=address_id))


def is_safe_next(target: str | None) -> bool:
    """Only paths on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
