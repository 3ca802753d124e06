"""Shopify's REST Admin resources (Order, Fulfillment, Refund, Customer) as webhooks send them,
reduced to the fields the portal reads. Money is a decimal string in the shop's currency;
everything not listed here is ignored, so new Shopify fields never break a delivery."""

from __future__ import annotations

from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Resource(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Money(Resource):
    price: Decimal = Field(default=Decimal(0), ge=0)
    rate: Decimal = Field(default=Decimal(0), ge=0, le=1)


class DiscountAllocation(Resource):
    amount: Decimal = Field(ge=0)


class ShopifyAddress(Resource):
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    province: str | None = None
    zip: str | None = None
    country_code: str | None = None
    phone: str | None = None


class ShopifyCustomer(Resource):
    id: int
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class LineItem(Resource):
    id: int
    sku: str | None = None
    title: str | None = None
    name: str | None = None
    quantity: int = Field(gt=0)
    price: Decimal = Field(ge=0)
    tax_lines: list[Money] = Field(default_factory=list)
    discount_allocations: list[DiscountAllocation] = Field(default_factory=list)


class ShippingLine(Resource):
    price: Decimal = Field(ge=0)
    discounted_price: Decimal | None = Field(default=None, ge=0)
    tax_lines: list[Money] = Field(default_factory=list)
    discount_allocations: list[DiscountAllocation] = Field(default_factory=list)


class FulfillmentLine(Resource):
    id: int
    quantity: int = Field(gt=0)


class Fulfillment(Resource):
    id: int
    order_id: int
    status: str | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime | None = None
    tracking_company: str | None = None
    tracking_number: str | None = None
    tracking_numbers: list[str] = Field(default_factory=list)
    tracking_url: str | None = None
    tracking_urls: list[str] = Field(default_factory=list)
    shipment_status: str | None = None
    line_items: list[FulfillmentLine] = Field(default_factory=list)


class RefundLineItem(Resource):
    line_item_id: int
    quantity: int = Field(gt=0)


class Transaction(Resource):
    id: int | None = None
    amount: Decimal = Field(ge=0)
    kind: str
    status: str | None = None
    currency: str | None = None


class OrderAdjustment(Resource):
    amount: Decimal
    kind: str


class Refund(Resource):
    id: int
    order_id: int
    created_at: AwareDatetime
    note: str | None = None
    refund_line_items: list[RefundLineItem] = Field(default_factory=list)
    transactions: list[Transaction] = Field(default_factory=list)
    order_adjustments: list[OrderAdjustment] = Field(default_factory=list)


class Order(Resource):
    id: int
    name: str = Field(min_length=1, max_length=21)
    email: str | None = None
    contact_email: str | None = None
    created_at: AwareDatetime
    processed_at: AwareDatetime | None = None
    currency: str = Field(min_length=3, max_length=3)
    taxes_included: bool = False
    total_price: Decimal = Field(ge=0)
    total_outstanding: Decimal | None = None
    financial_status: str | None = None
    cancelled_at: AwareDatetime | None = None
    cancel_reason: str | None = None
    payment_gateway_names: list[str] = Field(default_factory=list)
    customer: ShopifyCustomer | None = None
    shipping_address: ShopifyAddress | None = None
    billing_address: ShopifyAddress | None = None
    line_items: list[LineItem] = Field(min_length=1)
    shipping_lines: list[ShippingLine] = Field(default_factory=list)
    fulfillments: list[Fulfillment] = Field(default_factory=list)
    refunds: list[Refund] = Field(default_factory=list)
