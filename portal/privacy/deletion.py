"""Delete my account: 14 days to change one's mind, then personal data is anonymised.

What stays is what the law makes the store keep: invoices and credit notes, unchanged, and
the order rows they point to, stripped of addresses. The account cannot sign in again;
its email is freed, so the person may later open a new account with it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portal import storage
from portal.audit import AuditEvent, record_event
from portal.auth.models import Address, Customer, EmailCode
from portal.auth.sessions import end_all_sessions
from portal.auth.twofactor import remove_two_factor
from portal.billing.models import PaymentMethod
from portal.domain import DomainError
from portal.help.models import SearchEvent
from portal.help_sessions.models import HelpSession
from portal.home.service import CLOSED_RETURNS
from portal.orders.models import Order, OrderStatus
from portal.privacy.models import AccountDeletion, DataExport
from portal.returns.models import ReturnLine, ReturnRequest
from portal.support.models import Attachment, Message, SatisfactionRating, SupportRequest

UNDO_WINDOW = timedelta(days=14)
_ORDERS_ON_THEIR_WAY = (OrderStatus.PROCESSING, OrderStatus.PARTIALLY_SHIPPED,
                        OrderStatus.SHIPPED)
DELETED_NAME = "Deleted customer"
REMOVED_TEXT = "(removed when the account was deleted)"


def pending_deletion(session: Session, *, customer_id: int) -> AccountDeletion | None:
    return session.scalar(
        select(AccountDeletion).where(AccountDeletion.customer_id == customer_id,
                                      AccountDeletion.cancelled_at.is_(None),
                                      AccountDeletion.completed_at.is_(None))
    )


def request_deletion(
    session: Session, customer: Customer, *, now: datetime
) -> tuple[AccountDeletion, bool]:
    """Schedules the deletion for 14 days from now; asking twice keeps the first date (and
    says it is not new)."""
    if customer.is_staff:
        raise DomainError("Staff accounts are removed by an admin, not from this page.")
    pending = pending_deletion(session, customer_id=customer.id)
    if pending is not None:
        return pending, False
    deletion = AccountDeletion(customer_id=customer.id, requested_at=now,
                               due_at=now + UNDO_WINDOW)
    session.add(deletion)
    record_event(session, actor_id=customer.id, action="account_deletion_requested",
                 object_type="customer", object_id=customer.id, due_at=deletion.due_at.isoformat())
    return deletion, True


def cancel_deletion(session: Session, customer: Customer, *, now: datetime) -> None:
    """Keeps the account: only before the deletion was carried out."""
    pending = pending_deletion(session, customer_id=customer.id)
    if pending is None:
        raise DomainError("Your account is not scheduled for deletion.")
    pending.cancelled_at = now
    record_event(session, actor_id=customer.id, action="account_deletion_cancelled",
                 object_type="customer", object_id=customer.id)


def carry_out_due_deletions(session: Session, *, now: datetime) -> int:
    """Anonymises every account whose undo window has passed; returns how many. An account
    with an order on its way or a return not finished waits for them (the next sweep looks
    again), so parcels and refunds still reach the person."""
    due = session.scalars(
        select(AccountDeletion).where(AccountDeletion.due_at <= now,
                                      AccountDeletion.cancelled_at.is_(None),
                                      AccountDeletion.completed_at.is_(None))
        .with_for_update(skip_locked=True)
    ).all()
    done = 0
    for deletion in due:
        if has_unfinished_business(session, customer_id=deletion.customer_id):
            continue
        done += 1
        anonymise(session, customer_id=deletion.customer_id)
        end_all_sessions(session, customer_id=deletion.customer_id, now=now)
        deletion.completed_at = now
        record_event(session, actor_id=None, action="account_deleted", object_type="customer",
                     object_id=deletion.customer_id)
    return done


def has_unfinished_business(session: Session, *, customer_id: int) -> bool:
    """An order not delivered yet, or a return neither refunded nor closed."""
    open_order = select(Order.id).where(Order.customer_id == customer_id,
                                        Order.status.in_(_ORDERS_ON_THEIR_WAY))
    open_return = select(ReturnRequest.id).where(ReturnRequest.customer_id == customer_id,
                                                 ReturnRequest.status.not_in(CLOSED_RETURNS))
    return session.scalar(select(open_order.exists() | open_return.exists())) or False


def anonymise(session: Session, *, customer_id: int) -> None:
    """Removes personal data, keeping invoices and credit notes as issued."""
    customer = session.get(Customer, customer_id)
    assert customer is not None
    session.execute(delete(EmailCode).where(EmailCode.email == customer.email))
    customer.email = f"deleted-{customer.id}@deleted.invalid"
    customer.name = DELETED_NAME
    customer.password_hash = None
    customer.is_active = False
    customer.company_name = customer.tax_id = None
    customer.last_login_at = None
    remove_two_factor(session, customer_id=customer_id)
    session.execute(delete(Address).where(Address.customer_id == customer_id))
    session.execute(update(PaymentMethod).where(PaymentMethod.customer_id == customer_id)
                    .values(email=None))
    for order in session.scalars(select(Order).where(Order.customer_id == customer_id)):
        order.shipping_address = _blank_address(order.shipping_address)
        order.billing_address = _blank_address(order.billing_address)
    returns = select(ReturnRequest.id).where(ReturnRequest.customer_id == customer_id)
    session.execute(update(ReturnLine).where(ReturnLine.return_request_id.in_(returns))
                    .values(comment=None))
    _remove_requests(session, customer_id)
    # Help-center statistics stay, no longer tied to the person.
    session.execute(update(SearchEvent).where(SearchEvent.customer_id == customer_id)
                    .values(customer_id=None))
    session.execute(update(HelpSession).where(HelpSession.customer_id == customer_id)
                    .values(customer_id=None))
    # The audit log keeps who did what, but not the addresses an email change moved between.
    session.execute(update(AuditEvent).where(AuditEvent.object_type == "customer",
                                             AuditEvent.object_id == str(customer_id),
                                             AuditEvent.action.like("email_change%"))
                    .values(data={}))
    for export in session.scalars(select(DataExport).where(DataExport.customer_id == customer_id)):
        if export.storage_key:
            storage.remove(export.storage_key)
        export.storage_key = None


def _blank_address(address: dict[str, object] | None) -> dict[str, object]:
    """Keeps only the country (taxes depend on it); the rest of an order's address goes."""
    country = (address or {}).get("country")
    return {"name": DELETED_NAME, "line1": "", "line2": None, "city": "", "region": None,
            "postal_code": "", "country": country, "phone": None}


def _remove_requests(session: Session, customer_id: int) -> None:
    requests = select(SupportRequest.id).where(SupportRequest.customer_id == customer_id)
    messages = select(Message.id).where(Message.request_id.in_(requests))
    for attachment in session.scalars(select(Attachment).where(
            Attachment.message_id.in_(messages))):
        storage.remove(attachment.storage_key)
        if attachment.thumbnail_key:
            storage.remove(attachment.thumbnail_key)
        session.delete(attachment)
    session.execute(update(Message).where(Message.request_id.in_(requests))
                    .values(body=REMOVED_TEXT))
    session.execute(update(SupportRequest).where(SupportRequest.customer_id == customer_id)
                    .values(subject=REMOVED_TEXT[:200], search_query=None))
    session.execute(update(SatisfactionRating).where(SatisfactionRating.request_id.in_(requests))
                    .values(comment=None))
