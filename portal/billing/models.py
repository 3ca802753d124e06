from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import (
    Base,
    created_at,
    currency_code,
    db_enum,
    intpk,
    money,
    store_external_id,
    store_source,
    utc_datetime,
)

if TYPE_CHECKING:
    from portal.auth.models import Customer
    from portal.orders.models import Order, OrderLine


class InvoiceKind(enum.StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class PaymentKind(enum.StrEnum):
    CARD = "card"
    PAYPAL = "paypal"
    GIFT_CARD = "gift_card"
    STORE_CREDIT = "store_credit"


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    CAPTURED = "captured"
    FAILED = "failed"


class RefundStatus(enum.StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"


class CreditKind(enum.StrEnum):
    """Movements of a shopper's store-credit and gift-card balance."""

    GIFT_CARD_LOAD = "gift_card_load"
    STORE_CREDIT_ISSUED = "store_credit_issued"
    SPENT = "spent"
    EXPIRED = "expired"


class PaymentMethod(Base):
    """A payment method on file: only what can be shown masked is stored, never a card number."""

    __tablename__ = "payment_methods"

    id: Mapped[intpk]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[PaymentKind] = mapped_column(db_enum(PaymentKind, "payment_kind"))
    brand: Mapped[str | None] = mapped_column(String(20))
    last4: Mapped[str | None] = mapped_column(String(4))
    exp_month: Mapped[int | None]
    exp_year: Mapped[int | None]
    email: Mapped[str | None] = mapped_column(String(254))
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created_at]

    customer: Mapped[Customer] = relationship(lazy="raise")


class Invoice(Base):
    """An issued invoice or credit note; never edited once issued (a credit note corrects it)."""

    __tablename__ = "invoices"

    id: Mapped[intpk]
    number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[InvoiceKind] = mapped_column(db_enum(InvoiceKind, "invoice_kind"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    credited_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    issued_at: Mapped[utc_datetime]
    currency: Mapped[currency_code]
    bill_to: Mapped[dict[str, Any]] = mapped_column(JSON)
    ship_to: Mapped[dict[str, Any]] = mapped_column(JSON)
    company_name: Mapped[str | None] = mapped_column(String(200))
    tax_id: Mapped[str | None] = mapped_column(String(40))
    subtotal_cents: Mapped[money]
    discount_cents: Mapped[money]
    shipping_cents: Mapped[money]
    tax_cents: Mapped[money]
    total_cents: Mapped[money]

    order: Mapped[Order] = relationship(lazy="raise")
    customer: Mapped[Customer] = relationship(lazy="raise")
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", lazy="raise", cascade="all, delete-orphan",
        order_by="InvoiceLine.id",
    )
    credited_invoice: Mapped[Invoice | None] = relationship(
        remote_side="Invoice.id", back_populates="credit_notes", lazy="raise"
    )
    credit_notes: Mapped[list[Invoice]] = relationship(
        back_populates="credited_invoice", lazy="raise"
    )

    __table_args__ = (
        Index("ix_invoices_customer_issued", "customer_id", "issued_at"),
        CheckConstraint("total_cents >= 0", name="total_not_negative"),
    )


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"

    id: Mapped[intpk]
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id"))
    sku: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int]
    unit_price_cents: Mapped[money]
    discount_cents: Mapped[money]
    tax_rate_bp: Mapped[int] = mapped_column(default=0)
    tax_cents: Mapped[money]

    invoice: Mapped[Invoice] = relationship(back_populates="lines", lazy="raise")
    order_line: Mapped[OrderLine | None] = relationship(lazy="raise")

    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    @property
    def net_cents(self) -> int:
        return self.quantity * self.unit_price_cents - self.discount_cents


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[intpk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    payment_method_id: Mapped[int | None] = mapped_column(ForeignKey("payment_methods.id"))
    kind: Mapped[PaymentKind] = mapped_column(db_enum(PaymentKind, "payment_kind"))
    brand: Mapped[str | None] = mapped_column(String(20))
    last4: Mapped[str | None] = mapped_column(String(4))
    amount_cents: Mapped[money]
    currency: Mapped[currency_code]
    status: Mapped[PaymentStatus] = mapped_column(
        db_enum(PaymentStatus, "payment_status"), default=PaymentStatus.CAPTURED
    )
    reference: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[created_at]
    source: Mapped[store_source]
    external_id: Mapped[store_external_id]

    order: Mapped[Order] = relationship(lazy="raise")
    customer: Mapped[Customer] = relationship(lazy="raise")
    payment_method: Mapped[PaymentMethod | None] = relationship(lazy="raise")

    __table_args__ = (
        Index("ix_payments_customer_created", "customer_id", "created_at"),
        UniqueConstraint("source", "external_id", name="uq_payments_external"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )


class Refund(Base):
    __tablename__ = "refunds"

    id: Mapped[intpk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    credit_note_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    return_request_id: Mapped[int | None] = mapped_column(ForeignKey("return_requests.id"))
    kind: Mapped[PaymentKind] = mapped_column(db_enum(PaymentKind, "payment_kind"))
    amount_cents: Mapped[money]
    currency: Mapped[currency_code]
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[RefundStatus] = mapped_column(
        db_enum(RefundStatus, "refund_status"), default=RefundStatus.COMPLETED
    )
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]
    source: Mapped[store_source]
    external_id: Mapped[store_external_id]

    order: Mapped[Order] = relationship(lazy="raise")
    customer: Mapped[Customer] = relationship(lazy="raise")
    payment: Mapped[Payment | None] = relationship(lazy="raise")
    credit_note: Mapped[Invoice | None] = relationship(lazy="raise")

    __table_args__ = (
        Index("ix_refunds_customer_created", "customer_id", "created_at"),
        UniqueConstraint("source", "external_id", name="uq_refunds_external"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )


class CreditEntry(Base):
    """One movement of a shopper's store credit or gift-card balance (positive adds)."""

    __tablename__ = "credit_entries"

    id: Mapped[intpk]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[CreditKind] = mapped_column(db_enum(CreditKind, "credit_kind"))
    amount_cents: Mapped[int]
    currency: Mapped[currency_code]
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"))
    description: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[created_at]

    customer: Mapped[Customer] = relationship(lazy="raise")
    order: Mapped[Order | None] = relationship(lazy="raise")
    refund: Mapped[Refund | None] = relationship(lazy="raise")

    __table_args__ = (Index("ix_credit_entries_customer_created", "customer_id", "created_at"),)


class EntryType(enum.StrEnum):
    CHARGE = "charge"
    REFUND = "refund"
    CREDIT = "credit"


class LedgerEntry(Base):
    """One line of a shopper's billing history, kept as it is written (billing/bookkeeping.py).

    Each comes from exactly one payment, refund or credit movement. `amount_cents` is signed
    as "net spent" (paid is positive, money back negative); `balance_cents` and
    `store_credit_cents` are the running net spent and store-credit balance of the shopper in
    this currency up to and including this entry, in (occurred_at, id) order, so a page of
    history never re-adds what came before it.
    """

    __tablename__ = "ledger_entries"

    id: Mapped[intpk]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    currency: Mapped[currency_code]
    occurred_at: Mapped[utc_datetime]
    entry_type: Mapped[EntryType] = mapped_column(db_enum(EntryType, "ledger_entry_type"))
    amount_cents: Mapped[int]
    balance_cents: Mapped[int] = mapped_column(default=0)
    store_credit_cents: Mapped[int] = mapped_column(default=0)
    payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("payments.id", ondelete="CASCADE"), unique=True)
    refund_id: Mapped[int | None] = mapped_column(
        ForeignKey("refunds.id", ondelete="CASCADE"), unique=True)
    credit_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("credit_entries.id", ondelete="CASCADE"), unique=True)
    order_number: Mapped[str | None] = mapped_column(String(20))
    document_number: Mapped[str | None] = mapped_column(String(32))
    method: Mapped[str | None] = mapped_column(String(24))
    brand: Mapped[str | None] = mapped_column(String(20))
    last4: Mapped[str | None] = mapped_column(String(4))
    description: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index("ix_ledger_entries_customer_position", "customer_id", "currency", "occurred_at",
              "id"),
    )
