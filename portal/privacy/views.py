"""/account/data: download my data, and delete my account (with 14 days to undo)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.audit import record_event
from portal.db import get_session, utcnow
from portal.domain import DomainError
from portal.jobs import after_commit
from portal.links import external_url
from portal.privacy import deletion, exports
from portal.privacy.forms import DeleteAccountForm, ExportForm, KeepAccountForm
from portal.privacy.notices import send_deletion_scheduled
from portal.privacy.tasks import build_export_job
from portal.web import render

bp = Blueprint("privacy", __name__)


@bp.get("/account/data")
@login_required
def overview() -> str:
    return _page(DeleteAccountForm(formdata=None))


@bp.post("/account/data/exports")
@login_required
def request_export() -> Response:
    if ExportForm().validate_on_submit():
        session = get_session()
        export, is_new = exports.request_export(session, customer_id=current_user.id)
        if is_new:
            after_commit(session, build_export_job, export.id)
        session.commit()
        flash("Your archive is being prepared. This page shows how far it is.", "info")
    return redirect(url_for("privacy.overview") + "#export")


@bp.get("/account/data/exports/<int:export_id>")
@login_required
def export_status(export_id: int) -> Response:
    """The progress box; htmx polls it every two seconds while the archive is built."""
    export = exports.get_export(get_session(), customer_id=current_user.id, export_id=export_id)
    return render("privacy/data.html", fragment="privacy/_export.html", export=export,
                  **_context())


@bp.get("/account/data/exports/<int:export_id>/download")
@login_required
def download_export(export_id: int) -> Response:
    session = get_session()
    export = exports.get_export(session, customer_id=current_user.id, export_id=export_id)
    data = exports.read_archive(export, now=utcnow())
    record_event(session, actor_id=current_user.id, action="data_export_downloaded",
                 object_type="data_export", object_id=export.id)
    session.commit()
    name = f"my-data-{export.finished_at:%Y-%m-%d}.zip"  # type: ignore[union-attr]
    return Response(data, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/account/data/delete")
@login_required
def delete_account() -> Response | tuple[str, int]:
    session, form = get_session(), DeleteAccountForm()
    if not form.validate_on_submit():
        return _page(form), 422
    try:
        scheduled, is_new = deletion.request_deletion(session, current_user, now=utcnow())
    except DomainError as error:
        form.understood.errors = [error.message]
        return _page(form), 422
    if is_new:
        send_deletion_scheduled(session, current_user, due_at=scheduled.due_at,
                                link=external_url("privacy.overview"))
    session.commit()
    flash("Your account will be deleted in 14 days. Until then you can keep it from this page.",
          "info")
    return redirect(url_for("privacy.overview") + "#delete")


@bp.post("/account/data/delete/cancel")
@login_required
def keep_account() -> Response:
    session = get_session()
    if KeepAccountForm().validate_on_submit():
        try:
            deletion.cancel_deletion(session, current_user, now=utcnow())
        except DomainError as error:
            flash(error.message, "info")
        else:
            session.commit()
            flash("Your account is kept: nothing will be deleted.", "success")
    return redirect(url_for("privacy.overview") + "#delete")


def _context() -> dict[str, object]:
    return {"export_form": ExportForm(formdata=None), "keep_form": KeepAccountForm(formdata=None),
            "expires_at": exports.expires_at}


def _page(delete_form: DeleteAccountForm) -> str:
    session, now = get_session(), utcnow()
    return render_template(
        "privacy/data.html", delete_form=delete_form,
        export=exports.latest_export(session, customer_id=current_user.id, now=now),
        pending=deletion.pending_deletion(session, customer_id=current_user.id), **_context(),
    )
