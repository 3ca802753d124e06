"""Staff review of returns: filters, approve/reject, check-in, refund, audit and email."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit import AuditEvent
from portal.auth.models import Role
from portal.billing.models import CreditEntry, Invoice, InvoiceKind, Refund
from portal.billing.refunds import issue_refund
from portal.db import utcnow
from portal.orders.models import Order
from portal.returns.models import (
    ItemCondition,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    ReturnResolution,
    ReturnStatus,
)
from tests.factories import make_customer
from tests.factories.billing import pay_order
from tests.factories.returns import (
    login_with_token,
    make_delivered_order,
    make_return,
)


@pytest.fixture
def staff(session: Session):
    return make_customer(session, name="Sam Staff", role=Role.STAFF)


@pytest.fixture
def shopper(session: Session):
    return make_customer(session, name="Ada Shopper", email="ada@example.com")


@pytest.fixture
def order(session: Session, shopper):
    order = make_delivered_order(session, shopper, quantity=2)
    pay_order(session, order)
    return order


@pytest.fixture
def staff_client(client: FlaskClient, staff, login) -> FlaskClient:
    login(client, staff)
    return client


def reload(session: Session, request: ReturnRequest) -> ReturnRequest:
    session.expire_all()
    return session.get_one(ReturnRequest, request.id)


def audit_actions(session: Session, rma: str) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "return_request", AuditEvent.object_id == rma)
        .order_by(AuditEvent.id)))


def line_ids(session: Session, request: ReturnRequest) -> list[int]:
    return list(session.scalars(select(ReturnLine.id).where(
        ReturnLine.return_request_id == request.id).order_by(ReturnLine.id)))


def test_list_filters_by_status_and_shopper(
    staff_client: FlaskClient, session: Session, order
) -> None:
    waiting = make_return(session, order)
    done = make_return(session, order, status=ReturnStatus.REFUNDED)
    other_shopper = make_customer(session, email="zed@example.com", name="Zed Other")
    elsewhere = make_return(session, make_delivered_order(session, other_shopper))

    page = staff_client.get("/staff/returns").get_data(as_text=True)
    assert all(r.rma_number in page for r in (waiting, done, elsewhere))
    requested = staff_client.get("/staff/returns?status=requested").get_data(as_text=True)
    assert waiting.rma_number in requested and done.rma_number not in requested
    by_email = staff_client.get("/staff/returns?q=zed@").get_data(as_text=True)
    assert elsewhere.rma_number in by_email and waiting.rma_number not in by_email
    by_order = staff_client.get(f"/staff/returns?q={order.number.lower()}")
    assert waiting.rma_number in by_order.get_data(as_text=True)
    fragment = staff_client.get("/staff/returns?status=refunded",
                                headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="staff-return-list"')
    assert done.rma_number in fragment and waiting.rma_number not in fragment
    odd = staff_client.get("/staff/returns?status=nonsense&page=abc")
    assert odd.status_code == 200


def test_list_query_count_does_not_grow(
    staff_client: FlaskClient, session: Session, order, query_count
) -> None:
    make_return(session, order)
    staff_client.get("/staff/returns")
    with query_count() as small:
        staff_client.get("/staff/returns")
    for _ in range(10):
        make_return(session, make_delivered_order(session, make_customer(session)))
    with query_count() as large:
        staff_client.get("/staff/returns")
    assert large.count == small.count


def test_full_journey_to_a_refund_in_billing_history(
    staff_client: FlaskClient, session: Session, order, shopper, staff, outbox
) -> None:
    request = make_return(session, order, quantities=None)
    rma = request.rma_number
    assert staff_client.post(f"/staff/returns/{rma}/approve").status_code == 303
    assert reload(session, request).status == ReturnStatus.APPROVED
    staff_client.post(f"/staff/returns/{rma}/in-transit")
    assert reload(session, request).status == ReturnStatus.IN_TRANSIT
    (line_id,) = line_ids(session, request)
    staff_client.post(f"/staff/returns/{rma}/receive", data={f"condition_{line_id}": "opened"})
    request = reload(session, request)
    assert request.status == ReturnStatus.RECEIVED
    assert session.get_one(ReturnLine, line_id).condition == ItemCondition.OPENED

    page = staff_client.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert "Issue refund of $22.05" in page  # $27.00 less $4.95 return shipping
    response = staff_client.post(f"/staff/returns/{rma}/refund", follow_redirects=True)
    assert "$22.05 refunded with credit note" in response.get_data(as_text=True)
    assert reload(session, request).status == ReturnStatus.REFUNDED

    refunds = session.scalars(select(Refund).where(Refund.return_request_id == request.id)).all()
    assert [r.amount_cents for r in refunds] == [2205]
    note = session.get_one(Invoice, refunds[0].credit_note_id)
    assert note.kind == InvoiceKind.CREDIT_NOTE and note.total_cents == 2205

    assert audit_actions(session, rma) == ["return.approve", "return.in_transit",
                                           "return.receive", "return.refund"]
    actors = set(session.scalars(select(AuditEvent.actor_id).where(
        AuditEvent.object_id == rma)))
    assert actors == {staff.id}
    subjects = [m["Subject"] for m in outbox() if m["To"] == shopper.email]
    assert subjects == [f"Return {rma} approved", f"Return {rma} is on its way to us",
                        f"Return {rma} received", f"Return {rma} refunded"]
    assert "$22.05 goes back to your original payment method" in outbox()[-1].get_payload()


def test_refund_happens_once(staff_client: FlaskClient, session: Session, order) -> None:
    request = make_return(session, order, status=ReturnStatus.RECEIVED)
    staff_client.post(f"/staff/returns/{request.rma_number}/refund")
    again = staff_client.post(f"/staff/returns/{request.rma_number}/refund",
                              follow_redirects=True)
    assert "only once" in again.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Refund)) == 1


def test_store_credit_refund_adds_the_bonus(
    staff_client: FlaskClient, session: Session, order, shopper
) -> None:
    request = make_return(session, order, status=ReturnStatus.RECEIVED,
                          resolution=ReturnResolution.STORE_CREDIT,
                          reason=ReturnReason.DAMAGED)
    staff_client.post(f"/staff/returns/{request.rma_number}/refund")
    entry = session.scalar(select(CreditEntry).where(CreditEntry.customer_id == shopper.id,
                                                     CreditEntry.amount_cents > 0))
    assert entry is not None
    assert entry.amount_cents == 2700 + 270  # damaged: no fee; 10% bonus on the credit


def test_refund_never_exceeds_what_is_left_to_refund(
    staff_client: FlaskClient, session: Session, order
) -> None:
    loaded = session.get_one(Order, order.id)
    issue_refund(session, order=loaded, reason="Goodwill", now=utcnow(),
                 amount_cents=loaded.total_cents - 1000)
    session.commit()
    request = make_return(session, order, status=ReturnStatus.RECEIVED,
                          reason=ReturnReason.DAMAGED)
    response = staff_client.post(f"/staff/returns/{request.rma_number}/refund",
                                 follow_redirects=True)
    assert "more than what is left to refund" in response.get_data(as_text=True)
    assert reload(session, request).status == ReturnStatus.RECEIVED
    assert session.scalar(select(func.count()).select_from(Refund)) == 1


def test_reject_needs_a_reason_and_tells_the_shopper(
    staff_client: FlaskClient, session: Session, order, shopper, outbox
) -> None:
    request = make_return(session, order)
    empty = staff_client.post(f"/staff/returns/{request.rma_number}/reject",
                              data={"reason": "  "})
    assert empty.status_code == 422
    assert re.search(r'id="reason-error"[^>]*>Tell the shopper why', empty.get_data(as_text=True))
    assert reload(session, request).status == ReturnStatus.REQUESTED

    staff_client.post(f"/staff/returns/{request.rma_number}/reject",
                      data={"reason": "Worn and washed: not in a resellable state."})
    request = reload(session, request)
    assert request.status == ReturnStatus.REJECTED
    assert request.rejection_reason == "Worn and washed: not in a resellable state."
    assert audit_actions(session, request.rma_number) == ["return.reject"]
    mail = outbox()[-1]
    assert mail["Subject"] == f"Return {request.rma_number} could not be accepted"
    assert "Worn and washed" in mail.get_payload()


def test_steps_out_of_order_are_refused(
    staff_client: FlaskClient, session: Session, order
) -> None:
    request = make_return(session, order)  # requested: not yet approved
    (line_id,) = line_ids(session, request)
    response = staff_client.post(f"/staff/returns/{request.rma_number}/receive",
                                 data={f"condition_{line_id}": "as_new"}, follow_redirects=True)
    assert "Only an approved return" in response.get_data(as_text=True)
    staff_client.post(f"/staff/returns/{request.rma_number}/refund")
    assert reload(session, request).status == ReturnStatus.REQUESTED
    assert audit_actions(session, request.rma_number) == []


def test_bad_condition_is_refused(staff_client: FlaskClient, session: Session, order) -> None:
    request = make_return(session, order, status=ReturnStatus.APPROVED)
    (line_id,) = line_ids(session, request)
    response = staff_client.post(f"/staff/returns/{request.rma_number}/receive",
                                 data={f"condition_{line_id}": "shredded"})
    assert response.status_code == 422
    assert reload(session, request).status == ReturnStatus.APPROVED


def test_unknown_return_is_404(staff_client: FlaskClient) -> None:
    assert staff_client.get("/staff/returns/RMA-NOPE").status_code == 404
    assert staff_client.post("/staff/returns/RMA-NOPE/approve").status_code == 404


class TestCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["WTF_CSRF_ENABLED"] = True
        return app_config

    def test_staff_actions_need_the_token(
        self, client: FlaskClient, session: Session, staff, order
    ) -> None:
        request = make_return(session, order)
        login_with_token(client, staff)
        for action in ("approve", "in-transit", "reject", "receive", "refund"):
            response = client.post(f"/staff/returns/{request.rma_number}/{action}",
                                   data={"reason": "Worn"})
            assert response.status_code == 400, action
        assert reload(session, request).status == ReturnStatus.REQUESTED
        assert audit_actions(session, request.rma_number) == []


def test_shopper_sees_the_refund_and_its_credit_note(
    client: FlaskClient, session: Session, order, shopper, staff, login
) -> None:
    request = make_return(session, order, status=ReturnStatus.RECEIVED)
    login(client, staff)
    client.post(f"/staff/returns/{request.rma_number}/refund")
    client.post("/logout")
    login(client, shopper)
    page = client.get(f"/returns/{request.rma_number}").get_data(as_text=True)
    note = session.scalar(select(Invoice.number).where(Invoice.kind == InvoiceKind.CREDIT_NOTE))
    assert "Refunded: <strong>$22.05</strong>" in page
    assert f'href="/billing/invoices/{note}"' in page
    history = client.get("/billing").get_data(as_text=True)
    assert note in history
