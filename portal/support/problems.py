"""Problem reports: not received, damaged, wrong item, missing item.

A report is a short structured form that becomes a support request with its category,
priority and order filled in, the photos attached, and the fix the shopper chose. Where
the policy allows it the fix happens straight away: a return for a damaged or wrong item
is started at once (the returns policy waives its fees for those reasons), and a parcel
reported not received is flagged on the parcel as the tracking page does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.auth.models import Customer
from portal.domain import DomainError
from portal.orders import actions
from portal.returns.models import ReturnReason, ReturnResolution
from portal.returns.service import ReturnItem, start_return
from portal.store import StorePolicy
from portal.support import attachments, service
from portal.support.models import RequestPriority, SupportRequest
from portal.support.order_help import OrderHelp, delivered_parcels


@dataclass(frozen=True)
class ProblemKind:
    key: str
    title: str
    category: str
    question: str  # the "what happened" prompt
    return_reason: ReturnReason | None  # None: nothing to send back


KINDS = {
    "not_received": ProblemKind("not_received", "Parcel marked delivered but not received",
                                "delivery", "Where have you looked? (neighbours, a safe place, "
                                "a pickup point)", None),
    "damaged": ProblemKind("damaged", "An item arrived damaged", "order",
                           "What is damaged, and how was the box when it arrived?",
                           ReturnReason.DAMAGED),
    "wrong_item": ProblemKind("wrong_item", "I received the wrong item", "order",
                              "What did you receive instead?", ReturnReason.WRONG_ITEM),
    "missing_item": ProblemKind("missing_item", "An item is missing from my parcel", "order",
                                "What was missing, and was the box intact?", None),
}
FIXES = {
    "replacement": "Send a replacement",
    "refund": "Refund the item",
    "return": "Return it free: we waive the return fees",
}


class ReportRefused(DomainError):
    """The report cannot be made in the order's state; the message says why."""


@dataclass(frozen=True)
class ProblemReport:
    kind: str
    description: str
    fix: str
    line_ids: Sequence[int] = ()
    shipment_id: int | None = None


def fixes_for(kind: ProblemKind, help_: OrderHelp) -> dict[str, str]:
    """The fixes this report can offer: a free return only while something can go back."""
    offered = dict(FIXES)
    if kind.return_reason is None or not help_.returnable.eligible:
        offered.pop("return")
    return offered


def report_problem(
    session: Session, *, customer: Customer, help_: OrderHelp, report: ProblemReport,
    files: Iterable[attachments.PreparedFile], idempotency_key: str, now: datetime,
    policy: StorePolicy, request_url: Callable[[str], str],
) -> SupportRequest:
    """Opens the request for a report (once per idempotency key) and applies the fix."""
    existing = service.request_by_idempotency_key(session, customer_id=customer.id,
                                                  key=idempotency_key)
    if existing is not None:  # the same form sent twice: its first request, nothing redone
        return existing
    kind = KINDS.get(report.kind)
    if kind is None or kind.key not in {a.key for a in help_.actions if not a.blocker}:
        raise ReportRefused(_blocker(help_, report.kind))
    if report.fix not in fixes_for(kind, help_):
        raise ReportRefused("Choose one of the fixes offered.", field="fix")
    order = help_.order
    names = _chosen_lines(help_, kind, report)
    rma = _apply_fix(session, customer=customer, help_=help_, kind=kind, report=report,
                     idempotency_key=idempotency_key, now=now, policy=policy)
    body = "\n".join(filter(None, [
        f"{kind.title}.", f"Items: {', '.join(names)}" if names else None,
        f"What happened: {report.description.strip()}",
        f"Fix asked for: {FIXES[report.fix]}" + (f" (return {rma} started)" if rma else ""),
    ]))
    return service.open_request(
        session, customer=customer, idempotency_key=idempotency_key, now=now,
        request=service.NewRequest(
            category=kind.category, subject=f"{kind.title} (order {order.number})"[:200],
            body=body, order_number=order.number, priority=RequestPriority.HIGH,
            problem_kind=kind.key, suggested_fix=report.fix),
        request_url=request_url, files=files,
    )


def _blocker(help_: OrderHelp, key: str) -> str:
    action = next((a for a in help_.actions if a.key == key), None)
    return (action.blocker if action and action.blocker else
            "This report is not available for this order.")


def _chosen_lines(help_: OrderHelp, kind: ProblemKind, report: ProblemReport) -> list[str]:
    if kind.key == "not_received":
        parcels = {s.id for s in delivered_parcels(help_.order)
                   if s.not_received_reported_at is None}
        if report.shipment_id not in parcels:
            raise ReportRefused("Choose the parcel that did not arrive.", field="shipment")
        return []
    lines = {line.id: line for line in help_.order.lines}
    chosen = [lines[i] for i in report.line_ids if i in lines]
    if not chosen:
        raise ReportRefused("Choose the items this is about.", field="lines")
    return [line.product_name for line in chosen]


def _apply_fix(
    session: Session, *, customer: Customer, help_: OrderHelp, kind: ProblemKind,
    report: ProblemReport, idempotency_key: str, now: datetime, policy: StorePolicy,
) -> str | None:
    """Does what can be done now; returns the RMA number of a return it started."""
    if kind.key == "not_received":
        shipment = next(s for s in help_.order.shipments if s.id == report.shipment_id)
        actions.report_not_received(session, shipment=shipment, actor_id=customer.id, now=now)
        return None
    if report.fix != "return" or kind.return_reason is None:
        return None
    eligible = {o.line.id: o.eligibility.returnable_quantity for o in help_.returnable.eligible}
    items = [ReturnItem(line_id, eligible[line_id], kind.return_reason, report.description)
             for line_id in report.line_ids if line_id in eligible]
    if not items:
        raise ReportRefused("These items can no longer be returned; choose another fix.",
                            field="fix")
    started = start_return(
        session, customer_id=customer.id, order_number=help_.order.number, items=items,
        resolution=ReturnResolution.REFUND, idempotency_key=idempotency_key, policy=policy,
        now=now)
    return started.rma_number
