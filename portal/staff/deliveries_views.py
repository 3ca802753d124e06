"""Staff console: events to the shop that could not be delivered, with a retry button.

Routes join the staff blueprint, whose before_request admits only staff.
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.audit import record_event
from portal.db import get_session
from portal.staff.views import bp
from portal.stores import delivery
from portal.stores.forms import RetryDeliveryForm
from portal.web import render


@bp.get("/deliveries")
def deliveries() -> Response:
    events = delivery.list_failing(get_session())
    return render("staff/deliveries.html", events=events, form=RetryDeliveryForm(),
                  max_attempts=delivery.MAX_ATTEMPTS)


@bp.post("/deliveries/<int:event_id>/retry")
def retry_delivery(event_id: int) -> Response:
    session = get_session()
    if not RetryDeliveryForm().validate_on_submit():
        flash("That request was incomplete; please try again.", "error")
        return redirect(url_for("staff.deliveries"))
    event = delivery.retry(session, event_id=event_id)
    if event is None:
        abort(404)
    record_event(session, actor_id=current_user.id, action="outbound.retried",
                 object_type="outbound_event", object_id=str(event.id), kind=event.kind)
    session.commit()
    flash("Sent again; the list shows whether the shop took it.", "success")
    return redirect(url_for("staff.deliveries"))
