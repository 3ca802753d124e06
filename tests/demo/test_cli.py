"""The seed-demo command: logins that work, --if-empty, and the batched bulk path."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.auth.models import Customer
from portal.demo.people import DEMO_PASSWORD
from portal.orders.models import Order, OrderLine, Shipment
from tests.factories import make_customer


def test_seeded_demo_logins_sign_in_through_the_form(
    app: Flask, client: FlaskClient, session: Session, seed
) -> None:
    seed(customers=4, orders=60)
    for email in ("shopper@example.com", "shopper2@example.com", "staff@example.com"):
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        client.post("/logout")
    response = client.post("/login", data={"email": "shopper@example.com", "password": "nope"})
    assert response.status_code == 200


def test_if_empty_leaves_a_database_with_customers_alone(app: Flask, session: Session) -> None:
    make_customer(session, email="someone@example.com")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--if-empty", "--orders", "10"])
    assert result.exit_code == 0, result.output
    assert "not added" in result.output
    assert session.scalar(select(func.count()).select_from(Customer)) == 1
    assert session.scalar(select(func.count()).select_from(Order)) == 0

    refused = runner.invoke(args=["seed-demo", "--orders", "10"])
    assert refused.exit_code != 0
    assert "already has customers" in refused.output


def test_bulk_path_writes_in_batches_and_leaves_ids_usable(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--customers", "30", "--orders", "300",
                                 "--products", "40", "--batch-size", "40", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "rows/s" in result.output and "peak memory" in result.output
    assert session.scalar(select(func.count()).select_from(Order)) == 300
    assert session.scalar(select(func.count()).select_from(Customer)) == 34  # + 4 staff
    lines_without_order = session.scalar(
        select(func.count()).select_from(OrderLine).outerjoin(Order, Order.id == OrderLine.order_id)
        .where(Order.id.is_(None)))
    assert lines_without_order == 0
    assert session.scalar(select(func.count()).select_from(Shipment)) > 200
    # Rows added afterwards through the ORM get fresh ids (PostgreSQL sequences moved on).
    newcomer = make_customer(session, email="after-the-seed@example.com")
    assert newcomer.id == 35

    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0
    assert session.scalar(select(func.count()).select_from(Order)) == 300
