"""Credit notes: the document of a refund, built from credited lines, shipping and fees.

Amounts are proportional to the order line (its discount and tax included); cumulative
rounding makes several partial credits of a line add up exactly to the whole line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.billing.documents import credit_note_number, document_totals
from portal.billing.models import Invoice, InvoiceKind, InvoiceLine
from portal.domain import DomainError
from portal.orders.models import Order, OrderLine


class RefundError(DomainError):
    """A refund that would break a rule (more than was paid, more units than were bought...)."""


@dataclass(frozen=True)
class CreditLine:
    """Credit `quantity` units of an order line, with their share of its discount and tax."""

    order_line_id: int
    quantity: int


@dataclass(frozen=True)
class FeeLine:
    """A deduction from the refund, such as a return shipping or restocking fee (untaxed)."""

    description: str
    amount_cents: int


def credited_quantities(session: Session, *, order: Order) -> dict[int, int]:
    """Units of each order line already credited by the order's credit notes."""
    rows = session.execute(
        select(InvoiceLine.order_line_id, func.sum(InvoiceLine.quantity))
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(Invoice.order_id == order.id, Invoice.kind == InvoiceKind.CREDIT_NOTE,
               InvoiceLine.order_line_id.is_not(None))
        .group_by(InvoiceLine.order_line_id)
    )
    return {line_id: int(quantity) for line_id, quantity in rows}


def credit_total_cents(session: Session, *, order: Order, lines: Sequence[CreditLine]) -> int:
    """What crediting these units would come to: their price, discount and tax shares."""
    credited = _credited_lines(session, order=order, lines=lines)
    return document_totals(credited, shipping_cents=0).total_cents


def build_credit_note(
    session: Session, *, order: Order, invoice: Invoice, reason: str, now: datetime,
    lines: Sequence[CreditLine], shipping_cents: int, fees: Sequence[FeeLine],
    amount_cents: int | None,
) -> Invoice:
    note_lines = _credited_lines(session, order=order, lines=lines)
    if shipping_cents:
        credited_shipping = session.scalar(
            select(func.coalesce(func.sum(Invoice.shipping_cents), 0)).where(
                Invoice.order_id == order.id, Invoice.kind == InvoiceKind.CREDIT_NOTE)) or 0
        if shipping_cents > order.shipping_cents - credited_shipping:
            raise RefundError("That is more shipping than is left to credit.")
        note_lines.extend(_shipping_tax_line(session, order=order, before=credited_shipping,
                                             after=credited_shipping + shipping_cents))
    if not note_lines and not shipping_cents:
        if amount_cents is None or amount_cents <= 0:
            raise RefundError("Give the lines to credit or a positive amount.",
                              field="amount_cents")
        note_lines.append(InvoiceLine(description=f"Adjustment: {reason}"[:200], quantity=1,
                                      unit_price_cents=amount_cents, discount_cents=0,
                                      tax_rate_bp=0, tax_cents=0))
    for fee in fees:
        if fee.amount_cents <= 0:
            raise RefundError("A fee must be a positive amount.")
        note_lines.append(InvoiceLine(description=fee.description[:200], quantity=1,
                                      unit_price_cents=-fee.amount_cents, discount_cents=0,
                                      tax_rate_bp=0, tax_cents=0))
    totals = document_totals(note_lines, shipping_cents=shipping_cents)
    if totals.total_cents <= 0:
        raise RefundError("The fees take up the whole refund; there is nothing to refund.")
    derived = bool(lines or shipping_cents)
    if amount_cents is not None and derived and amount_cents != totals.total_cents:
        raise RefundError(f"The amount does not match the credited lines "
                          f"({totals.total_cents} cents).", field="amount_cents")
    existing = session.scalar(select(func.count()).select_from(Invoice).where(
        Invoice.order_id == order.id, Invoice.kind == InvoiceKind.CREDIT_NOTE)) or 0
    return Invoice(
        number=credit_note_number(order, existing + 1), kind=InvoiceKind.CREDIT_NOTE,
        order_id=order.id, customer_id=order.customer_id, credited_invoice_id=invoice.id,
        issued_at=now, currency=invoice.currency, bill_to=dict(invoice.bill_to),
        ship_to=dict(invoice.ship_to), company_name=invoice.company_name,
        tax_id=invoice.tax_id, subtotal_cents=totals.subtotal_cents,
        discount_cents=totals.discount_cents, shipping_cents=totals.shipping_cents,
        tax_cents=totals.tax_cents, total_cents=totals.total_cents, lines=note_lines,
    )


def _shipping_tax_line(session: Session, *, order: Order, before: int,
                       after: int) -> list[InvoiceLine]:
    """Its share of the tax a shop charged on shipping (an order's tax beyond its lines'
    tax, as shop orders can have), so crediting all the shipping gives all that tax back."""
    lines_tax = session.scalar(select(func.coalesce(func.sum(OrderLine.tax_cents), 0)).where(
        OrderLine.order_id == order.id)) or 0
    shipping_tax = order.tax_cents - lines_tax
    if shipping_tax <= 0:
        return []
    share = units_share(shipping_tax, before=before, after=after, of_units=order.shipping_cents)
    return [InvoiceLine(description="Tax on shipping", quantity=1, unit_price_cents=0,
                        discount_cents=0, tax_rate_bp=0, tax_cents=share)] if share else []


def _credited_lines(
    session: Session, *, order: Order, lines: Sequence[CreditLine]
) -> list[InvoiceLine]:
    if not lines:
        return []
    wanted: dict[int, int] = {}
    for line in lines:
        if line.quantity <= 0:
            raise RefundError("Credit at least one unit of each line.", field="lines")
        wanted[line.order_line_id] = wanted.get(line.order_line_id, 0) + line.quantity
    order_lines = {line.id: line for line in session.scalars(
        select(OrderLine).where(OrderLine.order_id == order.id, OrderLine.id.in_(wanted)))}
    if len(order_lines) != len(wanted):
        raise RefundError("A line to credit is not part of this order.", field="lines")
    credited = credited_quantities(session, order=order)
    result = []
    for line_id, quantity in wanted.items():
        line = order_lines[line_id]
        before = credited.get(line_id, 0)
        if before + quantity > line.quantity:
            raise RefundError(f"Only {line.quantity - before} of {line.product_name} can "
                              f"still be credited.", field="lines")
        after = before + quantity
        discount = units_share(line.discount_cents, before=before, after=after,
                               of_units=line.quantity)
        tax = units_share(line.tax_cents, before=before, after=after, of_units=line.quantity)
        result.append(InvoiceLine(
            order_line_id=line.id, sku=line.sku, description=line.product_name,
            quantity=quantity, unit_price_cents=line.unit_price_cents, discount_cents=discount,
            tax_rate_bp=line.tax_rate_bp, tax_cents=tax,
        ))
    return result


def units_share(amount: int, *, before: int, after: int, of_units: int) -> int:
    """The part of a line's amount (its discount or tax) carried by units before+1..after.

    Shares are cumulative (amount * units / of_units, rounded half up, in integers), so a
    line credited or returned in parts adds up exactly to the whole line. Return estimates
    use the same rule, so an estimate equals the credit note that follows it.
    """
    def cumulative(units: int) -> int:
        return (2 * amount * units + of_units) // (2 * of_units)

    return cumulative(after) - cumulative(before)
