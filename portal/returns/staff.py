"""Staff decisions on returns: approve or reject, check the parcel in, issue the refund.

Every step is a compare-and-set on the return's status (so two clicks or two staff members
never do it twice), writes an audit event, and queues the shopper's email, all in the
caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import or_
from sqlalchemy.orm import Session, joinedload

from portal.audit import record_event
from portal.auth.models import Customer
from portal.billing.refunds import (
    CreditLine,
    FeeLine,
    RefundOutcome,
    credited_quantities,
    issue_refund,
)
from portal.domain import DomainError, NotFound
from portal.orders.models import Order
from portal.pagination import Page, paginate
from portal.returns.estimate import RefundEstimate, claim_for, estimate_refund
from portal.returns.models import ItemCondition, ReturnRequest, ReturnResolution, ReturnStatus
from portal.returns.notices import notify_shopper
from portal.returns.policy import ReturnRules
from portal.returns.progress import change_status, return_query
from portal.store import StorePolicy

REJECTABLE = (ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.IN_TRANSIT,
              ReturnStatus.RECEIVED)
RECEIVABLE = (ReturnStatus.APPROVED, ReturnStatus.IN_TRANSIT)
AUDIT_TYPE = "return_request"


def list_queue(
    session: Session, *, status: ReturnStatus | None, query: str | None, page: int,
    per_page: int = 25,
) -> Page[ReturnRequest]:
    """Returns for review, oldest waiting first when filtered by status, else newest first."""
    statement = return_query().options(
        joinedload(ReturnRequest.order).joinedload(Order.customer)
    ).join(Order, ReturnRequest.order_id == Order.id)
    if status is not None:
        statement = statement.where(ReturnRequest.status == status).order_by(
            ReturnRequest.created_at, ReturnRequest.id)
    else:
        statement = statement.order_by(ReturnRequest.created_at.desc(), ReturnRequest.id.desc())
    if query:
        term = query.strip()
        pattern = f"%{term.lower()}%"
        statement = statement.join(Customer, Order.customer_id == Customer.id).where(or_(
            ReturnRequest.rma_number == term.upper(), Order.number == term.upper(),
            Customer.email.ilike(pattern), Customer.name.ilike(pattern),
        ))
    return paginate(session, statement, number=page, per_page=per_page)


def get_return(session: Session, *, rma_number: str) -> ReturnRequest:
    request = session.scalar(
        return_query().options(joinedload(ReturnRequest.order).joinedload(Order.customer))
        .where(ReturnRequest.rma_number == rma_number)
    )
    if request is None:
        raise NotFound("No such return.")
    return request


def _step(
    session: Session, request: ReturnRequest, *, staff_id: int | None, action: str,
    allowed: tuple[ReturnStatus, ...], to: ReturnStatus, policy: StorePolicy, now: datetime,
    refusal: str, note: str | None = None, amount_cents: int | None = None, **audit: object,
) -> None:
    change_status(session, request, allowed=allowed, to=to, now=now, note=note,
                  refusal=refusal)
    record_event(session, actor_id=staff_id, action=f"return.{action}",
                 object_type=AUDIT_TYPE, object_id=request.rma_number, **audit)
    notify_shopper(session, request, currency=request.order.currency,
                   store_name=policy.store_name, note=note, amount_cents=amount_cents)


def approve(session: Session, *, rma_number: str, staff_id: int, policy: StorePolicy,
            now: datetime) -> ReturnRequest:
    """Only a requested return can be approved."""
    request = get_return(session, rma_number=rma_number)
    _step(session, request, staff_id=staff_id, action="approve",
          allowed=(ReturnStatus.REQUESTED,), to=ReturnStatus.APPROVED, policy=policy, now=now,
          refusal="Only a requested return can be approved.")
    return request


def reject(session: Session, *, rma_number: str, staff_id: int, reason: str,
           policy: StorePolicy, now: datetime) -> ReturnRequest:
    """A rejection always tells the shopper why; a refunded return cannot be rejected."""
    reason = reason.strip()
    if not reason:
        raise DomainError("Tell the shopper why the return is rejected.", field="reason")
    request = get_return(session, rma_number=rma_number)
    _step(session, request, staff_id=staff_id, action="reject", allowed=REJECTABLE,
          to=ReturnStatus.REJECTED, policy=policy, now=now, note=reason[:300],
          refusal="This return can no longer be rejected.", reason=reason[:300])
    request.rejection_reason = reason[:300]
    return request


def mark_in_transit(session: Session, *, rma_number: str, staff_id: int | None,
                    policy: StorePolicy, now: datetime) -> ReturnRequest:
    """The carrier scanned the parcel (a staff click, or a tracking webhook with no actor)."""
    request = get_return(session, rma_number=rma_number)
    _step(session, request, staff_id=staff_id, action="in_transit",
          allowed=(ReturnStatus.APPROVED,), to=ReturnStatus.IN_TRANSIT, policy=policy,
          now=now, refusal="Only an approved return can be marked in transit.")
    return request


def receive(
    session: Session, *, rma_number: str, staff_id: int,
    conditions: Mapping[int, ItemCondition], policy: StorePolicy, now: datetime,
) -> ReturnRequest:
    """Checks the parcel in: every line gets the condition it arrived in."""
    request = get_return(session, rma_number=rma_number)
    missing = [line for line in request.lines if line.id not in conditions]
    if missing:
        raise DomainError("Give the condition of every item.", field="conditions")
    _step(session, request, staff_id=staff_id, action="receive", allowed=RECEIVABLE,
          to=ReturnStatus.RECEIVED, policy=policy, now=now,
          refusal="Only an approved return or one in transit can be received.",
          conditions={str(line.id): conditions[line.id].value for line in request.lines})
    for line in request.lines:
        line.condition = conditions[line.id]
    return request


def refund_estimate(session: Session, request: ReturnRequest, *,
                    policy: StorePolicy) -> RefundEstimate:
    """What the refund will be now, counting units earlier credit notes already covered."""
    credited = credited_quantities(session, order=request.order)
    rules = ReturnRules.for_order(request.order.return_policy, policy)
    claims = [
        claim_for(line.order_line, quantity=line.quantity, reason=line.reason,
                  earlier_quantity=credited.get(line.order_line_id, 0))
        for line in request.lines
    ]
    return estimate_refund(claims, rules=rules, resolution=request.resolution)


def refund(session: Session, *, rma_number: str, staff_id: int, policy: StorePolicy,
           now: datetime) -> RefundOutcome:
    """Refunds a received return once, through billing (credit note and refund rows)."""
    request = get_return(session, rma_number=rma_number)
    estimate = refund_estimate(session, request, policy=policy)
    names = {line.order_line_id: line.order_line.product_name for line in request.lines}
    fees = [FeeLine(f"Restocking fee: {names[line.order_line_id]}", line.restocking_fee_cents)
            for line in estimate.lines if line.restocking_fee_cents]
    if estimate.shipping_fee_cents:
        fees.append(FeeLine("Return shipping", estimate.shipping_fee_cents))
    change_status(session, request, allowed=(ReturnStatus.RECEIVED,),
                  to=ReturnStatus.REFUNDED, now=now,
                  refusal="Only a received return can be refunded, and only once.")
    outcome = issue_refund(
        session, order=request.order, reason=f"Return {request.rma_number}", now=now,
        lines=[CreditLine(line.order_line_id, line.quantity) for line in request.lines],
        fees=fees, to_store_credit=request.resolution == ReturnResolution.STORE_CREDIT,
        bonus_cents=estimate.bonus_cents, return_request_id=request.id,
        idempotency_key=f"return-{request.rma_number}",
    )
    record_event(session, actor_id=staff_id, action="return.refund", object_type=AUDIT_TYPE,
                 object_id=request.rma_number, amount_cents=outcome.amount_cents,
                 bonus_cents=estimate.bonus_cents, credit_note=outcome.credit_note.number)
    notify_shopper(session, request, currency=request.order.currency,
                   store_name=policy.store_name,
                   amount_cents=outcome.amount_cents + estimate.bonus_cents)
    return outcome
