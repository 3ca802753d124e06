"""The prepaid return label: a PDF with a Code 128 barcode, a QR code and packing steps."""

from __future__ import annotations

import io
from collections.abc import Sequence

import segno
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from portal.returns.models import ReturnRequest
from portal.store import StorePolicy

MAX_ITEM_LINES = 25  # what fits below the label on one page
PACKING_STEPS = (
    "Put the items in their original packaging if you still have it.",
    "Add a slip of paper with the return number {rma} inside the parcel.",
    "Tape this label to the outside of the parcel, covering any old labels.",
    "Drop the parcel at any {carrier} location; the label is prepaid.",
    "Keep the drop-off receipt until your refund arrives.",
)


def _address_lines(address: dict[str, object]) -> list[str]:
    city = " ".join(
        str(part) for part in (address.get("city"), address.get("region"),
                               address.get("postal_code")) if part
    )
    lines = [address.get("name"), address.get("line1"), address.get("line2"), city,
             address.get("country")]
    return [str(line) for line in lines if line]


def _draw_qr(canvas: Canvas, data: str, *, x: float, y: float, size: float) -> None:
    """Draws the QR matrix as squares, so the code stays vector-sharp at any print size."""
    qr = segno.make_qr(data, error="m")
    rows = list(qr.matrix_iter(border=2))
    module = size / len(rows)
    for row_index, row in enumerate(rows):
        for col_index, dark in enumerate(row):
            if dark:
                canvas.rect(x + col_index * module, y + size - (row_index + 1) * module,
                            module, module, stroke=0, fill=1)


def _text_block(canvas: Canvas, lines: Sequence[str], *, x: float, y: float,
                leading: float = 13) -> float:
    for line in lines:
        canvas.drawString(x, y, line)
        y -= leading
    return y


def render_label(
    request: ReturnRequest, *, policy: StorePolicy, item_lines: Sequence[str]
) -> bytes:
    """The label page: a 4x6 inch label on a letter page, and what goes in the parcel."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, pageCompression=1)
    canvas.setTitle(f"Return label {request.rma_number}")
    canvas.setAuthor(policy.store_name)
    width, height = LETTER
    carrier = (policy.carriers[0] if policy.carriers else "carrier").upper()

    left, top = 0.75 * inch, height - 0.75 * inch
    label_w, label_h = 6 * inch, 4 * inch
    canvas.setLineWidth(1.5)
    canvas.rect(left, top - label_h, label_w, label_h)
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(left + 12, top - 24, f"{carrier} PREPAID RETURN")
    canvas.setFont("Helvetica", 9)
    canvas.drawRightString(left + label_w - 12, top - 22, "Postage paid by the merchant")

    canvas.setFont("Helvetica-Bold", 9)
    canvas.drawString(left + 12, top - 46, "FROM")
    canvas.setFont("Helvetica", 9)
    _text_block(canvas, _address_lines(request.order.shipping_address), x=left + 12,
                y=top - 58, leading=11)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(left + 3.1 * inch, top - 46, "SHIP TO")
    canvas.setFont("Helvetica-Bold", 11)
    _text_block(canvas, [f"{policy.legal_name} Returns", *policy.legal_address],
                x=left + 3.1 * inch, y=top - 60, leading=13)

    barcode = Code128(request.rma_number, barHeight=0.9 * inch, barWidth=1.6, quiet=True)
    barcode.drawOn(canvas, left + 12, top - label_h + 0.75 * inch)
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(left + 24, top - label_h + 0.45 * inch, request.rma_number)
    canvas.setFont("Helvetica", 8)
    canvas.drawString(left + 24, top - label_h + 0.25 * inch,
                      f"Order {request.order.number}")
    _draw_qr(canvas, request.rma_number, x=left + label_w - 1.75 * inch,
             y=top - label_h + 0.2 * inch, size=1.55 * inch)

    canvas.setDash(4, 4)
    canvas.line(0.5 * inch, top - label_h - 0.3 * inch, width - 0.5 * inch,
                top - label_h - 0.3 * inch)
    canvas.setDash()
    y = top - label_h - 0.75 * inch
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawString(left, y, f"Packing instructions for return {request.rma_number}")
    canvas.setFont("Helvetica", 10)
    steps = [f"{n}. " + step.format(rma=request.rma_number, carrier=carrier)
             for n, step in enumerate(PACKING_STEPS, start=1)]
    y = _text_block(canvas, steps, x=left, y=y - 20, leading=15)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(left, y - 10, "In this parcel")
    canvas.setFont("Helvetica", 10)
    shown = list(item_lines[:MAX_ITEM_LINES])
    if len(item_lines) > MAX_ITEM_LINES:
        shown.append(f"... and {len(item_lines) - MAX_ITEM_LINES} more (see your return page)")
    _text_block(canvas, shown, x=left, y=y - 26, leading=14)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
