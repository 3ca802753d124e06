"""Answers to support emails: an inbound-mail endpoint that adds them to the thread.

Accepts what mail providers post: an inbound-parse form (SendGrid's `to`/`from`/`text`/
`envelope`, Mailgun's `recipient`/`sender`/`body-plain`, or SendGrid's raw `email` field)
or a raw RFC 822 message (`Content-Type: message/rfc822`). The request is found only
through a signed reply-to address (support.emails), the sender must be the shopper who
owns it, and the quoted earlier conversation is cut off by mail-parser-reply.
"""

from __future__ import annotations

import hmac
import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

import nh3
from flask import Blueprint, abort, current_app, jsonify, request
from mailparser_reply import EmailReplyParser
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from werkzeug.wrappers import Response

from portal.db import get_session, utcnow
from portal.domain import DomainError
from portal.support import emails, service
from portal.support.models import Message, SupportRequest

bp = Blueprint("inbound_mail", __name__)
MAX_REPLY_CHARS = 5000
_RECIPIENT_FIELDS = ("recipient", "to", "To", "cc", "Cc")


class InboundRefused(DomainError):
    """Mail we will not add to any thread (no genuine reply address, or not the shopper's)."""


@dataclass(frozen=True)
class InboundMail:
    sender: str
    recipients: tuple[str, ...]
    text: str


def from_raw(data: bytes) -> InboundMail:
    """An RFC 822 message as the mail server received it."""
    parsed: EmailMessage = message_from_bytes(data, policy=policy.default)  # type: ignore[assignment]
    headers = [str(parsed.get(name, "")) for name in ("To", "Cc", "Delivered-To")]
    part = parsed.get_body(preferencelist=("plain", "html"))
    content = part.get_content() if part is not None else ""
    if part is not None and part.get_content_subtype() == "html":
        content = _html_to_text(content)
    return InboundMail(sender=parseaddr(str(parsed.get("From", "")))[1],
                       recipients=_addresses(headers), text=content)


def from_form(form: Mapping[str, str]) -> InboundMail:
    """An inbound-parse POST, SendGrid or Mailgun style."""
    if form.get("email"):
        return from_raw(form["email"].encode("utf-8", "surrogateescape"))
    fields = [form.get(name, "") for name in _RECIPIENT_FIELDS]
    try:
        envelope = json.loads(form.get("envelope") or "{}")
    except ValueError:
        envelope = {}
    if isinstance(envelope, dict) and isinstance(envelope.get("to"), list):
        fields.extend(str(address) for address in envelope["to"])
    sender = parseaddr(form.get("from") or form.get("From") or form.get("sender") or "")[1]
    text = form.get("text") or form.get("body-plain") or _html_to_text(form.get("html", ""))
    return InboundMail(sender=sender, recipients=_addresses(fields), text=text)


def _addresses(fields: list[str]) -> tuple[str, ...]:
    return tuple(address for _name, address in getaddresses(fields) if address)


def _html_to_text(markup: str) -> str:
    return html.unescape(nh3.clean(markup.replace("<br>", "\n").replace("</p>", "\n\n"),
                                   tags=set()))


def reply_text(text: str) -> str:
    """What the shopper wrote, without the quoted conversation below it or a signature."""
    latest = EmailReplyParser(languages=["en", "de", "fr", "es", "it", "nl"]).parse_reply(
        text=text.replace("\r\n", "\n"))
    return (latest or "").strip()[:MAX_REPLY_CHARS]


def accept_reply(session: Session, *, mail: InboundMail, now: datetime) -> Message:
    """Adds the answer to the thread its signed reply-to address names."""
    numbers = {n for n in map(emails.number_from_reply_address, mail.recipients) if n}
    if len(numbers) != 1:
        raise InboundRefused("No genuine reply address in this message.")
    support_request = session.scalar(
        select(SupportRequest).where(SupportRequest.number == numbers.pop())
        .options(joinedload(SupportRequest.customer)))
    if support_request is None:
        raise InboundRefused("No such request.")
    if mail.sender.lower() != support_request.customer.email.lower():
        raise InboundRefused("The sender is not the shopper who owns this request.")
    body = reply_text(mail.text)
    if not body:
        raise InboundRefused("The message has no text of its own.")
    return service.add_shopper_reply(session, customer_id=support_request.customer_id,
                                     number=support_request.number, body=body, now=now)


@bp.post("/inbound-mail")
def inbound_mail() -> Response:
    secret = current_app.config.get("INBOUND_MAIL_SECRET")
    if secret and not hmac.compare_digest(request.args.get("key", ""), secret):
        abort(401)
    if request.mimetype == "message/rfc822":
        mail = from_raw(request.get_data())
    else:
        mail = from_form(request.form)
    db = get_session()
    try:
        message = accept_reply(db, mail=mail, now=utcnow())
    except DomainError as error:  # 406: providers such as Mailgun do not retry it
        db.rollback()
        return jsonify(accepted=False, reason=error.message), 406
    db.commit()
    return jsonify(accepted=True, message_id=message.id)
