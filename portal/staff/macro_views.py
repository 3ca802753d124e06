"""Staff console: saved replies (macros) staff create and edit, each change audited.

Routes join the staff blueprint, so its guard (404 for anyone not staff) covers them.
"""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.db import get_session, utcnow
from portal.domain import DomainError
from portal.staff.forms import MacroForm
from portal.staff.views import bp
from portal.support import macros
from portal.web import render


@bp.route("/macros", methods=["GET", "POST"])
def macros_list() -> Response:
    return _edit(None)


@bp.route("/macros/<int:macro_id>", methods=["GET", "POST"])
def macro_edit(macro_id: int) -> Response:
    return _edit(macro_id)


def _edit(macro_id: int | None) -> Response:
    db = get_session()
    macro = macros.get_macro(db, macro_id) if macro_id is not None else None
    form = MacroForm(obj=macro) if macro is not None else MacroForm()
    if form.validate_on_submit():
        try:
            saved = macros.save_macro(db, staff_id=current_user.id, title=form.title.data,
                                      body=form.body.data, now=utcnow(), macro_id=macro_id)
        except DomainError as error:
            getattr(form, error.field or "body").errors.append(error.message)
        else:
            db.commit()
            flash(f"Saved reply “{saved.title}” saved.", "success")
            return redirect(url_for("staff.macros_list"), 303)
    return render("staff/macros/edit.html", form=form, macro=macro,
                  macros=macros.list_macros(db) if macro is None else [],
                  variables=macros.VARIABLES, status=422 if form.errors else 200)
