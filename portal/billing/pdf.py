"""Invoice and credit note PDFs with reportlab's platypus: tables flow over pages and the
line table repeats its header on every page. Figures come from the same DocumentView and
the same Babel formatting as the HTML page."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from portal.billing.service import DocumentView
from portal.store import StorePolicy

Money = Callable[[int], str]
ITEM_WIDTH = 68 * mm
Text = Callable[[object], str]


def _chars(text: str) -> str:
    """Some locales format with a narrow no-break space or a true minus sign, which the
    base-14 fonts' encoding lacks: use the nearest characters it has."""
    return text.replace("\u202f", "\u00a0").replace("\u2212", "-")


def _plain(text: object) -> str:
    """Escaped for reportlab's mini-markup, in characters the base-14 fonts can draw."""
    return _chars(escape(str(text)))


def _address_lines(address: dict[str, object] | None) -> list[str]:
    if not address:
        return []
    city = " ".join(str(part) for part in (address.get("postal_code"), address.get("city"),
                                            address.get("region")) if part)
    parts = [address.get("name"), address.get("line1"), address.get("line2"), city,
             address.get("country")]
    return [str(part) for part in parts if part]


def render_document_pdf(view: DocumentView, *, policy: StorePolicy, money: Money,
                        issued_on: str, status_label: str) -> bytes:
    """The document as PDF bytes; `money(cents)` formats in the document's currency."""
    document = view.document
    caller_money = money

    def money(cents: int) -> str:
        return _chars(caller_money(cents))

    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["Normal"], fontSize=8.5, leading=10.5)
    cell = ParagraphStyle("cell", parent=styles["Normal"], fontSize=9, leading=11)
    buffer = BytesIO()
    pdf = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
        bottomMargin=18 * mm, title=f"{view.title} {document.number}",
        author=policy.legal_name, subject=f"{view.title} {document.number}",
    )

    def para(text: object, style: ParagraphStyle = cell) -> Paragraph:
        return Paragraph(_plain(text), style)

    def block(lines: list[str], heading: str) -> Paragraph:
        body = "<br/>".join(_plain(line) for line in lines)
        return Paragraph(f"<b>{_plain(heading)}</b><br/>{body}", small)

    story: list[object] = [
        Paragraph(_plain(f"{view.title} {document.number}"), styles["Title"]),
        Table([[block([policy.legal_name, *policy.legal_address, f"Tax ID: {policy.tax_id}"],
                      "From"),
                block([f"Issued: {issued_on}", f"Order: {document.order.number}",
                       f"Status: {status_label}"]
                      + ([f"Credits invoice: {document.credited_invoice.number}"]
                         if document.credited_invoice else []), "Details")]],
              colWidths=["50%", "50%"], style=[("VALIGN", (0, 0), (-1, -1), "TOP")]),
        Spacer(1, 4 * mm),
    ]
    bill_to = _address_lines(document.bill_to)
    if document.company_name:
        bill_to.insert(0, document.company_name)
    if document.tax_id:
        bill_to.append(f"Tax ID: {document.tax_id}")
    story.append(Table([[block(bill_to, "Bill to"), block(_address_lines(document.ship_to),
                                                          "Ship to")]],
                       colWidths=["50%", "50%"], style=[("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(Spacer(1, 6 * mm))

    rows: list[list[object]] = [["Item", "Qty", "Unit price", "Discount", "Tax", "Amount"]]
    for line in document.lines:
        item = line.description + (f" ({line.sku})" if line.sku else "")
        # A Paragraph (which wraps) costs far more than a string: only where one is needed.
        fits = stringWidth(_chars(item), "Helvetica", 9) < ITEM_WIDTH - 12
        rows.append([_chars(item) if fits else para(item), str(line.quantity),
                     money(line.unit_price_cents),
                     money(line.discount_cents) if line.discount_cents else "",
                     f"{line.tax_rate_bp / 100:g}%" if line.tax_rate_bp else "",
                     money(line.net_cents)])
    table = Table(rows, colWidths=[ITEM_WIDTH, 12 * mm, 24 * mm, 22 * mm, 14 * mm, 26 * mm],
                  repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story += [table, Spacer(1, 5 * mm)]

    totals: list[list[str]] = [["Subtotal", money(document.subtotal_cents)]]
    if document.discount_cents:
        totals.append(["Discounts", money(-document.discount_cents)])
    totals.append(["Shipping", money(document.shipping_cents)])
    for rate in view.tax_rates:
        totals.append([f"Tax {rate.percent} on {money(rate.net_cents)}", money(rate.tax_cents)])
    totals.append(["Total credited" if view.is_credit_note else "Total",
                   money(document.total_cents)])
    if view.credited_cents:
        totals.append(["Refunded by credit notes", money(-view.credited_cents)])
    summary = Table(totals, colWidths=[60 * mm, 30 * mm], hAlign="RIGHT")
    total_row = len(totals) - (2 if view.credited_cents else 1)
    summary.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
        ("FONT", (0, total_row), (-1, total_row), "Helvetica-Bold", 10),
        ("LINEABOVE", (0, total_row), (-1, total_row), 0.8, colors.black),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
    ]))
    story.append(summary)
    if document.credit_notes:
        story += [Spacer(1, 5 * mm), block([f"{note.number}: {money(note.total_cents)}"
                                            for note in document.credit_notes], "Credit notes")]
    story += [Spacer(1, 8 * mm),
              Paragraph(_plain(f"{policy.legal_name} · {policy.support_email}"), small)]

    def footer(canvas: object, doc: object) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont("Helvetica", 8)  # type: ignore[attr-defined]
        canvas.drawRightString(  # type: ignore[attr-defined]
            A4[0] - 18 * mm, 10 * mm, f"{document.number} · page {doc.page}")  # type: ignore[attr-defined]
        canvas.restoreState()  # type: ignore[attr-defined]

    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
