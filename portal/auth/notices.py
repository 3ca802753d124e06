"""The account emails: sign-in codes, and notices of changes a shopper did not expect.

Each goes through the outbox in the caller's transaction. Links are passed in whole, built
by the caller from the configured base URL.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.auth.models import Customer
from portal.mail import queue_mail

_NOT_YOU = ("If this was not you, reset your password now and sign out every other session "
            "from your account page.")


def send_sign_in_code(session: Session, customer: Customer, *, code: str, link: str) -> None:
    queue_mail(
        session, to=customer.email, subject=f"Your sign-in code: {code}",
        body=(
            f"Hello {customer.first_name},\n\nYour sign-in code is {code}\n\nType it on the "
            f"sign-in page, or open this link:\n\n{link}\n\nThe code works once, within 10 "
            "minutes. If you did not ask for it, ignore this message: nobody can sign in "
            "without it.\n"
        ),
    )


def send_claim_code(session: Session, customer: Customer, *, code: str, link: str) -> None:
    already = customer.password_hash is not None
    queue_mail(
        session, to=customer.email,
        subject=f"Your sign-in code: {code}" if already else f"Your account code: {code}",
        body=(
            f"Hello {customer.first_name},\n\n"
            + ("You already have an account with this email. To sign in without your "
               "password, use this code: " if already else
               "Your orders are waiting. To open your account, use this code: ")
            + f"{code}\n\nor open this link:\n\n{link}\n\nThe code works once, within 10 "
            "minutes. If you did not ask for it, ignore this message.\n"
        ),
    )


def send_no_account(session: Session, *, email: str, help_link: str) -> None:
    queue_mail(
        session, to=email, subject="About your sign-up request",
        body=(
            "Hello,\n\nSomeone (probably you) asked to open an account with this email. We "
            "found no orders placed with it, so there is no account to open. If you ordered "
            "with another email address, sign up with that one.\n\nNeed a hand? "
            f"{help_link}\n\nIf you did not ask, ignore this message.\n"
        ),
    )


def send_password_changed(session: Session, customer: Customer) -> None:
    queue_mail(
        session, to=customer.email, subject="Your password was changed",
        body=(
            f"Hello {customer.first_name},\n\nThe password of your account was just changed. "
            f"If that was you, there is nothing to do.\n\n{_NOT_YOU}\n"
        ),
    )


def send_email_change_link(session: Session, *, name: str, new_email: str, link: str) -> None:
    queue_mail(
        session, to=new_email, subject="Confirm your new email address",
        body=(
            f"Hello {name},\n\nTo use this address for your account, open this link within "
            f"24 hours:\n\n{link}\n\nUntil then your account keeps its current email. If you "
            "did not ask for this, ignore this message.\n"
        ),
    )


def send_email_taken(session: Session, *, new_email: str) -> None:
    queue_mail(
        session, to=new_email, subject="This email already has an account",
        body=(
            "Hello,\n\nSomeone asked to move an account to this email address, but an account "
            "already uses it, so nothing was changed. If that was you, sign in with this "
            "address instead.\n"
        ),
    )


def send_email_changed(
    session: Session, customer: Customer, *, old_email: str, undo_link: str
) -> None:
    queue_mail(
        session, to=old_email, subject="The email of your account was changed",
        body=(
            f"Hello {customer.first_name},\n\nYour account now uses {customer.email} instead "
            f"of this address. If that was you, there is nothing to do.\n\nIf it was not you, "
            f"open this link within 14 days to put this address back and sign out every "
            f"session:\n\n{undo_link}\n\nThen reset your password from the sign-in page.\n"
        ),
    )


def send_new_device(session: Session, customer: Customer, *, device: str, when: str) -> None:
    queue_mail(
        session, to=customer.email, subject="New sign-in to your account",
        body=(
            f"Hello {customer.first_name},\n\nYour account was signed in to from a device we "
            f"had not seen before:\n\n  {device}\n  {when}\n\nIf that was you, there is "
            f"nothing to do.\n\n{_NOT_YOU}\n"
        ),
    )
