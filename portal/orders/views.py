"""Order history, one order, a parcel's tracking, and tracking without an account."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portal.billing import service as billing
from portal.billing.cancellations import cancel_and_refund
from portal.db import get_session, utcnow
from portal.domain import DomainError
from portal.extensions import limiter
from portal.formatting import user_locale, user_zone
from portal.orders import actions, service, status
from portal.orders.carriers import carrier_name, tracking_link
from portal.orders.forms import CancelOrderForm, DeliveryAddressForm, NotReceivedForm, TrackForm
from portal.orders.links import contact_link, help_link, link_to
from portal.web import is_htmx, redirect_to, render

bp = Blueprint("orders", __name__)


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {"link_to": link_to, "help_link": help_link, "contact_link": contact_link,
            "carrier_name": carrier_name, "tracking_link": tracking_link, "words": status,
            "clock": _clock()}


def _clock() -> status.Clock:
    zone = user_zone()
    return status.Clock(today=service.today_in(zone, utcnow()), zone=zone, locale=user_locale())


@bp.get("/orders")
@login_required
def list_orders() -> Response:
    filters = service.parse_filters(request.args)
    listing = service.list_orders(
        get_session(), customer_id=current_user.id, filters=filters,
        per_page=current_app.config["PAGE_SIZE"], zone=_clock().zone,
    )
    invoice_numbers = billing.invoice_numbers(get_session(), customer_id=current_user.id,
                                              order_ids=[o.id for o in listing.page.items])
    return render("orders/list.html", fragment="orders/_list.html", listing=listing,
                  invoice_numbers=invoice_numbers)


@bp.get("/orders/<order_number>")
@login_required
def detail(order_number: str) -> Response:
    return _render_detail(order_number)


def _render_detail(order_number: str, *, address_form: DeliveryAddressForm | None = None,
                   status_code: int = 200) -> Response:
    session = get_session()
    detail = service.order_detail(session, customer_id=current_user.id, number=order_number)
    money = billing.order_money(session, customer_id=current_user.id, order_id=detail.order.id)
    form = address_form or DeliveryAddressForm(formdata=None, data=detail.order.shipping_address)
    return render("orders/detail.html", status=status_code, detail=detail, order=detail.order,
                  money=money,
                  address_form=form, cancel_form=CancelOrderForm(formdata=None),
                  cancel_blocker=actions.cancel_blocker(detail.order),
                  address_blocker=actions.address_blocker(detail.order))


@bp.post("/orders/<order_number>/cancel")
@login_required
def cancel(order_number: str) -> Response:
    session, form = get_session(), CancelOrderForm()
    order = service.get_order(session, customer_id=current_user.id, number=order_number,
                              detail=True)
    if not form.validate_on_submit():
        flash("That request was incomplete; please try again.", "error")
        return redirect(url_for("orders.detail", order_number=order_number))
    try:
        cancel_and_refund(session, order=order, actor_id=current_user.id, now=utcnow(),
                          idempotency_key=form.idempotency_key.data)
    except DomainError as error:
        session.rollback()
        flash(error.message, "error")
    else:
        session.commit()
        flash("Cancelled as you asked. Any refund is on its way and shows in billing.",
              "success")
    return redirect(url_for("orders.detail", order_number=order_number))


@bp.post("/orders/<order_number>/address")
@login_required
def change_address(order_number: str) -> Response:
    session, form = get_session(), DeliveryAddressForm()
    order = service.get_order(session, customer_id=current_user.id, number=order_number,
                              detail=True)
    if form.validate_on_submit():
        try:
            actions.change_address(session, order=order, address=form.address(),
                                   actor_id=current_user.id)
        except DomainError as error:
            flash(error.message, "error")
        else:
            session.commit()
            flash("The delivery address is updated.", "success")
        target = url_for("orders.detail", order_number=order_number)
        return redirect_to(target)
    if is_htmx():
        return render("orders/_address_form.html", status=422, order=order, address_form=form)
    session.rollback()
    return _render_detail(order_number, address_form=form, status_code=422)


@bp.get("/orders/<order_number>/shipments/<int:shipment_id>")
@login_required
def shipment(order_number: str, shipment_id: int) -> Response:
    parcel = service.get_shipment(get_session(), customer_id=current_user.id,
                                  number=order_number, shipment_id=shipment_id)
    return render("orders/shipment.html", shipment=parcel, order=parcel.order,
                  not_received_form=NotReceivedForm(formdata=None))


@bp.post("/orders/<order_number>/shipments/<int:shipment_id>/not-received")
@login_required
def not_received(order_number: str, shipment_id: int) -> Response:
    session, form = get_session(), NotReceivedForm()
    parcel = service.get_shipment(session, customer_id=current_user.id, number=order_number,
                                  shipment_id=shipment_id)
    if form.validate_on_submit():
        try:
            actions.report_not_received(session, shipment=parcel, actor_id=current_user.id,
                                        now=utcnow())
        except DomainError as error:
            flash(error.message, "error")
        else:
            session.commit()
    return redirect(url_for("orders.shipment", order_number=order_number,
                            shipment_id=shipment_id) + f"#problem-{shipment_id}")


def _track_limit() -> str:
    return current_app.config["TRACK_RATE_LIMIT"]


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(_track_limit, methods=["POST"])
def track() -> Response:
    form, order, searched = TrackForm(), None, False
    if request.method == "GET" and not form.number.data:
        form.number.data = request.args.get("number", "")[:20]  # the link in shipping emails
    if form.validate_on_submit():
        searched = True
        order = service.lookup_tracking(get_session(), number=form.number.data,
                                        email=form.email.data)
    code = 422 if form.errors else 200
    return render("orders/track.html", fragment="orders/_track.html", status=code,
                  form=form, order=order, searched=searched)
