"""The shopper's return pages: happy path, bad input, other shoppers, CSRF, label."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.returns.models import ReturnRequest, ReturnStatus
from tests.factories import make_customer, make_product
from tests.factories.returns import login_with_token, make_delivered_order, make_return


@pytest.fixture
def shopper(session: Session):
    return make_customer(session, name="Ada Shopper")


@pytest.fixture
def order(session: Session, shopper):
    return make_delivered_order(session, shopper, quantity=2)


def line_id_of(session: Session, order) -> int:
    from portal.orders.models import OrderLine

    return session.scalar(select(OrderLine.id).where(OrderLine.order_id == order.id)
                          .order_by(OrderLine.id))


def form_data(line_id: int, quantity: str = "1", reason: str = "too_small",
              key: str | None = None, **extra: str) -> dict[str, str]:
    return {f"quantity_{line_id}": quantity, f"reason_{line_id}": reason,
            f"comment_{line_id}": extra.pop("comment", ""), "resolution": "refund",
            "method": "drop_off", "idempotency_key": key or uuid.uuid4().hex,
            "intent": "submit", **extra}


def count_returns(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(ReturnRequest)) or 0


def test_pages_need_a_login(client: FlaskClient, order) -> None:
    for path in ("/returns", f"/returns/new/{order.number}"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_policy_page_renders_the_configured_rules(client: FlaskClient) -> None:
    page = client.get("/returns/policy").get_data(as_text=True)
    assert "30 days" in page
    assert "$4.95" in page
    assert "10% bonus" in page


def test_form_shows_each_line_and_why_others_cannot_go_back(
    client: FlaskClient, session: Session, shopper, login
) -> None:
    products = [make_product(session, name="Wool scarf"),
                make_product(session, name="Gift card", is_digital=True),
                make_product(session, name="Clearance mug", is_returnable=False)]
    order = make_delivered_order(session, shopper, products=products)
    old = make_delivered_order(session, shopper, delivered_at=utcnow() - timedelta(days=40))
    login(client, shopper)
    page = client.get(f"/returns/new/{order.number}").get_data(as_text=True)
    assert "How many Wool scarf to return" in page
    assert "Digital item" in page
    assert "Final sale" in page
    closed = client.get(f"/returns/new/{old.number}").get_data(as_text=True)
    assert re.search(r"Return window closed on \d+ \w+ \d{4}", closed)
    assert "Submit return" not in closed


def test_a_return_from_start_to_detail_and_label(
    client: FlaskClient, session: Session, shopper, order, login, outbox
) -> None:
    login(client, shopper)
    line_id = line_id_of(session, order)
    response = client.post(f"/returns/new/{order.number}", data=form_data(line_id))
    assert response.status_code == 303
    detail_url = response.headers["Location"]
    rma = detail_url.rsplit("/", 1)[1]
    page = client.get(detail_url).get_data(as_text=True)
    assert rma in page
    assert "Download the prepaid label" in page
    assert "Requested" in page
    assert [m["Subject"] for m in outbox()] == [f"Return {rma} requested"]

    label = client.get(f"/returns/{rma}/label.pdf")
    assert label.status_code == 200
    assert label.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(label.data)).pages[0].extract_text()
    assert rma in text
    assert "Packing instructions" in text
    assert order.number in text

    listing = client.get("/returns").get_data(as_text=True)
    assert rma in listing


def test_double_submitted_form_creates_one_return(
    client: FlaskClient, session: Session, shopper, order, login
) -> None:
    login(client, shopper)
    data = form_data(line_id_of(session, order), key="double-submit-key-0001")
    first = client.post(f"/returns/new/{order.number}", data=data)
    second = client.post(f"/returns/new/{order.number}", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert count_returns(session) == 1


@pytest.mark.parametrize(
    ("quantity", "message"),
    [("3", "Only 2 can be returned."), ("-1", "Enter 0 or more."),
     ("two", "Enter a whole number"), ("1.5", "Enter a whole number")],
)
def test_bad_quantity_is_explained_beside_the_field_and_the_form_kept(
    client: FlaskClient, session: Session, shopper, order, login, quantity, message
) -> None:
    login(client, shopper)
    line_id = line_id_of(session, order)
    response = client.post(f"/returns/new/{order.number}",
                           data=form_data(line_id, quantity=quantity, reason="damaged",
                                          comment="Seam split"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(rf'<small id="quantity_{line_id}-error" class="field-error">([^<]*)', page)
    assert error and message in error.group(1)
    assert f'value="{quantity}"' in page
    assert 'value="Seam split"' in page
    assert '<option selected value="damaged">' in page
    assert count_returns(session) == 0


def test_a_chosen_item_needs_a_reason(
    client: FlaskClient, session: Session, shopper, order, login
) -> None:
    login(client, shopper)
    line_id = line_id_of(session, order)
    response = client.post(f"/returns/new/{order.number}", data=form_data(line_id, reason=""))
    assert response.status_code == 422
    assert f'id="reason_{line_id}-error"' in response.get_data(as_text=True)


def test_nothing_chosen_says_so(
    client: FlaskClient, session: Session, shopper, order, login
) -> None:
    login(client, shopper)
    response = client.post(f"/returns/new/{order.number}",
                           data=form_data(line_id_of(session, order), quantity="0"))
    assert response.status_code == 422
    assert "Choose at least one item" in response.get_data(as_text=True)


def test_quantity_taken_meanwhile_is_refused_by_the_service(
    client: FlaskClient, session: Session, shopper, order, login
) -> None:
    login(client, shopper)
    line_id = line_id_of(session, order)
    form_page = client.get(f"/returns/new/{order.number}")  # shows "up to 2"
    assert "Up to 2." in form_page.get_data(as_text=True)
    make_return(session, order, quantities={line_id: 1})  # another tab took one
    response = client.post(f"/returns/new/{order.number}", data=form_data(line_id, "2"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Only 1 can be returned." in page
    assert "1 in an open return." in page  # the form is shown again as things are now


def test_estimate_fragment_for_htmx(
    client: FlaskClient, session: Session, shopper, order, login
) -> None:
    login(client, shopper)
    data = form_data(line_id_of(session, order), quantity="2", intent="estimate")
    response = client.post(f"/returns/new/{order.number}", data=data,
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="return-estimate"')
    assert "$49.05" in body  # 2 x $27.00 less $4.95 shipping
    assert count_returns(session) == 0
    damaged = client.post(f"/returns/new/{order.number}",
                          data={**data, f"reason_{line_id_of(session, order)}": "damaged"},
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "$54.00" in damaged
    assert "arrived damaged or wrong" in damaged


def test_estimate_without_javascript_keeps_the_full_page(
    client: FlaskClient, session: Session, shopper, order, login
) -> None:
    login(client, shopper)
    response = client.post(f"/returns/new/{order.number}",
                           data=form_data(line_id_of(session, order), intent="estimate"))
    page = response.get_data(as_text=True)
    assert "<html" in page
    assert "$22.05" in page
    assert count_returns(session) == 0


def test_cancel_a_return(
    client: FlaskClient, session: Session, shopper, order, login, outbox
) -> None:
    login(client, shopper)
    request = make_return(session, order)
    response = client.post(f"/returns/{request.rma_number}/cancel")
    assert response.status_code == 303
    session.expire_all()
    assert session.get(ReturnRequest, request.id).status == ReturnStatus.CANCELLED
    assert outbox()[-1]["Subject"] == f"Return {request.rma_number} cancelled"
    page = client.get(f"/returns/{request.rma_number}").get_data(as_text=True)
    assert "Cancel this return" not in page
    assert client.get(f"/returns/{request.rma_number}/label.pdf").status_code == 302


def test_cancel_refused_once_in_transit(
    client: FlaskClient, session: Session, shopper, order, login
) -> None:
    login(client, shopper)
    request = make_return(session, order, status=ReturnStatus.IN_TRANSIT)
    response = client.post(f"/returns/{request.rma_number}/cancel", follow_redirects=True)
    assert "can no longer be cancelled" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(ReturnRequest, request.id).status == ReturnStatus.IN_TRANSIT


def test_another_shoppers_order_return_and_label_are_404(
    client: FlaskClient, session: Session, order, login
) -> None:
    request = make_return(session, order)
    intruder = make_customer(session)
    login(client, intruder)
    assert client.get(f"/returns/new/{order.number}").status_code == 404
    post = client.post(f"/returns/new/{order.number}", data=form_data(line_id_of(session, order)))
    assert post.status_code == 404
    assert client.get(f"/returns/{request.rma_number}").status_code == 404
    assert client.get(f"/returns/{request.rma_number}/label.pdf").status_code == 404
    assert client.post(f"/returns/{request.rma_number}/cancel").status_code == 404
    assert request.rma_number not in client.get("/returns").get_data(as_text=True)


def test_shopper_cannot_reach_staff_actions(
    client: FlaskClient, session: Session, shopper, order, login
) -> None:
    request = make_return(session, order)
    login(client, shopper)
    assert client.get("/staff/returns").status_code == 404
    assert client.get(f"/staff/returns/{request.rma_number}").status_code == 404
    for action in ("approve", "reject", "receive", "refund", "in-transit"):
        response = client.post(f"/staff/returns/{request.rma_number}/{action}",
                               data={"reason": "x"})
        assert response.status_code == 404, action
    session.expire_all()
    assert session.get(ReturnRequest, request.id).status == ReturnStatus.REQUESTED


class TestCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["WTF_CSRF_ENABLED"] = True
        return app_config

    def test_posts_without_a_token_are_refused(
        self, client: FlaskClient, session: Session, shopper, order
    ) -> None:
        request = make_return(session, order)
        login_with_token(client, shopper)
        line_id = line_id_of(session, order)
        assert client.post(f"/returns/new/{order.number}",
                           data=form_data(line_id)).status_code == 400
        assert client.post(f"/returns/{request.rma_number}/cancel").status_code == 400
        assert count_returns(session) == 1
        session.expire_all()
        assert session.get(ReturnRequest, request.id).status == ReturnStatus.REQUESTED


def test_list_costs_the_same_queries_for_one_or_many_returns(
    client: FlaskClient, session: Session, shopper, login, query_count
) -> None:
    login(client, shopper)
    order = make_delivered_order(session, shopper, lines=2, quantity=10)
    make_return(session, order)
    client.get("/returns")
    with query_count() as small:
        client.get("/returns")
    for _ in range(12):
        make_return(session, order)
        make_delivered_order(session, shopper)
    with query_count() as large:
        page = client.get("/returns").get_data(as_text=True)
    assert page.count("RMA-") >= 12
    assert large.count == small.count


def test_rejected_return_shows_why_and_no_label(
    client: FlaskClient, session: Session, shopper, order, login
) -> None:
    request = make_return(session, order, status=ReturnStatus.REJECTED)
    request.rejection_reason = "The tags were removed."
    session.commit()
    login(client, shopper)
    page = client.get(f"/returns/{request.rma_number}").get_data(as_text=True)
    assert "The tags were removed." in page
    assert "Download the prepaid label" not in page
    assert "Cancel this return" not in page
