"""Billing pages: the ledger and its CSV export, invoices and credit notes in HTML and PDF."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps

from flask import Blueprint, Response, current_app, request
from flask_login import current_user, login_required

from portal.billing import service
from portal.billing.export import ledger_csv
from portal.billing.forms import LedgerFilterForm
from portal.billing.ledger import LedgerFilter
from portal.billing.pdf import render_document_pdf
from portal.db import get_session, utcnow
from portal.formatting import humanize, local_date, local_datetime, money, user_zone
from portal.pagination import cursor_id, page_number
from portal.store import current_policy
from portal.web import is_htmx, render, show_error

bp = Blueprint("billing", __name__)


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {"describe_entry": service.describe_entry, "mask_method": service.mask_method}


def _today() -> date:
    return utcnow().astimezone(user_zone()).date()


def _filters(form: LedgerFilterForm) -> LedgerFilter | None:
    """The validated filters, or None with the messages put beside the fields."""
    if not form.validate():
        return None
    try:
        return service.ledger_filter(start=form.start.data, end=form.end.data,
                                     entry_type=form.type.data, zone=user_zone(), today=_today())
    except service.BadRange as error:
        show_error(form, error, field="start")
        return None


def _history_page(form: LedgerFilterForm, ledger: object, status: int = 200) -> Response:
    # The htmx fragment is only the ledger: the methods on file are not re-read for it.
    session = get_session()
    methods = ([] if is_htmx() else service.list_payment_methods(
        session, customer_id=current_user.id, today=_today()))
    credit = {} if is_htmx() else service.store_credit(session, customer_id=current_user.id)
    return render("billing/history.html", fragment="billing/_history.html", status=status,
                  form=form, ledger=ledger, methods=methods, store_credit=credit,
                  filter_args=form.query_args())


def _filtered(view: Callable[[LedgerFilterForm, LedgerFilter], Response]
              ) -> Callable[[], Response]:
    """Reads the ledger filters from the query string; bad ones get the page with messages."""
    @wraps(view)
    def with_filters() -> Response:
        form = LedgerFilterForm(formdata=request.args)
        filters = _filters(form)
        if filters is None:
            return _history_page(form, None, status=422)
        return view(form, filters)

    return with_filters


@bp.get("")
@login_required
@_filtered
def history(form: LedgerFilterForm, filters: LedgerFilter) -> Response:
    ledger = service.billing_history(
        get_session(), customer_id=current_user.id, ledger=filters,
        page=page_number(request.args.get("page")), per_page=current_app.config["PAGE_SIZE"],
        zone=user_zone(), after=cursor_id(request.args.get("after")),
        before=cursor_id(request.args.get("before")))
    return _history_page(form, ledger)


@bp.get("/history.csv")
@login_required
@_filtered
def history_csv(form: LedgerFilterForm, filters: LedgerFilter) -> Response:
    entries = service.export_entries(get_session(), customer_id=current_user.id, ledger=filters)
    text = ledger_csv(entries, describe=service.describe_entry,
                      date_of=lambda entry: local_datetime(entry.occurred_at, "yyyy-MM-dd HH:mm"))
    days = [day.isoformat() for day in (form.start.data, form.end.data) if day]
    name = "-".join(["billing-history", *days])
    return Response(text.encode("utf-8-sig"), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{service.safe_filename(name)}.csv"'})


@bp.get("/invoices/<invoice_number>")
@login_required
def invoice(invoice_number: str) -> Response:
    view = service.get_document(get_session(), customer_id=current_user.id, number=invoice_number)
    return render("billing/invoice.html", view=view, policy=current_policy())


@bp.get("/invoices/<invoice_number>.pdf")
@login_required
def invoice_pdf(invoice_number: str) -> Response:
    view = service.get_document(get_session(), customer_id=current_user.id, number=invoice_number)
    pdf = render_document_pdf(
        view, policy=current_policy(), issued_on=local_date(view.document.issued_at, "long"),
        status_label=humanize(view.status.value),
        money=lambda cents: money(cents, view.document.currency))
    filename = service.safe_filename(view.document.number)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}.pdf"'})
