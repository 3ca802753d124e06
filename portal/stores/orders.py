"""Store commands for customers and orders: upsert by the shop's id, never a second copy.

An order is priced exactly as the shop charged it (the shop's tax per line, its discounts,
its shipping), then checked with the portal's own rule: lines + shipping - discounts + tax =
total. Its invoice is issued at once under the portal's numbering, and the shopper is sent an
order confirmation the first time the order appears.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.auth.models import Customer, Role
from portal.billing.documents import build_invoice, document_totals, invoice_number
from portal.billing.models import InvoiceLine
from portal.orders.models import Order, OrderLine, OrderStatus, Product
from portal.orders.tracking import refresh_order_status
from portal.store import StorePolicy
from portal.stores import emails
from portal.stores.lookup import ORDER_GRAPH, StoreError, by_external_id, order_for_event
from portal.stores.records import CancelIn, CustomerIn, LineIn, OrderIn


def upsert_customer(session: Session, *, source: str, record: CustomerIn) -> Customer:
    """The shop's customer: found by the shop's id, else by email (any case), else created."""
    email = record.email.strip().lower()
    customer = by_external_id(session, Customer, source=source, external_id=record.external_id)
    if customer is None:
        customer = session.scalar(select(Customer).where(func.lower(Customer.email) == email))
        if customer is not None and customer.external_id is None:
            customer.source, customer.external_id = source, record.external_id
    if customer is None:
        customer = Customer(
            email=email, name=(record.name or email.split("@")[0])[:120],
            # No password: the shopper claims the account by signing up with the order's email.
            password_hash=None, role=Role.SHOPPER, source=source,
            external_id=record.external_id,
        )
        session.add(customer)
        return customer
    if record.name and customer.name != record.name:
        customer.name = record.name[:120]
    if customer.email != email and session.scalar(
            select(func.count()).where(func.lower(Customer.email) == email)) == 0:
        customer.email = email
    return customer


def upsert_order(session: Session, *, source: str, record: OrderIn, policy: StorePolicy,
                 base_url: str | None) -> tuple[Order, bool]:
    """The shop's order, created (with its invoice and confirmation email) or brought up to
    date (addresses); returns it and whether it was new. Without a base URL (a bulk import
    of past orders) nobody is emailed."""
    customer = upsert_customer(session, source=source, record=record.customer)
    order = by_external_id(session, Order, source=source, external_id=record.external_id,
                           options=ORDER_GRAPH)
    if order is not None:
        order.shipping_address = record.shipping_address.as_snapshot()
        order.billing_address = (record.billing_address or record.shipping_address).as_snapshot()
        return order, False
    number = record.number.strip().lstrip("#").upper()
    if session.scalar(select(func.count()).where(Order.number == number)):
        raise StoreError(f"order number {number!r} is already used by another order",
                         field="number")
    lines = [_order_line(session, source=source, line=line) for line in record.lines]
    totals = document_totals(lines, shipping_cents=record.shipping)
    total = totals.total_cents + record.shipping_tax
    if record.total is not None and record.total != total:
        raise StoreError(f"total {record.total} does not add up: lines + shipping - discounts "
                         f"+ tax = {total}", field="total")
    order = Order(
        number=number, customer=customer, status=OrderStatus.PROCESSING,
        placed_at=record.placed_at, currency=record.currency,
        shipping_address=record.shipping_address.as_snapshot(),
        billing_address=(record.billing_address or record.shipping_address).as_snapshot(),
        return_policy=policy.as_snapshot(), lines=lines, shipments=[],
        subtotal_cents=totals.subtotal_cents, discount_cents=totals.discount_cents,
        shipping_cents=totals.shipping_cents, tax_cents=totals.tax_cents + record.shipping_tax,
        total_cents=total, source=source, external_id=record.external_id,
    )
    session.add(order)
    _issue_invoice(session, order=order, customer=customer, shipping_tax=record.shipping_tax)
    if base_url:
        emails.queue_order_confirmation(session, order=order, customer=customer,
                                        base_url=base_url)
    return order, True


def _order_line(session: Session, *, source: str, line: LineIn) -> OrderLine:
    if line.discount > line.quantity * line.unit_price:
        raise StoreError(f"line {line.external_id}: the discount is more than the line",
                         field="discount")
    sku = (line.sku or f"{source}-{line.external_id}")[:40]
    known: dict[str, int] = session.info.setdefault(_PRODUCT_IDS, {})
    if sku in known:  # a bulk import meets the same products again and again
        product = session.get(Product, known[sku])
        if product is not None:
            return _line(product, line)
    product = session.scalar(select(Product).where(Product.sku == sku))
    if product is None:
        product = Product(sku=sku, name=line.name, category="Shop", price_cents=line.unit_price,
                          tax_rate_bp=line.tax_rate_bp)
        session.add(product)
    else:
        known[sku] = product.id
    return _line(product, line)


_PRODUCT_IDS = "store_product_ids"


def _line(product: Product, line: LineIn) -> OrderLine:
    return OrderLine(
        product=product, sku=product.sku, product_name=line.name, quantity=line.quantity,
        unit_price_cents=line.unit_price, discount_cents=line.discount,
        tax_rate_bp=line.tax_rate_bp, tax_cents=line.tax, external_id=line.external_id,
    )


def _issue_invoice(session: Session, *, order: Order, customer: Customer,
                   shipping_tax: int) -> None:
    """The order's invoice as of its date; tax the shop charged on shipping is its own line,
    so the invoice adds up to what the shopper paid."""
    invoice = build_invoice(order, customer=customer, number=invoice_number(order),
                            now=order.placed_at)
    if shipping_tax:
        invoice.lines.append(InvoiceLine(description="Tax on shipping", quantity=1,
                                         unit_price_cents=0, discount_cents=0,
                                         tax_cents=shipping_tax))
        invoice.tax_cents += shipping_tax
        invoice.total_cents += shipping_tax
    session.add(invoice)


def cancel_order(session: Session, *, source: str, record: CancelIn) -> Order:
    """The shop cancelled the order: every unit not in a parcel is cancelled. The money
    comes back through the shop's own refund event, so none is refunded here."""
    order = order_for_event(session, source=source, external_id=record.order_external_id)
    if order.status is OrderStatus.CANCELLED:
        return order
    shipped: dict[int, int] = {}
    for shipment in order.shipments:
        for shipment_line in shipment.lines:
            shipped[shipment_line.order_line_id] = (
                shipped.get(shipment_line.order_line_id, 0) + shipment_line.quantity)
    for line in order.lines:
        line.cancelled_quantity = line.quantity - min(shipped.get(line.id, 0), line.quantity)
    order.cancelled_at = record.cancelled_at
    if order.shipments:
        refresh_order_status(order)
    else:
        order.status = OrderStatus.CANCELLED
    return order
