"""The privacy emails, through the outbox in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal.auth.models import Customer
from portal.mail import queue_mail


def send_deletion_scheduled(
    session: Session, customer: Customer, *, due_at: datetime, link: str
) -> None:
    queue_mail(
        session, to=customer.email, subject="Your account will be deleted",
        body=(
            f"Hello {customer.first_name},\n\nAs you asked, your account will be deleted on "
            f"{due_at:%d %B %Y} (UTC), or once your open orders and returns are done if that is "
            "later. Your orders, returns, requests and addresses will then "
            "be erased; only invoices and credit notes are kept, as the law requires.\n\n"
            f"Changed your mind? Until then, sign in and choose \"Keep my account\":\n\n{link}\n"
        ),
    )


def send_export_ready(session: Session, customer: Customer, *, link: str) -> None:
    queue_mail(
        session, to=customer.email, subject="Your data is ready to download",
        body=(
            f"Hello {customer.first_name},\n\nThe archive of your data you asked for is ready. "
            f"Sign in and download it here within 7 days:\n\n{link}\n\nIf you did not ask "
            "for it, reset your password: someone may know it.\n"
        ),
    )
