"""One demo order from a plan: lines priced like place_order, then its whole life (payment,
shipments and tracking, cancellation, returns and refunds, a support request)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from portal.demo import ledger
from portal.demo.aftercare import STORE_FAULT, Numbers, add_request, add_return
from portal.demo.catalog import CatalogItem
from portal.demo.ledger import CreditBook, DocumentLine, DraftPayment
from portal.demo.people import Shopper, Staff
from portal.demo.rows import RowWriter
from portal.demo.tracking import Outcome, ShipmentResult, add_shipment
from portal.orders.models import Order, OrderLine, OrderStatus, ShipmentStatus
from portal.orders.pricing import Totals, line_tax_cents, totals_for
from portal.returns.models import ReturnReason, ReturnResolution, ReturnStatus
from portal.store import StorePolicy
from portal.support.models import RequestStatus


class Kind(StrEnum):
    PROCESSING = "processing"
    SHIPPED = "shipped"
    PARTIALLY_SHIPPED = "partially_shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"
    PARTIALLY_REFUNDED = "partially_refunded"


@dataclass(frozen=True)
class Plan:
    """What happens to an order; the clock (`now`) decides how far it has got."""

    kind: Kind
    outcome: Outcome = Outcome.NORMAL
    carrier: str | None = None
    lines: int | None = None
    digital: bool = False
    payment: str = "card"  # card | paypal | gift_card | credit | declined
    return_status: ReturnStatus | None = None  # an open (or closed) return on a delivered order
    resolution: ReturnResolution = ReturnResolution.REFUND
    request: tuple[str, RequestStatus] | None = None


@dataclass
class DraftLine:
    id: int
    item: CatalogItem
    quantity: int
    discount_cents: int
    unit_price_cents: int = 0
    tax_rate_bp: int = 0
    tax_cents: int = 0

    def __post_init__(self) -> None:
        self.unit_price_cents = self.item.price_cents
        self.tax_rate_bp = self.item.tax_rate_bp
        self.tax_cents = line_tax_cents(
            quantity=self.quantity, unit_price_cents=self.unit_price_cents,
            discount_cents=self.discount_cents, tax_rate_bp=self.tax_rate_bp,
        )


@dataclass
class DraftOrder:
    id: int
    number: str
    shopper: Shopper
    placed_at: datetime
    currency: str
    address: dict[str, object]
    lines: list[DraftLine]
    totals: Totals
    invoice_id: int | None = None
    payments: list[DraftPayment] = field(default_factory=list)
    payment_count: int = 0
    credit_notes: int = 0


@dataclass
class Context:
    writer: RowWriter
    rng: random.Random
    numbers: Numbers
    book: CreditBook
    policy: StorePolicy
    now: datetime
    catalog: list[CatalogItem]
    staff: list[Staff]

    def __post_init__(self) -> None:
        self.physical = [item for item in self.catalog if not item.is_digital]
        self.returnable = [item for item in self.physical if item.is_returnable]
        self.digital = [item for item in self.catalog if item.is_digital]


_LINE_COUNTS = (1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6)


def _pick_lines(ctx: Context, plan: Plan) -> list[tuple[CatalogItem, int]]:
    rng = ctx.rng
    count = plan.lines or rng.choice(_LINE_COUNTS)
    needs_return = plan.kind in (Kind.RETURNED, Kind.PARTIALLY_REFUNDED) or plan.return_status
    if plan.kind is Kind.PARTIALLY_SHIPPED or plan.kind is Kind.PARTIALLY_REFUNDED:
        count = max(count, 2)
    items = [rng.choice(ctx.returnable)] if needs_return else []
    while len(items) < count:
        item = rng.choice(ctx.physical)
        if item not in items:
            items.append(item)
    if plan.digital or (plan.lines is None and rng.random() < 0.06):
        items.append(rng.choice(ctx.digital))
    return [(item, 1 if item.is_digital or rng.random() < 0.8 else rng.randint(2, 3))
            for item in items]


def _price(ctx: Context, shopper: Shopper, plan: Plan, placed_at: datetime) -> DraftOrder:
    """Lines and totals exactly as portal.orders.placing.place_order derives them."""
    promo = ctx.rng.random() < 0.15
    lines = []
    for item, quantity in _pick_lines(ctx, plan):
        discount = (item.price_cents * quantity) // 10 if promo and not item.is_digital else 0
        lines.append(DraftLine(ctx.writer.next_id(OrderLine), item, quantity, discount))
    net = sum(line.quantity * line.unit_price_cents - line.discount_cents for line in lines)
    policy = ctx.policy
    shipping = 0 if net >= policy.free_shipping_threshold_cents else policy.standard_shipping_cents
    order_id = ctx.writer.next_id(Order)
    address = shopper.address
    if shopper.other_address is not None and ctx.rng.random() < 0.2:
        address = shopper.other_address
    return DraftOrder(order_id, f"NW{1_000_000 + order_id}", shopper, placed_at, policy.currency,
                      address, lines, totals_for(lines, shipping_cents=shipping))


def _ship(ctx: Context, order: DraftOrder, plan: Plan) -> tuple[list[ShipmentResult], bool]:
    """Ships the physical lines (part of them for a partial shipment); returns the results
    and whether every physical unit has left."""
    rng, now = ctx.rng, ctx.now
    physical = [line for line in order.lines if not line.item.is_digital]
    if not physical:
        return [], True
    groups = [physical]
    if plan.kind is Kind.PARTIALLY_SHIPPED:
        cut = max(1, len(physical) // 2)
        groups = [physical[:cut]]
    elif len(physical) > 2 and rng.random() < 0.15:
        groups = [physical[:1], physical[1:]]
    results = []
    shipped_at = order.placed_at + timedelta(hours=rng.uniform(8, 30))
    for number, group in enumerate(groups):
        shipped_at = min(shipped_at + timedelta(days=number * rng.uniform(1, 3)),
                         now - timedelta(minutes=30))
        carrier = plan.carrier or rng.choice(ctx.policy.carriers)
        destination = f"{order.address['city']}, {order.address['region']}"
        outcome = plan.outcome if number == 0 else Outcome.NORMAL
        results.append(add_shipment(
            ctx.writer, rng, order_id=order.id, carrier=carrier,
            lines=[(line.id, line.quantity) for line in group], shipped_at=shipped_at,
            destination=destination, outcome=outcome, now=now,
        ))
    return results, plan.kind is not Kind.PARTIALLY_SHIPPED


def _return(
    ctx: Context, order: DraftOrder, plan: Plan, delivered_at: datetime
) -> tuple[OrderStatus | None, datetime]:
    """The return (and refund) the plan asks for; returns a new order status if any."""
    rng, now = ctx.rng, ctx.now
    candidates = [line for line in order.lines if line.item.is_returnable]
    opened_at = min(delivered_at + timedelta(days=rng.uniform(1, 12)), now - timedelta(hours=2))
    if plan.kind is Kind.PARTIALLY_REFUNDED and (len(candidates) < 2 or rng.random() < 0.3):
        amount = max(order.totals.total_cents // 10, 100)
        ledger.refund(ctx.writer, ctx.book, order, at=opened_at, now=now,
                      lines=[ledger.adjustment_line("goodwill credit for a late parcel", amount)],
                      reason="Goodwill credit for a late parcel")
        return None, opened_at
    chosen = candidates if plan.kind is Kind.RETURNED else candidates[:1]
    reason = rng.choice(list(ReturnReason))
    claims = [(line, line.quantity if plan.kind is Kind.RETURNED else 1) for line in chosen]
    lines = [ledger.line_part(line, quantity) for line, quantity in claims]
    items = sum(line.quantity * line.unit_price_cents - line.discount_cents + line.tax_cents
                for line in lines)
    fee = ctx.policy.return_shipping_fee_cents
    if reason not in STORE_FAULT and items > 2 * fee:
        lines.append(DocumentLine(None, None, "Return shipping fee", 1, -fee, 0, 0, 0))
        items -= fee
    bonus = 0
    if plan.resolution is ReturnResolution.STORE_CREDIT:
        bonus = (2 * items * ctx.policy.store_credit_bonus_percent + 100) // 200
    status = plan.return_status or ReturnStatus.REFUNDED
    return_id, last_at = add_return(
        ctx.writer, rng, ctx.numbers, order_id=order.id, customer_id=order.shopper.id,
        lines=[(line.id, quantity, reason) for line, quantity in claims], status=status,
        resolution=plan.resolution, estimate_cents=items + bonus, opened_at=opened_at, now=now,
    )
    if status is not ReturnStatus.REFUNDED:
        return None, last_at
    ledger.refund(
        ctx.writer, ctx.book, order, at=last_at, now=now, lines=lines,
        reason=f"Return of order {order.number}",
        to_store_credit=plan.resolution is ReturnResolution.STORE_CREDIT, bonus_cents=bonus,
        return_request_id=return_id,
    )
    everything = all(line.item.is_digital or line in chosen for line in order.lines)
    return (OrderStatus.RETURNED if everything else None), last_at


def build_order(ctx: Context, shopper: Shopper, placed_at: datetime, plan: Plan) -> None:
    """Queues one order and everything that happened to it up to `ctx.now`."""
    order = _price(ctx, shopper, plan, placed_at)
    ledger.issue_invoice(ctx.writer, order)
    ledger.take_payment(ctx.writer, ctx.rng, ctx.book, order, style=plan.payment)
    status, cancelled_at, cancelled = OrderStatus.PROCESSING, None, False
    last_activity = placed_at
    if plan.kind is Kind.CANCELLED:
        cancelled = True
        cancelled_at = min(placed_at + timedelta(hours=ctx.rng.uniform(0.5, 20)), ctx.now)
        status = OrderStatus.CANCELLED
        ledger.refund(ctx.writer, ctx.book, order, at=cancelled_at, now=ctx.now,
                      lines=[ledger.line_part(line, line.quantity) for line in order.lines],
                      shipping_cents=order.totals.shipping_cents,
                      reason="Order cancelled before it shipped")
    elif plan.kind is not Kind.PROCESSING:
        shipments, complete = _ship(ctx, order, plan)
        delivered = [s.delivered_at for s in shipments if s.status is ShipmentStatus.DELIVERED]
        if not shipments:
            status = OrderStatus.DELIVERED
        elif not complete:
            status = OrderStatus.PARTIALLY_SHIPPED
        elif len(delivered) == len(shipments):
            status = OrderStatus.DELIVERED
        else:
            status = OrderStatus.SHIPPED
        wants_return = plan.kind in (Kind.RETURNED, Kind.PARTIALLY_REFUNDED) or plan.return_status
        if status is OrderStatus.DELIVERED and wants_return:
            done_at = max([d for d in delivered if d] or [placed_at])
            new_status, last_activity = _return(ctx, order, plan, done_at)
            status = new_status or status
    ctx.writer.add(
        Order, id=order.id, number=order.number, customer_id=shopper.id, status=status,
        placed_at=placed_at, currency=order.currency, subtotal_cents=order.totals.subtotal_cents,
        discount_cents=order.totals.discount_cents, shipping_cents=order.totals.shipping_cents,
        tax_cents=order.totals.tax_cents, total_cents=order.totals.total_cents,
        shipping_address=order.address, billing_address=order.address,
        return_policy=ctx.policy.as_snapshot(), cancelled_at=cancelled_at,
    )
    for line in order.lines:
        ctx.writer.add(
            OrderLine, id=line.id, order_id=order.id, product_id=line.item.id,
            sku=line.item.sku, product_name=line.item.name, quantity=line.quantity,
            unit_price_cents=line.unit_price_cents, discount_cents=line.discount_cents,
            tax_rate_bp=line.tax_rate_bp, tax_cents=line.tax_cents,
            cancelled_quantity=line.quantity if cancelled else 0,
        )
    if plan.request is not None:
        category, request_status = plan.request
        opened_at = min(max(last_activity, placed_at) + timedelta(hours=ctx.rng.uniform(2, 48)),
                        ctx.now - timedelta(hours=1))
        add_request(ctx.writer, ctx.rng, ctx.numbers, shopper=shopper, staff=ctx.staff,
                    category=category, status=request_status, opened_at=opened_at, now=ctx.now,
                    order=(order.id, order.number))
