"""The last steps of every sign-in (password or emailed code): the second factor for staff
who set it up, then the session. One place, so no way in skips a step."""

from __future__ import annotations

import time

from flask import redirect, url_for
from flask import session as cookie_session
from werkzeug.wrappers import Response

from portal.auth import service, twofactor
from portal.auth.devices import notify_if_new_device
from portal.auth.models import Customer
from portal.auth.session_views import sign_in
from portal.db import get_session, utcnow

_PENDING = "pending_sign_in"
PENDING_MAX_AGE = 600  # seconds to type the second factor after the password


def finish_sign_in(customer: Customer, *, remember: bool, target: str | None) -> Response:
    """Signs in, or asks for the second factor first when the account has one."""
    if twofactor.is_enrolled(get_session(), customer.id):
        cookie_session[_PENDING] = {"id": customer.id, "remember": remember, "next": target,
                                    "at": int(time.time())}
        return redirect(url_for("auth.second_factor"))
    return _land(customer, remember=remember, target=target)


def pending_customer_id() -> int | None:
    """Whose password (or code) was right a moment ago, waiting for the second factor."""
    pending = cookie_session.get(_PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_MAX_AGE:
        return None
    return pending.get("id")


def finish_pending(customer: Customer) -> Response:
    pending = cookie_session.pop(_PENDING)
    return _land(customer, remember=bool(pending.get("remember")), target=pending.get("next"))


def _land(customer: Customer, *, remember: bool, target: str | None) -> Response:
    sign_in(customer, remember=remember)
    session = get_session()
    if notify_if_new_device(session, customer, login_session_id=customer.login_session_id,
                            now=utcnow()):
        session.commit()
    return redirect(target if service.is_safe_next(target) else url_for("home.index"))
