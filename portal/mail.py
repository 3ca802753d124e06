"""Mail goes into an outbox table in the caller's transaction, and is delivered after commit.

A crash between commit and delivery loses nothing (the row waits), and a delivered row is
marked sent, so nothing goes twice. Without SMTP settings each message becomes an .eml file
in the outbox folder, which development and tests read.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import Flask, Response, current_app, g
from sqlalchemy import String, Text, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import Base, created_at, intpk, new_session, utc_datetime, utcnow
from portal.jobs import periodic_job

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"

    id: Mapped[intpk]
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    reply_to: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[created_at]
    sent_at: Mapped[utc_datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[utc_datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))


def queue_mail(
    session: Session, *, to: str, subject: str, body: str, html: str | None = None,
    reply_to: str | None = None,
) -> OutboxMessage:
    """Adds a message to the outbox; it is delivered once the caller's transaction commits.

    `body` is the plain text every reader gets; `html`, when given, is the alternative part.
    `reply_to` routes the recipient's answer (a support thread's signed inbound address).
    """
    message = OutboxMessage(recipient=to, subject=subject, body=body, html_body=html,
                            reply_to=reply_to)
    session.add(message)
    session.info[_QUEUED] = True
    return message


def deliver_pending(session: Session, *, limit: int = 100) -> int:
    """Sends what is waiting, backing off after failures; returns how many went out."""
    now = utcnow()
    pending = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .where(
            (OutboxMessage.next_attempt_at.is_(None)) | (OutboxMessage.next_attempt_at <= now)
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    sent = 0
    for message in pending:
        message.attempts += 1
        try:
            _send(_as_email(message))
        except (OSError, smtplib.SMTPException) as error:
            message.last_error = str(error)[:500]
            message.next_attempt_at = now + timedelta(minutes=2**message.attempts)
            log.warning("mail to %s failed (attempt %s): %s", message.recipient,
                        message.attempts, error)
        else:
            message.sent_at = now
            sent += 1
    session.commit()
    return sent


def _as_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    email.set_content(message.body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    return email


def _send(email: EmailMessage) -> None:
    config = current_app.config
    if not config["MAIL_SERVER"]:
        _write_eml(email, Path(config["OUTBOX_DIR"]))
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def _write_eml(email: EmailMessage, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    name = email["Message-ID"].strip("<>").replace("@", "_")
    (folder / f"{name}.eml").write_bytes(bytes(email))
    log.info("mail to %s written to %s: %s", email["To"], folder, email["Subject"])


@periodic_job(minutes="*")
def deliver_outbox() -> None:
    """The worker's sweep: whatever the after-request delivery missed or failed to send."""
    with new_session() as session:
        deliver_pending(session)


_QUEUED = "mail_queued"
_COMMITTED = "mail_committed"


@event.listens_for(Session, "after_commit")
def _note_committed_mail(session: Session) -> None:
    if session.info.pop(_QUEUED, False):
        session.info[_COMMITTED] = True


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_mail(session: Session) -> None:
    session.info.pop(_QUEUED, None)


def init_app(app: Flask) -> None:
    """Delivers after each request that committed mail, unless a worker is configured to."""

    @app.after_request
    def _deliver_committed_mail(response: Response) -> Response:
        session = g.get("db_session")
        committed = session is not None and session.info.pop(_COMMITTED, False)
        if committed and app.config.get("MAIL_DELIVER_AFTER_REQUEST", True):
            with new_session() as delivery_session:
                deliver_pending(delivery_session)
        return response
