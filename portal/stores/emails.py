"""The two emails a shop's records trigger: the order confirmation, and "your parcel has
shipped" with its tracking link. Both go through the mail outbox in the caller's
transaction, as plain text with a small HTML part; links start from the portal's public
address, never from a request's Host header."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import render_template
from sqlalchemy.orm import Session

from portal.auth.models import Customer
from portal.mail import queue_mail
from portal.money import format_money
from portal.orders.carriers import OTHER_CARRIER, carrier_name, tracking_link
from portal.orders.models import Order, Shipment


def track_url(base_url: str, order: Order) -> str:
    """The portal's tracking page for the order, which works without signing in."""
    return f"{base_url.rstrip('/')}/track?{urlencode({'number': order.number})}"


def queue_order_confirmation(session: Session, *, order: Order, customer: Customer,
                             base_url: str) -> None:
    context = {
        "customer": customer, "order": order,
        "total": format_money(order.total_cents, order.currency),
        "lines": [(line, format_money(line.net_cents, order.currency)) for line in order.lines],
        "link": track_url(base_url, order),
    }
    queue_mail(session, to=customer.email, subject=f"Order {order.number} confirmed",
               body=render_template("stores/email/order_confirmed.txt", **context),
               html=render_template("stores/email/order_confirmed.html", **context))


def queue_parcel_shipped(session: Session, *, order: Order, shipment: Shipment,
                         base_url: str) -> None:
    context = {
        "customer": order.customer, "order": order, "shipment": shipment,
        "carrier": carrier_name(shipment.carrier) if shipment.carrier != OTHER_CARRIER else None,
        "carrier_link": (tracking_link(shipment.carrier, shipment.tracking_number)
                         or shipment.tracking_url),
        "link": track_url(base_url, order),
    }
    queue_mail(session, to=order.customer.email,
               subject=f"Your parcel for order {order.number} has shipped",
               body=render_template("stores/email/parcel_shipped.txt", **context),
               html=render_template("stores/email/parcel_shipped.html", **context))
