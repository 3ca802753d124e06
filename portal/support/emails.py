"""Support emails that invite an answer: a staff reply that can be answered by email, and
the satisfaction survey sent when a request is resolved.

Both carry proof that only the portal can make. The reply-to address of a thread is
`reply+<request number>.<HMAC>@<PORTAL_REPLY_DOMAIN>` (hex and case-insensitive, because
mail systems may change the case of an address), so an answer can only land in the thread
whose address we wrote. A survey link is an itsdangerous token naming the request; the one
rating a request may have makes it single-use.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from datetime import datetime

from flask import current_app, render_template
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from portal.auth.models import Customer
from portal.links import external_url
from portal.mail import queue_mail
from portal.support.models import SupportRequest

SURVEY_MAX_AGE = 60 * 24 * 3600  # a survey link works for 60 days
SCORES = {5: "Excellent", 4: "Good", 3: "Okay", 2: "Poor", 1: "Very poor"}
_REPLY_LOCAL = re.compile(r"^reply\+(?P<number>[a-z0-9-]{1,20})\.(?P<mac>[0-9a-f]{20})$")


def _mac(number: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"support-reply:{number.upper()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:20]


def reply_address(number: str) -> str:
    """The signed address whose mail lands in this request's thread."""
    return f"reply+{number.lower()}.{_mac(number)}@{current_app.config['REPLY_DOMAIN']}"


def number_from_reply_address(address: str) -> str | None:
    """The request number a genuine reply address names; None for anything forged."""
    local, _, domain = address.strip().lower().rpartition("@")
    if domain != current_app.config["REPLY_DOMAIN"].lower():
        return None
    match = _REPLY_LOCAL.match(local)
    if match is None:
        return None
    number = match["number"].upper()
    return number if hmac.compare_digest(match["mac"], _mac(number)) else None


def queue_staff_reply(
    session: Session, *, support_request: SupportRequest, staff: Customer, body: str,
    request_url: Callable[[str], str],
) -> None:
    """Emails a staff reply; answering the email adds to the thread."""
    shopper = support_request.customer
    link = request_url(support_request.number)
    context = {"first_name": shopper.first_name, "body": body, "staff_name": staff.first_name,
               "link": link}
    queue_mail(
        session, to=shopper.email,
        subject=f"Re: {support_request.subject} [{support_request.number}]",
        body=(f"Hello {shopper.first_name},\n\n{body}\n\n{staff.first_name}, customer support\n\n"
              f"Answer this email, or see the whole conversation: {link}\n"),
        html=render_template("support/emails/staff_reply.html", **context),
        reply_to=reply_address(support_request.number),
    )


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="support-survey")


def survey_token(request_id: int) -> str:
    return _serializer().dumps(request_id)


def request_id_from_survey_token(token: str, *, now: datetime) -> int | None:
    """The request a genuine, unexpired survey link names; None otherwise."""
    try:
        value = _serializer().loads(token, max_age=SURVEY_MAX_AGE)
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def queue_survey(session: Session, *, support_request: SupportRequest, shopper: Customer) -> None:
    """"How did we do?" with one link per score: one click records the rating."""
    token = survey_token(support_request.id)
    links = [(score, label, external_url("surveys.rate", token=token, score=score))
             for score, label in SCORES.items()]
    text_links = "\n".join(f"  {score} · {label}: {url}" for score, label, url in links)
    queue_mail(
        session, to=shopper.email,
        subject=f"How did we do? [{support_request.number}]",
        body=(f"Hello {shopper.first_name},\n\nYour request {support_request.number} "
              f"(\"{support_request.subject}\") is resolved. How well did we help? "
              f"One click records your answer:\n\n{text_links}\n\n"
              "Something still wrong? Answer this email and the request opens again.\n"),
        html=render_template("support/emails/survey.html", first_name=shopper.first_name,
                             support_request=support_request, links=links),
        reply_to=reply_address(support_request.number),
    )
