"""Every page a demo shopper can reach renders from the seeded data (no 404s, no 500s)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import Customer
from portal.billing.models import Invoice
from portal.orders.models import Order, Shipment
from portal.returns.models import ReturnRequest
from portal.support.models import SupportRequest


def test_the_demo_shoppers_pages_all_render(
    client: FlaskClient, session: Session, seed, login
) -> None:
    seed(customers=4, orders=60)
    shopper = session.scalars(
        select(Customer).where(Customer.email == "shopper@example.com")).one()
    login(client, shopper)
    mine = Order.customer_id == shopper.id
    paths = ["/orders", "/orders?page=2", "/billing", "/returns", "/requests"]
    for number, shipment_id in session.execute(
            select(Order.number, Shipment.id).outerjoin(Shipment).where(mine)):
        paths.append(f"/orders/{number}")
        if shipment_id is not None:
            paths.append(f"/orders/{number}/shipments/{shipment_id}")
    paths += [f"/billing/invoices/{number}" for number in session.scalars(
        select(Invoice.number).where(Invoice.customer_id == shopper.id))]
    paths += [f"/returns/{rma}" for rma in session.scalars(
        select(ReturnRequest.rma_number).where(ReturnRequest.customer_id == shopper.id))]
    paths += [f"/requests/{number}" for number in session.scalars(
        select(SupportRequest.number).where(SupportRequest.customer_id == shopper.id))]
    failures = {}
    for path in dict.fromkeys(paths):
        status = client.get(path).status_code
        if status != 200:
            failures[path] = status
    assert not failures
