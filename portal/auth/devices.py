"""Telling an account's owner when it is signed in to from a device it never used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth import notices
from portal.auth.models import Customer, LoginSession


def notify_if_new_device(
    session: Session, customer: Customer, *, login_session_id: int, now: datetime
) -> bool:
    """Mails the owner when a sign-in's device (browser and system) never signed in to the
    account before; not on the account's very first sign-in. True if a notice went."""
    current = session.get(LoginSession, login_session_id)
    if current is None:
        return False
    earlier = set(session.scalars(
        select(LoginSession.device).where(LoginSession.customer_id == customer.id,
                                          LoginSession.id != login_session_id)
    ))
    if not earlier or current.device in earlier:
        return False
    where = f" from the address {current.ip_address}" if current.ip_address else ""
    notices.send_new_device(session, customer, device=f"{current.device}{where}",
                            when=f"{now:%d %B %Y, %H:%M} UTC")
    return True
