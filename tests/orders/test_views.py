"""Order history, order page and parcel page: what a shopper sees, and what they cannot."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.billing.models import InvoiceKind
from portal.db import utcnow
from portal.orders.models import ShipmentStatus
from tests.factories import make_customer, make_order, make_product
from tests.factories.parcels import make_invoice, make_payment, make_shipment


@pytest.fixture
def shopper(session):
    return make_customer(session, name="Ada Shopper")


@pytest.fixture
def signed_in(client, login, shopper):
    login(client, shopper)
    return client


def test_pages_need_login(client, session, shopper):
    order = make_order(session, shopper)
    for path in ("/orders", f"/orders/{order.number}"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_list_newest_first_with_words_items_and_actions(signed_in, session, shopper):
    old = make_order(session, shopper, placed_at=utcnow() - timedelta(days=400))
    new = make_order(session, shopper, products=[make_product(session, name="Linen shirt")])
    make_shipment(session, new, promised_on=date.today() + timedelta(days=2))
    html = signed_in.get("/orders").get_data(as_text=True)
    assert html.index(new.number) < html.index(old.number)
    assert "1 \u00d7 Linen shirt" in html
    assert "arriving" in html and "Being prepared" in html
    assert ">Track</a>" in html
    assert f"/orders/{old.number}/help" in html


def test_list_offers_return_and_invoice_for_delivered_order(signed_in, session, shopper):
    order = make_order(session, shopper)
    make_shipment(session, order, status=ShipmentStatus.DELIVERED,
                  delivered_at=utcnow() - timedelta(days=2))
    invoice = make_invoice(session, order)
    html = signed_in.get("/orders").get_data(as_text=True)
    assert "Start a return" in html
    assert "Delivered" in html
    assert invoice.number and ">Invoice</a>" in html


def test_delivered_long_ago_has_no_return_action(signed_in, session, shopper):
    order = make_order(session, shopper, placed_at=utcnow() - timedelta(days=90))
    make_shipment(session, order, status=ShipmentStatus.DELIVERED,
                  delivered_at=utcnow() - timedelta(days=80))
    html = signed_in.get("/orders").get_data(as_text=True)
    assert "Start a return" not in html


def test_filters_by_status_year_and_search(signed_in, session, shopper):
    lamp = make_order(session, shopper, products=[make_product(session, name="Brass lamp")],
                      placed_at=datetime(2025, 3, 1, tzinfo=UTC))
    mug = make_order(session, shopper, products=[make_product(session, name="Blue mug")])
    make_shipment(session, mug)

    html = signed_in.get("/orders?q=brass").get_data(as_text=True)
    assert lamp.number in html and mug.number not in html
    html = signed_in.get(f"/orders?q={mug.number.lower()}").get_data(as_text=True)
    assert mug.number in html and lamp.number not in html
    html = signed_in.get("/orders?year=2025").get_data(as_text=True)
    assert lamp.number in html and mug.number not in html
    html = signed_in.get("/orders?status=shipped").get_data(as_text=True)
    assert mug.number in html and lamp.number not in html
    html = signed_in.get("/orders?q=100%25_").get_data(as_text=True)
    assert "No orders match" in html


@pytest.mark.parametrize("query", ["status=bogus", "year=abc", "year=99999", "page=-3",
                                   "page=zzz", "page=999999999", "q=" + "x" * 500])
def test_bad_filters_fall_back(signed_in, session, shopper, query):
    order = make_order(session, shopper)
    response = signed_in.get(f"/orders?{query}")
    assert response.status_code == 200
    if not query.startswith("q="):
        assert order.number in response.get_data(as_text=True)


def test_pagination_keeps_filters_and_htmx_gets_fragment(app, signed_in, session, shopper):
    app.config["PAGE_SIZE"] = 2
    product = make_product(session, name="Sock")
    orders = [make_order(session, shopper, products=[product],
                         placed_at=utcnow() - timedelta(days=n)) for n in range(5)]
    page = signed_in.get("/orders?q=sock&page=2")
    html = page.get_data(as_text=True)
    assert orders[2].number in html and orders[0].number not in html
    assert "q=sock" in html and "page=3" in html and "Page 2 of 3" in html
    fragment = signed_in.get("/orders?q=sock&page=3", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'id="order-list"' in body and orders[4].number in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_detail_shows_lines_totals_payment_parcels(signed_in, session, shopper):
    first, second = make_product(session, name="Kettle"), make_product(session, name="Teapot")
    order = make_order(session, shopper, products=[first, second], quantity=2)
    make_payment(session, order)
    kettle_line = next(line for line in order.lines if line.product_name == "Kettle")
    make_shipment(session, order, quantities={kettle_line.id: 2})
    html = signed_in.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Kettle" in html and "Teapot" in html
    assert "Parcel 1" in html and "Not shipped yet" in html
    assert "$50.00" in html  # two at $25.00
    total = f"${order.total_cents / 100:,.2f}"
    assert total in html and "Visa ending 4242" in html
    assert "1 Main Street" in html
    assert "Cancel the items not shipped yet" in html


def test_detail_links_invoices_and_credit_notes(signed_in, session, shopper):
    order = make_order(session, shopper)
    invoice = make_invoice(session, order)
    assert invoice.kind is InvoiceKind.INVOICE
    html = signed_in.get(f"/orders/{order.number}").get_data(as_text=True)
    assert f"Invoice {invoice.number}" in html


def test_other_shoppers_orders_are_404(app, client, session, login, shopper):
    other = make_customer(session)
    order = make_order(session, other)
    parcel = make_shipment(session, order, status=ShipmentStatus.DELIVERED)
    mine = make_order(session, shopper)
    login(client, shopper)
    assert client.get(f"/orders/{order.number}").status_code == 404
    assert client.get(f"/orders/{order.number}/shipments/{parcel.id}").status_code == 404
    # My order number with someone else's parcel id is no way in either.
    assert client.get(f"/orders/{mine.number}/shipments/{parcel.id}").status_code == 404
    assert client.post(f"/orders/{order.number}/cancel",
                       data={"idempotency_key": "k"}).status_code == 404
    assert client.post(f"/orders/{order.number}/address", data={}).status_code == 404
    assert client.post(
        f"/orders/{order.number}/shipments/{parcel.id}/not-received").status_code == 404
    assert client.get("/orders/NOPE/shipments/999").status_code == 404
    # An id beyond the database's integer is not found, not an error (PostgreSQL).
    assert client.get(f"/orders/{mine.number}/shipments/{2**40}").status_code == 404


def test_shipment_page_timeline_estimate_and_link_out(signed_in, session, shopper):
    order = make_order(session, shopper)
    promised = date.today() + timedelta(days=1)
    parcel = make_shipment(session, order, carrier="fedex", promised_on=promised,
                           estimated_on=promised + timedelta(days=3), events=3,
                           tracking_number="7712 3456")
    html = signed_in.get(f"/orders/{order.number}/shipments/{parcel.id}").get_data(as_text=True)
    assert "Scan 1" in html and "Scan 3" in html
    assert html.index("Scan 3") < html.index("Scan 1")  # newest first
    assert "Originally promised" in html and "Estimated delivery" in html
    assert "https://www.fedex.com/fedextrack/?trknbr=7712%203456" in html
    assert "FedEx" in html


@pytest.mark.parametrize(("status", "title"), [
    (ShipmentStatus.EXCEPTION, "The carrier reported a delivery problem"),
    (ShipmentStatus.RETURNED_TO_SENDER, "The parcel is coming back to us"),
    (ShipmentStatus.FAILED_ATTEMPT, "nobody was in"),
])
def test_problem_explained_with_help_and_contact(signed_in, session, shopper, status, title):
    order = make_order(session, shopper)
    parcel = make_shipment(session, order, status=status)
    html = signed_in.get(f"/orders/{order.number}/shipments/{parcel.id}").get_data(as_text=True)
    assert title in html
    assert "What happens next" in html and "/help/" in html
    assert f"/contact?order={order.number}" in html


def test_late_parcel_is_explained(signed_in, session, shopper):
    order = make_order(session, shopper)
    parcel = make_shipment(session, order, promised_on=date.today() - timedelta(days=3))
    html = signed_in.get(f"/orders/{order.number}/shipments/{parcel.id}").get_data(as_text=True)
    assert "Your parcel is running late" in html
    assert "Delayed" in html and "no new date from the carrier yet" in html


def test_report_delivered_but_not_received(signed_in, session, shopper):
    order = make_order(session, shopper)
    parcel = make_shipment(session, order, status=ShipmentStatus.DELIVERED)
    url = f"/orders/{order.number}/shipments/{parcel.id}"
    assert "I have not received this parcel" in signed_in.get(url).get_data(as_text=True)
    response = signed_in.post(url + "/not-received")
    assert response.status_code == 302
    assert signed_in.post(url + "/not-received").status_code == 302  # twice is harmless
    html = signed_in.get(url).get_data(as_text=True)
    assert "Marked as delivered, but you do not have it" in html
    assert "topic=delivery" in html and "subject=Marked+as+delivered" in html
    assert "I have not received this parcel" not in html
    session.refresh(parcel)
    assert parcel.not_received_reported_at is not None
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "shipment.not_received")) == 1  # the second post recorded nothing


def test_not_received_refused_before_delivery(signed_in, session, shopper):
    order = make_order(session, shopper)
    parcel = make_shipment(session, order)
    url = f"/orders/{order.number}/shipments/{parcel.id}"
    signed_in.post(url + "/not-received")
    assert "not marked as delivered" in signed_in.get(url).get_data(as_text=True)
    session.refresh(parcel)
    assert parcel.not_received_reported_at is None
