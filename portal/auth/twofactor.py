"""Staff two-factor authentication: an authenticator app (TOTP) and one-time recovery codes.

Staff and admin accounts must enrol; shoppers never need to. A TOTP code is accepted one
30-second step either side of now, and never twice (the last accepted step is kept). Only a
hash of each recovery code is kept, and each works once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.auth.models import Customer, RecoveryCode, TotpCredential
from portal.domain import DomainError

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
STEP_SECONDS = 30


class InvalidSecondFactor(DomainError):
    """A code from the app or a recovery code that does not work."""


def requires_second_factor(customer: Customer) -> bool:
    return customer.is_staff


def confirmed_credential(session: Session, customer_id: int) -> TotpCredential | None:
    return session.scalar(
        select(TotpCredential).where(
            TotpCredential.customer_id == customer_id, TotpCredential.confirmed_at.is_not(None)
        )
    )


def is_enrolled(session: Session, customer_id: int) -> bool:
    return confirmed_credential(session, customer_id) is not None


def begin_enrolment(session: Session, customer: Customer) -> TotpCredential:
    """A new secret to show as a QR code, kept unconfirmed until a first code proves the app."""
    credential = session.scalar(
        select(TotpCredential).where(TotpCredential.customer_id == customer.id)
    )
    if credential is not None and credential.confirmed_at is not None:
        raise DomainError("Two-step sign-in is already set up for this account.")
    if credential is None:
        credential = TotpCredential(customer_id=customer.id, secret=pyotp.random_base32())
        session.add(credential)
    return credential


def provisioning_uri(credential: TotpCredential, *, email: str, issuer: str) -> str:
    """The otpauth:// address authenticator apps read from the QR code."""
    return pyotp.TOTP(credential.secret).provisioning_uri(name=email, issuer_name=issuer)


def confirm_enrolment(
    session: Session, customer: Customer, *, code: str, now: datetime
) -> list[str]:
    """Turns two-step sign-in on once a code from the app is right; returns recovery codes."""
    credential = begin_enrolment(session, customer)
    if not _accept_totp(credential, code, now):
        raise InvalidSecondFactor("That code is not right. Check the time on your phone and "
                                  "type the 6 digits the app shows now.", field="code")
    credential.confirmed_at = now
    return replace_recovery_codes(session, customer_id=customer.id)


def verify_second_factor(session: Session, *, customer_id: int, code: str, now: datetime) -> str:
    """Accepts a current app code or an unused recovery code; says which ("app"/"recovery")."""
    credential = confirmed_credential(session, customer_id)
    if credential is None:
        raise InvalidSecondFactor("Two-step sign-in is not set up for this account.")
    if _accept_totp(credential, code, now):
        return "app"
    recovery = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.customer_id == customer_id,
            RecoveryCode.code_hash == _recovery_hash(code),
            RecoveryCode.used_at.is_(None),
        ).with_for_update()
    )
    if recovery is None:
        raise InvalidSecondFactor("That code does not work. Type the 6 digits your app shows "
                                  "now, or an unused recovery code.", field="code")
    recovery.used_at = now
    return "recovery"


def replace_recovery_codes(session: Session, *, customer_id: int) -> list[str]:
    """A fresh set of recovery codes; every earlier one stops working."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.customer_id == customer_id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    session.add_all(
        RecoveryCode(customer_id=customer_id, code_hash=_recovery_hash(code)) for code in codes
    )
    return codes


def unused_recovery_codes(session: Session, *, customer_id: int) -> int:
    return len(session.scalars(
        select(RecoveryCode.id).where(
            RecoveryCode.customer_id == customer_id, RecoveryCode.used_at.is_(None)
        )
    ).all())


def remove_two_factor(session: Session, *, customer_id: int) -> None:
    """For an admin helping someone who lost their phone and codes: they enrol again."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.customer_id == customer_id))
    session.execute(delete(TotpCredential).where(TotpCredential.customer_id == customer_id))


def _accept_totp(credential: TotpCredential, code: str, now: datetime) -> bool:
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    totp = pyotp.TOTP(credential.secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if step > credential.last_step and hmac.compare_digest(
            totp.at(step * STEP_SECONDS), code
        ):
            credential.last_step = step
            return True
    return False


def _new_recovery_code() -> str:
    letters = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{letters[:5]}-{letters[5:]}"


def _recovery_hash(code: str) -> str:
    normalised = code.strip().upper().replace("-", "").replace(" ", "")
    return hashlib.sha256(normalised.encode()).hexdigest()
