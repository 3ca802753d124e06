"""Download my data and delete my account, through the pages and the background job."""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit import AuditEvent, record_event
from portal.auth.models import Address, Customer, Role
from portal.billing.models import Invoice
from portal.db import utcnow
from portal.help.models import SearchEvent
from portal.mail import OutboxMessage
from portal.orders.models import Order, OrderStatus
from portal.privacy import deletion, exports
from portal.privacy.models import DataExport, ExportStatus
from portal.returns.models import ReturnStatus
from portal.support.models import Message, SupportRequest
from tests.factories import make_address, make_customer, make_order
from tests.factories.billing import make_paid_order
from tests.factories.returns import make_return
from tests.factories.support import add_message, make_request


@pytest.fixture
def history(session):
    """A shopper with an address, a delivered order and its invoice, a refunded return and a
    request."""
    customer = make_customer(session, email="ada@example.com", name="Ada Lovelace")
    make_address(session, customer, line1="12 Analytical Row")
    order, invoice = make_paid_order(session, customer)
    order.status = OrderStatus.DELIVERED
    make_return(session, order, status=ReturnStatus.REFUNDED)
    request = make_request(session, customer, subject="Where is my parcel?")
    staff = make_customer(session, role=Role.STAFF)
    add_message(session, request, staff, "It is on its way.")
    add_message(session, request, staff, "Internal: courier is slow", is_internal=True)
    return customer, order, invoice


def _actions(session):
    return session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_download_my_data_builds_an_archive_with_everything(client, session, login, history):
    customer, order, invoice = history
    login(client, customer)
    assert "Prepare my archive" in client.get("/account/data").get_data(as_text=True)
    response = client.post("/account/data/exports")
    assert response.location == "/account/data#export"
    page = client.get("/account/data").get_data(as_text=True)
    export = session.scalar(select(DataExport))
    assert export.status is ExportStatus.READY and export.progress == 100
    link = f"/account/data/exports/{export.id}/download"
    assert link in page
    download = client.get(link)
    assert download.mimetype == "application/zip"
    assert "attachment" in download.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    names = set(archive.namelist())
    assert {"data.json", "README.txt", "csv/orders.csv", "csv/messages.csv",
            "csv/addresses.csv", "csv/returns.csv", f"invoices/{invoice.number}.pdf"} <= names
    assert archive.read(f"invoices/{invoice.number}.pdf").startswith(b"%PDF")
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["email"] == "ada@example.com" and "password_hash" not in data["profile"]
    assert [row["number"] for row in data["orders"]] == [order.number]
    assert data["addresses"][0]["line1"] == "12 Analytical Row"
    assert len(data["returns"]) == 1 and len(data["requests"]) == 1
    bodies = [row["body"] for row in data["messages"]]
    assert "It is on its way." in bodies and not any("Internal" in body for body in bodies)
    assert "12 Analytical Row" in archive.read("csv/addresses.csv").decode()
    assert _actions(session)[-3:] == ["data_export_requested", "data_export_ready",
                                      "data_export_downloaded"]
    # Queued by the job; the worker's outbox sweep sends it.
    mail = session.scalar(select(OutboxMessage))
    assert mail.subject == "Your data is ready to download" and "/account/data" in mail.body


def test_the_archive_holds_nobody_elses_data(client, session, login, history):
    other = make_customer(session, email="bob@example.com")
    make_paid_order(session, other)
    login(client, other)
    client.post("/account/data/exports")
    export = session.scalar(select(DataExport))
    data = json.loads(zipfile.ZipFile(io.BytesIO(
        client.get(f"/account/data/exports/{export.id}/download").data)).read("data.json"))
    assert data["profile"]["email"] == "bob@example.com"
    assert data["requests"] == [] and data["messages"] == [] and len(data["orders"]) == 1


def test_another_shoppers_archive_is_not_found(client, session, login, history, app):
    customer, _order, _invoice = history
    login(client, customer)
    client.post("/account/data/exports")
    export = session.scalar(select(DataExport))
    stranger = app.test_client()
    login(stranger, make_customer(session))
    assert stranger.get(f"/account/data/exports/{export.id}").status_code == 404
    assert stranger.get(f"/account/data/exports/{export.id}/download").status_code == 404
    assert stranger.get("/account/data/exports/99999999999").status_code == 404


def test_progress_is_a_fragment_for_htmx_that_polls_while_busy(client, session, login):
    customer = make_customer(session)
    export, _new = exports.request_export(session, customer_id=customer.id)
    export.progress = 40
    session.commit()
    login(client, customer)
    fragment = client.get(f"/account/data/exports/{export.id}",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith("<div id=\"export-status\"")
    assert 'hx-trigger="every 2s"' in fragment and 'value="40"' in fragment
    page = client.get("/account/data").get_data(as_text=True)
    assert "40% done" in page and "Prepare" not in page  # no second archive while one is busy


def test_asking_twice_makes_one_archive(client, session, login):
    customer = make_customer(session)
    export, is_new = exports.request_export(session, customer_id=customer.id)
    again, is_new_again = exports.request_export(session, customer_id=customer.id)
    assert is_new and not is_new_again and again.id == export.id


def test_an_archive_is_kept_seven_days(client, session, login, history, app):
    customer, _order, _invoice = history
    login(client, customer)
    client.post("/account/data/exports")
    export = session.scalar(select(DataExport))
    later = export.finished_at + exports.KEPT_FOR
    with app.app_context():
        assert exports.remove_expired_exports(session, now=later - timedelta(seconds=1)) == 0
        assert exports.remove_expired_exports(session, now=later) == 1
    session.commit()
    assert client.get(f"/account/data/exports/{export.id}/download").status_code == 404


def test_a_failed_build_is_shown_and_can_be_asked_again(client, session, login, monkeypatch):
    customer = make_customer(session)
    login(client, customer)

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("portal.privacy.exports.write_archive", broken)
    client.post("/account/data/exports")  # the job fails; the queue logs it, the page says it
    export = session.scalar(select(DataExport).execution_options(populate_existing=True))
    assert export.status is ExportStatus.FAILED
    page = client.get("/account/data").get_data(as_text=True)
    assert "Something went wrong" in page and "Prepare a new archive" in page


def test_delete_account_needs_the_box_ticked(client, session, login):
    login(client, make_customer(session))
    response = client.post("/account/data/delete", data={})
    assert response.status_code == 422
    assert "Tick the box to confirm." in response.get_data(as_text=True)


def test_delete_then_keep_the_account(client, session, login, outbox):
    customer = make_customer(session, email="ada@example.com")
    login(client, customer)
    response = client.post("/account/data/delete", data={"understood": "y"})
    assert response.location == "/account/data#delete"
    client.post("/account/data/delete", data={"understood": "y"})  # a double submission
    pending = deletion.pending_deletion(session, customer_id=customer.id)
    assert pending.due_at - pending.requested_at == timedelta(days=14)
    page = client.get("/account/data").get_data(as_text=True)
    assert "Your account will be deleted on" in page and "Keep my account" in page
    [mail] = outbox()
    assert mail["Subject"] == "Your account will be deleted"
    assert client.post("/account/data/delete/cancel").location == "/account/data#delete"
    assert deletion.pending_deletion(session, customer_id=customer.id) is None
    assert deletion.carry_out_due_deletions(session, now=utcnow() + timedelta(days=15)) == 0
    assert _actions(session) == ["account_deletion_requested", "account_deletion_cancelled"]


def test_after_fourteen_days_personal_data_goes_and_invoices_stay(client, session, login,
                                                                  history, app):
    customer, order, invoice = history
    record_event(session, actor_id=customer.id, action="email_changed", object_type="customer",
                 object_id=customer.id, old="ada@old.example", new="ada@example.com")
    session.add(SearchEvent(query="ada lovelace refund", normalized_query="ada lovelace refund",
                            hit_count=1, customer_id=customer.id))
    session.commit()
    login(client, customer)
    client.post("/account/data/delete", data={"understood": "y"})
    now = utcnow()
    with app.app_context():
        assert deletion.carry_out_due_deletions(session, now=now + timedelta(days=13)) == 0
        assert deletion.carry_out_due_deletions(session,
                                                now=now + timedelta(days=14, seconds=1)) == 1
    session.commit()
    gone = session.get(Customer, customer.id, populate_existing=True)
    assert gone.email != "ada@example.com" and gone.name == deletion.DELETED_NAME
    assert gone.password_hash is None and not gone.is_active
    assert session.scalars(select(Address).where(Address.customer_id == customer.id)).all() == []
    kept = session.get(Order, order.id, populate_existing=True)
    assert kept.shipping_address["line1"] == "" and kept.shipping_address["country"] == "US"
    bodies = session.scalars(select(Message.body)).all()
    assert set(bodies) == {deletion.REMOVED_TEXT}
    assert session.scalar(select(SupportRequest.subject)) == deletion.REMOVED_TEXT
    document = session.get(Invoice, invoice.id, populate_existing=True)
    assert document.total_cents == invoice.total_cents and document.bill_to == invoice.bill_to
    assert client.get("/account").status_code == 302  # signed out for good
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": "ada@example.com", "password": "portal-demo"}
                      ).status_code == 200
    assert _actions(session)[-1] == "account_deleted"
    changed = session.scalar(select(AuditEvent).where(AuditEvent.action == "email_changed")
                             .execution_options(populate_existing=True))
    assert changed.data == {}
    assert session.scalar(select(SearchEvent.customer_id)
                          .execution_options(populate_existing=True)) is None


def test_staff_accounts_are_not_deleted_from_the_page(client, session, login):
    login(client, make_customer(session, role=Role.STAFF))
    response = client.post("/account/data/delete", data={"understood": "y"})
    assert response.status_code == 422
    assert "removed by an admin" in response.get_data(as_text=True)


def test_the_data_page_needs_sign_in(client):
    for path in ("/account/data", "/account/data/exports/1", "/account/data/exports/1/download"):
        assert "/login" in client.get(path).location
    assert "/login" in client.post("/account/data/delete").location


@pytest.fixture
def csrf_app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_privacy_posts_need_csrf(csrf_app_config, client, session):
    customer = make_customer(session)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"email": customer.email, "password": "portal-demo",
                                "csrf_token": token})
    assert client.post("/account/data/delete", data={"understood": "y"}).status_code == 400
    assert client.post("/account/data/exports").status_code == 400
    assert session.scalar(select(DataExport)) is None
    assert deletion.pending_deletion(session, customer_id=customer.id) is None


def test_an_order_on_its_way_or_an_open_return_postpones_the_deletion(client, session, login,
                                                                      app):
    customer = make_customer(session)
    order = make_order(session, customer, status=OrderStatus.SHIPPED)
    login(client, customer)
    client.post("/account/data/delete", data={"understood": "y"})
    later = utcnow() + timedelta(days=15)
    with app.app_context():
        assert deletion.carry_out_due_deletions(session, now=later) == 0
        order.status = OrderStatus.DELIVERED
        returned = make_return(session, order)
        assert deletion.carry_out_due_deletions(session, now=later) == 0
        returned.status = ReturnStatus.REFUNDED
        session.commit()
        assert deletion.carry_out_due_deletions(session, now=later) == 1
