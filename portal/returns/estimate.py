"""What a return gives back: the item price share with tax, less the fees the policy sets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from portal.billing.credit_notes import units_share
from portal.orders.models import OrderLine
from portal.returns.models import ReturnReason, ReturnResolution
from portal.returns.policy import ReturnRules

# The store pays for its own mistakes: no fees when an item arrived damaged or wrong.
STORE_FAULT_REASONS = frozenset({ReturnReason.DAMAGED, ReturnReason.WRONG_ITEM})


@dataclass(frozen=True)
class LineClaim:
    """Units of one order line going back, with what the line cost in total."""

    order_line_id: int
    line_quantity: int
    unit_price_cents: int
    line_discount_cents: int  # the discount of the whole line
    line_tax_cents: int  # the tax of the whole line
    quantity: int
    reason: ReturnReason | None
    earlier_quantity: int = 0  # units of the line claimed by earlier returns

    @property
    def is_store_fault(self) -> bool:
        return self.reason in STORE_FAULT_REASONS


@dataclass(frozen=True)
class LineRefund:
    order_line_id: int
    quantity: int
    item_cents: int
    restocking_fee_cents: int


@dataclass(frozen=True)
class RefundEstimate:
    lines: tuple[LineRefund, ...]
    item_cents: int
    restocking_fee_cents: int
    shipping_fee_cents: int
    shipping_fee_waived: bool
    refund_cents: int  # what goes back to the original payment, or the credit before a bonus
    bonus_cents: int
    total_cents: int  # what the shopper receives

    @property
    def is_empty(self) -> bool:
        return not self.lines


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def item_share_cents(claim: LineClaim) -> int:
    """Price of the units less their discount share plus their tax share.

    The shares are the credit note's own (billing's units_share), so the parts of successive
    returns add up exactly to what the whole line cost.
    """
    units = {"before": claim.earlier_quantity,
             "after": claim.earlier_quantity + claim.quantity, "of_units": claim.line_quantity}
    discount = units_share(claim.line_discount_cents, **units)
    tax = units_share(claim.line_tax_cents, **units)
    return claim.unit_price_cents * claim.quantity - discount + tax


def estimate_refund(
    claims: Sequence[LineClaim], *, rules: ReturnRules, resolution: ReturnResolution
) -> RefundEstimate:
    """Item shares incl. tax, less restocking and return shipping (waived for store faults)."""
    lines: list[LineRefund] = []
    for claim in claims:
        if claim.quantity <= 0:
            continue
        item = item_share_cents(claim)
        restocking = 0
        if not claim.is_store_fault:
            restocking = _round(Decimal(item) * rules.restocking_fee_percent / 100)
        lines.append(LineRefund(claim.order_line_id, claim.quantity, item, restocking))
    item_cents = sum(line.item_cents for line in lines)
    restocking_cents = sum(line.restocking_fee_cents for line in lines)
    waived = any(claim.is_store_fault for claim in claims if claim.quantity > 0)
    shipping = 0 if waived or not lines else rules.shipping_fee_cents
    # Fees never turn a return into a bill.
    shipping = min(shipping, item_cents - restocking_cents)
    refund = item_cents - restocking_cents - shipping
    bonus = 0
    if resolution == ReturnResolution.STORE_CREDIT:
        bonus = _round(Decimal(refund) * rules.credit_bonus_percent / 100)
    return RefundEstimate(
        lines=tuple(lines), item_cents=item_cents, restocking_fee_cents=restocking_cents,
        shipping_fee_cents=shipping, shipping_fee_waived=waived and bool(lines),
        refund_cents=refund, bonus_cents=bonus, total_cents=refund + bonus,
    )


def claim_for(line: OrderLine, *, quantity: int, reason: ReturnReason | None,
              earlier_quantity: int) -> LineClaim:
    return LineClaim(
        order_line_id=line.id, line_quantity=line.quantity,
        unit_price_cents=line.unit_price_cents, line_discount_cents=line.discount_cents,
        line_tax_cents=line.tax_cents, quantity=quantity, reason=reason,
        earlier_quantity=earlier_quantity,
    )
