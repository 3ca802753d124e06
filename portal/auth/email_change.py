"""Changing the email of an account: confirmed from the new address, undoable from the old.

The links are signed tokens that carry the addresses involved; a link works only while the
account still has the address it expects, so each works once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from portal.audit import record_event
from portal.auth import notices
from portal.auth.models import Customer
from portal.auth.service import check_password, find_customer_by_email, normalize_email
from portal.auth.sessions import end_all_sessions
from portal.domain import DomainError

CONFIRM_SALT = "email-change"
UNDO_SALT = "email-change-undo"
CONFIRM_MAX_AGE = timedelta(hours=24)
UNDO_MAX_AGE = timedelta(days=14)


class InvalidEmailLink(DomainError):
    """A confirm or undo link that is forged, expired, or already used."""


def request_email_change(
    session: Session, customer: Customer, *, new_email: str, current_password: str | None,
    secret_key: str, confirm_url: str,
) -> None:
    """Mails a confirmation link to the new address; nothing changes until it is opened."""
    if customer.password_hash is not None and not check_password(customer,
                                                                 current_password or ""):
        raise DomainError("That is not your current password.", field="current_password")
    new_email = normalize_email(new_email)
    if new_email == customer.email:
        raise DomainError("That is already the email of your account.", field="new_email")
    if find_customer_by_email(session, new_email) is not None:
        notices.send_email_taken(session, new_email=new_email)  # told there, not here
        return
    token = _serializer(secret_key, CONFIRM_SALT).dumps(
        {"id": customer.id, "old": customer.email, "new": new_email}
    )
    notices.send_email_change_link(session, name=customer.first_name, new_email=new_email,
                                   link=confirm_url.replace("TOKEN", token))


def read_confirm_link(session: Session, *, token: str, secret_key: str) -> tuple[Customer, str]:
    """The account and the new address a confirm link is for, if it still applies."""
    payload = _load(secret_key, CONFIRM_SALT, token, CONFIRM_MAX_AGE)
    return _customer_with(session, payload, email=payload["old"]), payload["new"]


def confirm_email_change(
    session: Session, *, token: str, secret_key: str, undo_url: str
) -> Customer:
    """Moves the account to the new address and tells the old one, with an undo link."""
    customer, new_email = read_confirm_link(session, token=token, secret_key=secret_key)
    old_email = customer.email
    _move(session, customer, to=new_email)
    undo = _serializer(secret_key, UNDO_SALT).dumps(
        {"id": customer.id, "old": old_email, "new": new_email}
    )
    notices.send_email_changed(session, customer, old_email=old_email,
                               undo_link=undo_url.replace("TOKEN", undo))
    record_event(session, actor_id=customer.id, action="email_changed", object_type="customer",
                 object_id=customer.id, old=old_email, new=new_email)
    return customer


def read_undo_link(session: Session, *, token: str, secret_key: str) -> tuple[Customer, str]:
    payload = _load(secret_key, UNDO_SALT, token, UNDO_MAX_AGE)
    return _customer_with(session, payload, email=payload["new"]), payload["old"]


def undo_email_change(
    session: Session, *, token: str, secret_key: str, now: datetime
) -> Customer:
    """Puts the old address back, from the link mailed to it, and ends every session: whoever
    changed it is signed out."""
    customer, old_email = read_undo_link(session, token=token, secret_key=secret_key)
    new_email = customer.email
    _move(session, customer, to=old_email)
    end_all_sessions(session, customer_id=customer.id, now=now)
    record_event(session, actor_id=None, action="email_change_undone", object_type="customer",
                 object_id=customer.id, old=new_email, new=old_email)
    return customer


def _move(session: Session, customer: Customer, *, to: str) -> None:
    if find_customer_by_email(session, to) is not None:
        raise InvalidEmailLink("Another account uses that email now, so nothing was changed.")
    customer.email = to


def _customer_with(session: Session, payload: dict[str, Any], *, email: str) -> Customer:
    customer = session.get(Customer, payload["id"])
    if customer is None or not customer.is_active or customer.email != email:
        raise InvalidEmailLink("This link has already been used, or the email of the account "
                               "has changed since.")
    return customer


def _serializer(secret_key: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=salt)


def _load(secret_key: str, salt: str, token: str, max_age: timedelta) -> dict[str, Any]:
    try:
        payload = _serializer(secret_key, salt).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as error:
        raise InvalidEmailLink("This link has expired.") from error
    except BadSignature as error:
        raise InvalidEmailLink("This link is not valid.") from error
    if not isinstance(payload, dict) or not {"id", "old", "new"} <= payload.keys():
        raise InvalidEmailLink("This link is not valid.")
    return payload
