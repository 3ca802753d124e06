"""Every model, imported once so the metadata (Alembic, create_all) sees the whole schema."""

from portal.audit import AuditEvent
from portal.auth.models import (
    Address,
    Customer,
    EmailCode,
    LoginSession,
    RecoveryCode,
    TotpCredential,
)
from portal.billing import bookkeeping  # noqa: F401  (the ledger follows every money write)
from portal.billing.models import (
    CreditEntry,
    Invoice,
    InvoiceLine,
    LedgerEntry,
    Payment,
    PaymentMethod,
    Refund,
)
from portal.help.models import ArticleFeedback, ArticleView, SearchEvent
from portal.help_sessions.models import HelpSession, HelpSessionEvent
from portal.mail import OutboxMessage
from portal.orders.models import Order, OrderLine, Product, Shipment, ShipmentLine, TrackingEvent
from portal.privacy.models import AccountDeletion, DataExport
from portal.ratelimit import RateLimitCounter
from portal.returns.models import ReturnEvent, ReturnLine, ReturnRequest
from portal.stores.models import OutboundEvent, StoreEvent
from portal.support.models import Attachment, Macro, Message, SatisfactionRating, SupportRequest

__all__ = [
    "AccountDeletion", "Address", "ArticleFeedback", "ArticleView", "Attachment", "AuditEvent",
    "CreditEntry", "Customer", "DataExport", "EmailCode", "HelpSession", "HelpSessionEvent",
    "Invoice", "InvoiceLine", "LedgerEntry", "LoginSession", "Macro", "Message", "Order",
    "OrderLine", "OutboundEvent", "OutboxMessage", "Payment", "PaymentMethod", "Product",
    "RateLimitCounter", "RecoveryCode", "Refund", "ReturnEvent", "ReturnLine",
    "ReturnRequest", "SatisfactionRating", "SearchEvent", "Shipment", "ShipmentLine",
    "StoreEvent", "SupportRequest", "TotpCredential", "TrackingEvent",
]
