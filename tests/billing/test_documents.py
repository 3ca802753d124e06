from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.billing.refunds import CreditLine, FeeLine, issue_refund
from portal.db import utcnow
from portal.orders.models import Order
from tests.factories import make_customer, make_product
from tests.factories.billing import make_credit, make_paid_order


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def html_total(page: str) -> str:
    match = re.search(r"<td class=\"amount\" data-total>([^<]+)</td>", page)
    assert match, "no total on the page"
    return match.group(1).strip()


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_invoice_page_shows_legal_details_parties_lines_and_tax_by_rate(
    session: Session, client: FlaskClient, login
) -> None:  # type: ignore[no-untyped-def]
    me = make_customer(session)
    products = [make_product(session, name="Linen shirt", price_cents=4000, tax_rate_bp=800),
                make_product(session, name="Tote bag", price_cents=1500, tax_rate_bp=1900)]
    _order, invoice = make_paid_order(session, me, products=products)
    login(client, me)
    page = _text(client.get(f"/billing/invoices/{invoice.number}"))
    assert "Northwind Goods Ltd." in page and "US-EIN 12-3456789" in page
    assert "Linen shirt" in page and "Tote bag" in page
    assert "Tax 8% on $40.00" in page and "Tax 19% on $15.00" in page
    assert html_total(page) == f"${invoice.total_cents / 100:,.2f}"
    assert "data-status>Paid<" in page
    assert f'href="/billing/invoices/{invoice.number}.pdf"' in page


def test_someone_elses_invoice_is_not_found(session: Session, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    owner = make_customer(session)
    _, invoice = make_paid_order(session, owner)
    login(client, make_customer(session))
    for path in (f"/billing/invoices/{invoice.number}", f"/billing/invoices/{invoice.number}.pdf",
                 "/billing/invoices/INV-NOPE", "/billing/invoices/INV-NOPE.pdf"):
        assert client.get(path).status_code == 404


def test_credit_notes_link_both_ways_and_set_the_status(
    session: Session, client: FlaskClient, login
) -> None:  # type: ignore[no-untyped-def]
    me = make_customer(session)
    order, invoice = make_paid_order(session, me, lines=2)
    lines = session.scalars(select(Order).where(Order.id == order.id)
                            .options(selectinload(Order.lines))).one().lines
    outcome = issue_refund(session, order=order, reason="Returned", now=utcnow(),
                           lines=[CreditLine(lines[0].id, 1)],
                           fees=[FeeLine("Return shipping fee", 495)])
    session.commit()
    note = outcome.credit_note
    login(client, me)
    page = _text(client.get(f"/billing/invoices/{invoice.number}"))
    assert f'href="/billing/invoices/{note.number}"' in page
    assert "data-status>Partially refunded<" in page
    note_page = _text(client.get(f"/billing/invoices/{note.number}"))
    assert f'href="/billing/invoices/{invoice.number}"' in note_page
    assert "Return shipping fee" in note_page and "-$4.95" in note_page
    assert "Visa •••• 4242" in note_page
    assert html_total(note_page) == f"${note.total_cents / 100:,.2f}"


def test_company_details_are_copied_when_the_invoice_is_issued(
    session: Session, client: FlaskClient, login
) -> None:  # type: ignore[no-untyped-def]
    me = make_customer(session)
    _, before = make_paid_order(session, me)
    me.company_name, me.tax_id = "Acme GmbH", "DE123456789"
    session.commit()
    _, after = make_paid_order(session, me)
    me.company_name = "Renamed Ltd"
    session.commit()
    login(client, me)
    assert "Acme GmbH" not in _text(client.get(f"/billing/invoices/{before.number}"))
    page = _text(client.get(f"/billing/invoices/{after.number}"))
    assert "Acme GmbH" in page and "DE123456789" in page and "Renamed" not in page
    _, text = pdf_text(client.get(f"/billing/invoices/{after.number}.pdf").data)
    assert "Acme GmbH" in text and "DE123456789" in text


def test_pdf_has_the_number_in_its_name_and_the_same_total(
    session: Session, client: FlaskClient, login
) -> None:  # type: ignore[no-untyped-def]
    me = make_customer(session)
    _, invoice = make_paid_order(session, me, lines=3, quantity=2)
    login(client, me)
    response = client.get(f"/billing/invoices/{invoice.number}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f'filename="{invoice.number}.pdf"' in response.headers["Content-Disposition"]
    pages, text = pdf_text(response.data)
    assert pages == 1
    total = html_total(_text(client.get(f"/billing/invoices/{invoice.number}")))
    assert re.search(rf"Total\s*{re.escape(total)}", text)


def test_long_invoice_breaks_pages_and_repeats_the_table_header(
    session: Session, client: FlaskClient, login
) -> None:  # type: ignore[no-untyped-def]
    me = make_customer(session)
    products = [make_product(session, name=f"Item number {n}", price_cents=100 + n)
                for n in range(60)]
    _, invoice = make_paid_order(session, me, products=products)
    login(client, me)
    reader = PdfReader(io.BytesIO(client.get(f"/billing/invoices/{invoice.number}.pdf").data))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        text = page.extract_text()
        if "Item number" in text:
            assert "Unit price" in text  # the header row on every page with lines
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert all(f"Item number {n}" in text for n in range(60))
    total = html_total(_text(client.get(f"/billing/invoices/{invoice.number}")))
    assert re.search(rf"Total\s*{re.escape(total)}", text)


def test_csv_export_quotes_and_neutralises_formulas(
    session: Session, client: FlaskClient, login
) -> None:  # type: ignore[no-untyped-def]
    me = make_customer(session)
    other = make_customer(session)
    order, invoice = make_paid_order(session, me, placed_at=utcnow() - timedelta(days=3))
    make_paid_order(session, other)
    issue_refund(session, order=order, reason='=HYPERLINK("http://evil.example","x")',
                 now=utcnow() - timedelta(days=1), amount_cents=250)
    make_credit(session, me, description="+SUM(A1:A9), \"quoted\"\nnext line")
    make_credit(session, me, description="@cmd|' /C calc'!A0")
    make_credit(session, me, description="-2+3")
    make_credit(session, me, description="\t=1+1")
    session.commit()
    login(client, me)
    response = client.get("/billing/history.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="billing-history.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][0] == "Date" and len(rows) == 1 + 6
    cells = [cell for row in rows[1:] for cell in row[:6]]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    descriptions = {row[2] for row in rows[1:]}
    assert "'+SUM(A1:A9), \"quoted\"\nnext line" in descriptions
    assert "'\t=1+1" in descriptions
    assert any(cell.startswith("Refund to Visa") and "=HYPERLINK" in cell
               for cell in descriptions)
    # Amounts stay numbers; the other shopper is not there.
    charge = next(row for row in rows[1:] if row[1] == "charge")
    assert charge[6] == f"{invoice.total_cents / 100:.2f}"
    assert rows[1][8] == rows[1][8].lstrip("'")
    csv_range = client.get("/billing/history.csv?start=2020-01-01&end=2020-12-31")
    assert 'filename="billing-history-2020-01-01-2020-12-31.csv"' in (
        csv_range.headers["Content-Disposition"])
    assert len(list(csv.reader(io.StringIO(csv_range.data.decode("utf-8-sig"))))) == 1


def test_credit_note_pdf_shows_the_credited_total_and_the_invoice(
    session: Session, client: FlaskClient, login
) -> None:  # type: ignore[no-untyped-def]
    me = make_customer(session)
    order, invoice = make_paid_order(session, me, lines=1)
    outcome = issue_refund(session, order=order, reason="Goodwill", now=utcnow(),
                           amount_cents=1234)
    session.commit()
    login(client, me)
    _, text = pdf_text(client.get(f"/billing/invoices/{outcome.credit_note.number}.pdf").data)
    assert f"Credit note {outcome.credit_note.number}" in text
    assert re.search(r"Total credited\s*\$12\.34", text)
    assert f"Credits invoice: {invoice.number}" in text


def test_card_brands_are_written_as_people_know_them():
    from portal.billing.models import PaymentKind, PaymentMethod
    from portal.billing.service import mask_method

    card = PaymentMethod(kind=PaymentKind.CARD, brand="amex", last4="1005")
    assert mask_method(card) == "American Express •••• 1005"
