"""One-time sign-in codes sent by email: six digits, ten minutes, five tries, used once.

Only a keyed hash of each code is stored, so a copy of the database does not reveal live
codes. A typed code that does not work gets one answer whatever the reason (wrong, expired,
used, or no account at that address), so the form does not tell who has an account.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portal.auth import notices
from portal.auth.models import Customer, EmailCode
from portal.auth.service import find_customer_by_email, normalize_email
from portal.domain import DomainError

CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5
LINK_SALT = "email-code-link"


class InvalidCode(DomainError):
    """A code or sign-in link that does not work (wrong, expired, used up or forged)."""


def _code_hash(secret_key: str, email: str, code: str) -> str:
    return hmac.new(secret_key.encode(), f"{email}:{code}".encode(), hashlib.sha256).hexdigest()


def issue_code(session: Session, *, email: str, secret_key: str, now: datetime) -> str:
    """A fresh code for this address; any earlier unused code for it stops working."""
    email = normalize_email(email)
    session.execute(
        update(EmailCode)
        .where(EmailCode.email == email, EmailCode.used_at.is_(None))
        .values(used_at=now)
    )
    code = f"{secrets.randbelow(10**6):06d}"
    session.add(EmailCode(email=email, code_hash=_code_hash(secret_key, email, code),
                          expires_at=now + CODE_LIFETIME))
    return code


def redeem_code(
    session: Session, *, email: str, code: str, secret_key: str, now: datetime
) -> Customer:
    """The active account whose newest live code this is; marks the code used.

    A wrong code counts against the code (commit even when this raises): the fifth wrong
    try uses it up.
    """
    email = normalize_email(email)
    record = session.scalar(
        select(EmailCode)
        .where(EmailCode.email == email, EmailCode.used_at.is_(None))
        .order_by(EmailCode.id.desc())
        .limit(1)
        .with_for_update()
    )
    customer = find_customer_by_email(session, email)
    if record is None or record.expires_at <= now or customer is None or not customer.is_active:
        raise InvalidCode("That code does not work. Check the newest email, or ask for a new code.")
    if not hmac.compare_digest(record.code_hash, _code_hash(secret_key, email, code.strip())):
        record.attempts += 1
        if record.attempts >= MAX_ATTEMPTS:
            record.used_at = now
        raise InvalidCode("That code does not work. Check the newest email, or ask for a new code.")
    record.used_at = now
    return customer


def forget_old_codes(session: Session, *, now: datetime) -> int:
    """Deletes codes expired a day ago or more: they can only ever fail."""
    return session.execute(
        delete(EmailCode).where(EmailCode.expires_at <= now - timedelta(days=1))
    ).rowcount


def make_link_token(secret_key: str, *, email: str, code: str) -> str:
    """The code inside a signed token, for a link that signs in without typing."""
    return URLSafeTimedSerializer(secret_key, salt=LINK_SALT).dumps({"e": email, "c": code})


def read_link_token(secret_key: str, token: str) -> tuple[str, str]:
    """(email, code) from a link we mailed; the code itself is checked by redeem_code."""
    serializer = URLSafeTimedSerializer(secret_key, salt=LINK_SALT)
    try:
        payload = serializer.loads(token, max_age=int(CODE_LIFETIME.total_seconds()))
    except SignatureExpired as error:
        raise InvalidCode("This sign-in link has expired. Ask for a new code.") from error
    except BadSignature as error:
        raise InvalidCode("This sign-in link is not valid. Ask for a new code.") from error
    if not isinstance(payload, dict) or not {"e", "c"} <= payload.keys():
        raise InvalidCode("This sign-in link is not valid. Ask for a new code.")
    return str(payload["e"]), str(payload["c"])


def start_code_sign_in(
    session: Session, *, email: str, secret_key: str, link_url: str, now: datetime
) -> None:
    """Mails a sign-in code if an active account uses the address; says nothing either way."""
    customer = find_customer_by_email(session, email)
    if customer is None or not customer.is_active:
        return
    code = issue_code(session, email=customer.email, secret_key=secret_key, now=now)
    link = link_url.replace("TOKEN", make_link_token(secret_key, email=customer.email, code=code))
    notices.send_sign_in_code(session, customer, code=code, link=link)


def start_sign_up(
    session: Session, *, email: str, secret_key: str, link_url: str, help_link: str,
    now: datetime,
) -> None:
    """Mails the owner of the address what fits: a code to open (or sign in to) the account
    their orders made, or a note that no orders use it. The page says the same either way."""
    customer = find_customer_by_email(session, email)
    if customer is None:
        notices.send_no_account(session, email=normalize_email(email), help_link=help_link)
        return
    if not customer.is_active:
        return
    code = issue_code(session, email=customer.email, secret_key=secret_key, now=now)
    link = link_url.replace("TOKEN", make_link_token(secret_key, email=customer.email, code=code))
    notices.send_claim_code(session, customer, code=code, link=link)
