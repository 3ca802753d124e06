"""Staff console: the audit log, filtered by staff member, object and action.

Routes join the staff blueprint, so its guard (404 for anyone not staff) covers them.
"""

from __future__ import annotations

from flask import request
from werkzeug.wrappers import Response

from portal.audit import AuditFilters, known_values, list_events
from portal.db import get_session
from portal.pagination import page_number
from portal.staff.forms import AuditFilterForm
from portal.staff.views import bp
from portal.support.staff import list_staff
from portal.web import render


@bp.get("/audit")
def audit_log() -> Response:
    db = get_session()
    actions, object_types = known_values(db)
    staff = list_staff(db)
    form = AuditFilterForm(request.args)
    form.set_choices(staff=staff, actions=actions, object_types=object_types)
    filters = form.filters() if form.validate() else AuditFilters()
    page = list_events(db, filters=filters, page=page_number(request.args.get("page")))
    names = {person.id: person.name for person in staff}
    return render("staff/audit/log.html", fragment="staff/audit/_events.html", form=form,
                  page=page, names=names, filter_args=form.query_args(),
                  push_url=request.full_path.rstrip("?"))
