"""Shopify's webhook topics, each turned into the portal's store commands.

Every orders/* topic carries the whole Order, so each of them brings the portal's copy up to
date the same way: the order (created on first sight, whatever topic comes first), its
payment (from financial_status), its fulfillments' parcels, its cancellation and refunds.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.billing.models import PaymentKind, PaymentStatus
from portal.money import to_cents
from portal.orders.models import Order as PortalOrder
from portal.orders.models import ShipmentStatus
from portal.stores import orders, parcels, payments
from portal.stores.context import Applied, StoreContext
from portal.stores.lookup import StoreError, UnknownOrder
from portal.stores.records import (
    CancelIn,
    CustomerIn,
    OrderIn,
    PaymentIn,
    RefundIn,
    ShipmentIn,
    ShippedLineIn,
    parse,
)
from portal.stores.shopify_payloads import (
    Fulfillment,
    Order,
    Refund,
    ShopifyAddress,
    ShopifyCustomer,
)

SOURCE = "shopify"

PAYMENT_STATUSES = {
    "authorized": PaymentStatus.PENDING, "pending": PaymentStatus.PENDING,
    "paid": PaymentStatus.CAPTURED, "partially_refunded": PaymentStatus.CAPTURED,
    "refunded": PaymentStatus.CAPTURED, "voided": PaymentStatus.FAILED,
}

SHIPMENT_STATUSES = {
    "label_printed": ShipmentStatus.INFO_RECEIVED,
    "label_purchased": ShipmentStatus.INFO_RECEIVED,
    "confirmed": ShipmentStatus.IN_TRANSIT,
    "in_transit": ShipmentStatus.IN_TRANSIT,
    "out_for_delivery": ShipmentStatus.OUT_FOR_DELIVERY,
    "attempted_delivery": ShipmentStatus.FAILED_ATTEMPT,
    "ready_for_pickup": ShipmentStatus.AVAILABLE_FOR_PICKUP,
    "picked_up": ShipmentStatus.DELIVERED,
    "delivered": ShipmentStatus.DELIVERED,
    "failure": ShipmentStatus.EXCEPTION,
}


def _address(address: ShopifyAddress | None, fallback_name: str) -> dict[str, Any] | None:
    if address is None:
        return None
    name = address.name or " ".join(p for p in (address.first_name, address.last_name) if p)
    return {"name": name or fallback_name, "line1": address.address1, "line2": address.address2,
            "city": address.city, "region": address.province, "postal_code": address.zip or "",
            "country": address.country_code, "phone": address.phone}


def _customer(order: Order) -> CustomerIn:
    customer: ShopifyCustomer | None = order.customer
    email = (customer.email if customer else None) or order.email or order.contact_email
    if not email:
        raise StoreError("the order has no email to reach the shopper by", field="email")
    name = " ".join(p for p in ((customer.first_name, customer.last_name) if customer else ())
                    if p) or None
    external_id = str(customer.id) if customer else f"guest:{email.lower()}"
    return parse(CustomerIn, {"external_id": external_id, "email": email, "name": name})


def order_record(order: Order) -> OrderIn:
    """Shopify's Order in the portal's terms: line tax and discounts exactly as charged."""
    if order.taxes_included:
        raise StoreError("prices that include tax are not supported yet",
                         field="taxes_included")
    currency = order.currency.upper()
    customer = _customer(order)
    shipping = sum((line.discounted_price if line.discounted_price is not None else
                    line.price - sum((d.amount for d in line.discount_allocations), Decimal(0)))
                   for line in order.shipping_lines)
    shipping_tax = sum(tax.price for line in order.shipping_lines for tax in line.tax_lines)
    ship_to = _address(order.shipping_address, customer.name or customer.email)
    bill_to = _address(order.billing_address, customer.name or customer.email)
    return parse(OrderIn, {
        "external_id": str(order.id), "number": order.name, "customer": customer,
        "placed_at": order.processed_at or order.created_at, "currency": currency,
        "lines": [{
            "external_id": str(line.id), "sku": line.sku or None,
            "name": line.name or line.title or f"Item {line.id}", "quantity": line.quantity,
            "unit_price": to_cents(line.price, currency),
            "discount": to_cents(sum((d.amount for d in line.discount_allocations),
                                           Decimal(0)), currency),
            "tax": to_cents(sum((t.price for t in line.tax_lines), Decimal(0)), currency),
            "tax_rate_bp": int(sum((t.rate for t in line.tax_lines), Decimal(0)) * 10_000),
        } for line in order.line_items],
        "shipping": to_cents(Decimal(shipping), currency),
        "shipping_tax": to_cents(Decimal(shipping_tax), currency),
        "shipping_address": ship_to or bill_to, "billing_address": bill_to,
        "total": to_cents(order.total_price, currency),
    })


def _payment(order: Order) -> PaymentIn | None:
    status = PAYMENT_STATUSES.get(order.financial_status or "")
    if status is None or order.total_price <= 0:
        return None
    gateway = " ".join(order.payment_gateway_names).lower()
    kind = (PaymentKind.PAYPAL if "paypal" in gateway else
            PaymentKind.GIFT_CARD if gateway == "gift_card" else PaymentKind.CARD)
    return PaymentIn(external_id=str(order.id), order_external_id=str(order.id),
                     amount=to_cents(order.total_price, order.currency), kind=kind, status=status,
                     created_at=order.processed_at or order.created_at)


def shipment_records(fulfillment: Fulfillment) -> list[ShipmentIn]:
    """One parcel per tracking number; the fulfilled lines travel with the first one."""
    numbers = fulfillment.tracking_numbers or (
        [fulfillment.tracking_number] if fulfillment.tracking_number else [])
    urls = fulfillment.tracking_urls or ([fulfillment.tracking_url] * len(numbers))
    status = SHIPMENT_STATUSES.get(fulfillment.shipment_status or "",
                                   ShipmentStatus.INFO_RECEIVED)
    lines = [ShippedLineIn(line_external_id=str(line.id), quantity=line.quantity)
             for line in fulfillment.line_items]
    return [parse(ShipmentIn, {
        "external_id": f"{fulfillment.id}:{number}", "order_external_id": str(fulfillment.order_id),
        "carrier": fulfillment.tracking_company or "other", "tracking_number": number,
        "tracking_url": urls[index] if index < len(urls) else None, "status": status,
        "shipped_at": fulfillment.created_at, "lines": lines if index == 0 else [],
    }) for index, number in enumerate(numbers)]


def refund_record(refund: Refund, currency: str) -> RefundIn | None:
    """The money Shopify paid back (successful refund transactions), or None if it paid
    nothing back (a restock-only refund)."""
    paid_back = sum((t.amount for t in refund.transactions
                     if t.kind == "refund" and t.status in (None, "success")), Decimal(0))
    if paid_back <= 0:
        return None
    shipping = -sum((a.amount for a in refund.order_adjustments if a.kind == "shipping_refund"),
                    Decimal(0))
    return parse(RefundIn, {
        "external_id": str(refund.id), "order_external_id": str(refund.order_id),
        "amount": to_cents(paid_back, currency), "reason": (refund.note or "Refund")[:200],
        "created_at": refund.created_at,
        "shipping": to_cents(max(shipping, Decimal(0)), currency),
        "lines": [{"line_external_id": str(line.line_item_id), "quantity": line.quantity}
                  for line in refund.refund_line_items],
    })


def sync_order(session: Session, context: StoreContext, payload: Any) -> Applied:
    """Any orders/* topic: the order and everything it carries, brought up to date."""
    order = parse(Order, payload)
    record = order_record(order)
    portal_order, created = orders.upsert_order(session, source=SOURCE, record=record,
                                                policy=context.policy, base_url=context.base_url)
    payment = _payment(order)
    if payment is not None:
        payments.record_payment(session, source=SOURCE, record=payment)
    for fulfillment in order.fulfillments:
        _sync_fulfillment(session, context, fulfillment)
    if order.cancelled_at is not None:
        orders.cancel_order(session, source=SOURCE, record=CancelIn(
            order_external_id=str(order.id), cancelled_at=order.cancelled_at))
    for refund in order.refunds:
        refund_in = refund_record(refund, record.currency)
        if refund_in is not None:
            payments.record_refund(session, source=SOURCE, record=refund_in)
    return Applied(order_number=portal_order.number, created=created)


def _sync_fulfillment(session: Session, context: StoreContext, fulfillment: Fulfillment) -> None:
    if fulfillment.status in ("cancelled", "error", "failure"):
        return
    for shipment in shipment_records(fulfillment):
        parcels.record_shipment(session, source=SOURCE, record=shipment,
                                base_url=context.base_url)


def sync_fulfillment(session: Session, context: StoreContext, payload: Any) -> Applied:
    fulfillment = parse(Fulfillment, payload)
    _sync_fulfillment(session, context, fulfillment)
    return Applied(order_number=_order_number(session, fulfillment.order_id))


def sync_refund(session: Session, context: StoreContext, payload: Any) -> Applied:
    refund = parse(Refund, payload)
    number = _order_number(session, refund.order_id)
    currency = session.scalar(select(PortalOrder.currency).where(
        PortalOrder.source == SOURCE, PortalOrder.external_id == str(refund.order_id)))
    record = refund_record(refund, currency or "USD")
    if record is not None:
        payments.record_refund(session, source=SOURCE, record=record)
    return Applied(order_number=number)


def sync_customer(session: Session, context: StoreContext, payload: Any) -> Applied:
    customer = parse(ShopifyCustomer, payload)
    if not customer.email:
        return Applied(ignored="a customer without an email cannot sign in to the portal")
    record = parse(CustomerIn, {"external_id": str(customer.id), "email": customer.email,
                                "name": " ".join(p for p in (customer.first_name,
                                                             customer.last_name) if p) or None})
    orders.upsert_customer(session, source=SOURCE, record=record)
    return Applied()


def _order_number(session: Session, order_id: int) -> str:
    number = session.scalar(select(PortalOrder.number).where(
        PortalOrder.source == SOURCE, PortalOrder.external_id == str(order_id)))
    if number is None:
        raise UnknownOrder(str(order_id))
    return number


Handler = Callable[[Session, StoreContext, Any], Applied]

TOPICS: dict[str, Handler] = {
    **dict.fromkeys(("orders/create", "orders/updated", "orders/paid", "orders/cancelled",
                     "orders/fulfilled", "orders/partially_fulfilled"), sync_order),
    "fulfillments/create": sync_fulfillment,
    "fulfillments/update": sync_fulfillment,
    "refunds/create": sync_refund,
    "customers/create": sync_customer,
    "customers/update": sync_customer,
}
