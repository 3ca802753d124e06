"""Every page a signed-in person gets says `private, no-store`, whatever kind it is."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.auth.models import Customer, Role
from portal.billing.models import Invoice
from portal.orders.models import Order, Shipment
from portal.returns.models import ReturnRequest
from portal.support.models import SupportRequest
from tests.factories import make_customer

ANY_ID = "1"
# Pages that show nobody's data, whoever asks (they do not even look at who is signed in).
NOT_PERSONAL = {"/api/openapi.json", "/healthz", "/login/code/enter", "/login/two-factor"}


def _values(session, shopper) -> dict[str, str]:
    """A real object of the shopper for each kind of URL argument."""
    order_number, shipment_id = session.execute(
        select(Order.number, Shipment.id).join(Shipment)
        .where(Order.customer_id == shopper.id)).first()
    return {
        "order_number": order_number, "shipment_id": str(shipment_id),
        "invoice_number": session.scalar(
            select(Invoice.number).where(Invoice.customer_id == shopper.id)),
        "rma_number": session.scalar(
            select(ReturnRequest.rma_number).where(ReturnRequest.customer_id == shopper.id)),
        "number": session.scalar(
            select(SupportRequest.number).where(SupportRequest.customer_id == shopper.id)),
        "slug": "start-a-return", "token": "not-a-token", "kind": "damaged",
        "key": "deflection",
    }


def _every_get_url(app, values) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule in NOT_PERSONAL:
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>",
                      lambda m: values.get(m.group(1), ANY_ID), rule.rule)
        urls.append(path)
    return sorted(urls)


@pytest.fixture
def demo(session, seed):
    seed(customers=3, orders=40)
    shopper = session.scalars(
        select(Customer).where(Customer.email == "shopper@example.com")).one()
    return shopper, make_customer(session, email="sam@example.com", role=Role.STAFF)


def test_every_page_kind_is_private_and_not_stored(app, client, session, demo, login):
    shopper, staff = demo
    urls = _every_get_url(app, _values(session, shopper))
    assert len(urls) >= 40
    kinds: dict[str, set[str]] = {}
    failures = {}
    for person in (shopper, staff):
        login(client, person)
        for url in urls:
            response = client.get(url)
            kinds.setdefault(response.mimetype, set()).add(url)
            cache = response.cache_control
            if not (cache.no_store and cache.private) or cache.public or cache.max_age:
                failures[f"{person.email} {url}"] = response.headers.get("Cache-Control")
        client.post("/logout")
    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())
    # The crawl reached the kinds that matter, not only error pages.
    assert {"text/html", "text/csv", "application/pdf"} <= set(kinds)


@pytest.mark.parametrize("url", ["/help", "/login", "/track"])
def test_public_pages_for_strangers_stay_cacheable(client, url):
    assert not client.get(url).cache_control.no_store


def test_a_tracking_lookup_and_a_token_link_are_not_stored(client):
    assert client.post("/track", data={"number": "NW1", "email": "a@example.com"}
                       ).cache_control.no_store
    assert client.get("/password/reset/some-token").cache_control.no_store


def test_static_files_are_left_to_their_own_caching(app, client, session, login):
    login(client, make_customer(session))
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200 and not response.cache_control.no_store
