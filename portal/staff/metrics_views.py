"""Staff console: support and self-service metrics, each table charted and exportable as CSV.

Routes join the staff blueprint, so its guard (404 for anyone not staff) covers them.
"""

from __future__ import annotations

import csv
import io

from flask import abort, request
from werkzeug.wrappers import Response

from portal.billing.export import neutralise
from portal.db import get_session, utcnow
from portal.staff.forms import MetricsFilterForm
from portal.staff.metrics_tables import BUILDERS
from portal.staff.views import bp
from portal.support.metrics import Period
from portal.support.service import CATEGORIES
from portal.web import render


def _period() -> tuple[MetricsFilterForm, Period]:
    form = MetricsFilterForm(request.args)
    form.validate()
    return form, form.period(today=utcnow().date())


@bp.get("/metrics")
def metrics() -> Response:
    db, now = get_session(), utcnow()
    form, period = _period()
    tables = [build(db, period, now) for build in BUILDERS.values()]
    return render("staff/metrics.html", form=form, tables=tables, categories=CATEGORIES,
                  status=422 if form.errors else 200, export_args=form.query_args(period))


@bp.get("/metrics/<key>.csv")
def metrics_csv(key: str) -> Response:
    build = BUILDERS.get(key)
    if build is None:
        abort(404)
    _form, period = _period()
    table = build(get_session(), period, utcnow())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([neutralise(cell) if isinstance(cell, str) else cell for cell in row])
    filename = f"{key}-{period.since.date()}-{(period.until.date())}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
