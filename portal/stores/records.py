"""What a shop tells the portal, in the portal's own terms: the input of every store command.

The generic store API takes exactly these shapes (their JSON Schema is in the OpenAPI file);
the Shopify adapter translates Shopify's resources into them. Money is integer minor units
of the order's currency; times carry a zone.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from babel.numbers import get_currency_name
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from portal.billing.models import PaymentKind, PaymentStatus
from portal.orders.models import ShipmentStatus
from portal.stores.lookup import BadRecord

Parsed = TypeVar("Parsed", bound=BaseModel)

Text = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
ExternalId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00]*$")]
Cents = Annotated[int, Field(ge=0, le=10**12)]


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)


class AddressIn(Record):
    name: Text
    line1: Text
    line2: Text | None = None
    city: Text
    region: Text | None = None
    postal_code: Annotated[str, Field(max_length=20)] = ""
    country: Annotated[str, Field(min_length=2, max_length=2)]
    phone: Annotated[str, Field(max_length=40)] | None = None

    def as_snapshot(self) -> dict[str, str | None]:
        return self.model_dump()


class CustomerIn(Record):
    external_id: ExternalId
    email: Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s\x00]+@[^@\s\x00]+$")]
    name: Text | None = None


class LineIn(Record):
    external_id: ExternalId
    sku: Annotated[str, Field(max_length=40)] | None = None
    name: Text
    quantity: Annotated[int, Field(gt=0, le=100_000)]
    unit_price: Cents
    discount: Cents = 0
    tax: Cents = 0
    tax_rate_bp: Annotated[int, Field(ge=0, le=10_000)] = 0


class OrderIn(Record):
    external_id: ExternalId
    number: Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[^\x00/]*$")]
    customer: CustomerIn
    placed_at: AwareDatetime
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=500)]
    shipping: Cents = 0
    shipping_tax: Cents = 0
    shipping_address: AddressIn
    billing_address: AddressIn | None = None
    total: Cents | None = Field(
        default=None, description="The shop's total, checked against the lines when given")

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        code = value.upper()
        if not code.isalpha() or get_currency_name(code) == code:
            raise ValueError(f"currency {value!r} is not an ISO 4217 code the portal formats")
        return code


class PaymentIn(Record):
    external_id: ExternalId
    order_external_id: ExternalId
    amount: Annotated[int, Field(gt=0, le=10**12)]
    kind: PaymentKind = PaymentKind.CARD
    brand: Annotated[str, Field(max_length=20)] | None = None
    last4: Annotated[str, Field(pattern=r"^[0-9]{4}$")] | None = None
    status: PaymentStatus = PaymentStatus.CAPTURED
    created_at: AwareDatetime


class ShippedLineIn(Record):
    line_external_id: ExternalId
    quantity: Annotated[int, Field(gt=0, le=100_000)]


class ShipmentIn(Record):
    external_id: ExternalId
    order_external_id: ExternalId
    carrier: Annotated[str, Field(min_length=1, max_length=60)]
    tracking_number: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[^\x00]*$")]
    tracking_url: Annotated[str, Field(max_length=500, pattern=r"^https?://[^\x00\s]*$")] | None = (
        None)
    status: ShipmentStatus = ShipmentStatus.INFO_RECEIVED
    shipped_at: AwareDatetime
    lines: list[ShippedLineIn] = Field(default_factory=list, max_length=500)


class RefundIn(Record):
    external_id: ExternalId
    order_external_id: ExternalId
    amount: Annotated[int, Field(gt=0, le=10**12)]
    reason: Text = "Refund from the shop"
    created_at: AwareDatetime
    lines: list[ShippedLineIn] = Field(default_factory=list, max_length=500)
    shipping: Cents = 0


class CancelIn(Record):
    order_external_id: ExternalId
    cancelled_at: AwareDatetime


def parse(model: type[Parsed], payload: Any) -> Parsed:
    """The payload as `model`, or BadRecord naming the first field that is wrong."""
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        raise BadRecord(f"{field}: {first['msg']}", field=field) from None
