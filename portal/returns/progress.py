"""A return's progress, shared by the shopper's pages and the staff review.

Loading a return with what its pages show, moving its status (compare-and-set, so two
clicks never do a step twice), whether its label is still offered, the refunds it brought.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from portal.billing.models import CreditEntry, CreditKind, Refund
from portal.domain import DomainError
from portal.returns.models import ReturnEvent, ReturnLine, ReturnRequest, ReturnStatus

CANCELLABLE = (ReturnStatus.REQUESTED, ReturnStatus.APPROVED)


class ReturnStateError(DomainError):
    """The return is not in a state that allows this step."""



def return_query():  # type: ignore[no-untyped-def]
    """A return with everything its pages show."""
    return select(ReturnRequest).options(
        joinedload(ReturnRequest.order),
        selectinload(ReturnRequest.lines).joinedload(ReturnLine.order_line),
        selectinload(ReturnRequest.events),
    )


@dataclass(frozen=True)
class RefundSummary:
    refunds: list[Refund]
    credit_cents: int  # store credit issued for them, bonus included

    @property
    def refunded_cents(self) -> int:
        return sum(refund.amount_cents for refund in self.refunds)

    @property
    def credit_note_numbers(self) -> list[str]:
        return sorted({r.credit_note.number for r in self.refunds if r.credit_note is not None})


def refunds_for(session: Session, *, return_request_id: int) -> RefundSummary:
    """The refunds a return produced (several when the order was paid in parts)."""
    refunds = list(session.scalars(
        select(Refund).where(Refund.return_request_id == return_request_id)
        .options(joinedload(Refund.credit_note)).order_by(Refund.id)
    ))
    credit = 0
    if refunds:
        credit = session.scalar(
            select(func.coalesce(func.sum(CreditEntry.amount_cents), 0)).where(
                CreditEntry.refund_id.in_([refund.id for refund in refunds]),
                CreditEntry.kind == CreditKind.STORE_CREDIT_ISSUED)
        ) or 0
    return RefundSummary(refunds=refunds, credit_cents=credit)


def has_label(request: ReturnRequest) -> bool:
    """The prepaid label is offered until the parcel is on its way (and never once stopped)."""
    return request.status in CANCELLABLE


def change_status(
    session: Session, request: ReturnRequest, *, allowed: Sequence[ReturnStatus],
    to: ReturnStatus, now: datetime, note: str | None = None, refusal: str,
) -> None:
    """Moves a return on only from an allowed status, atomically (a compare-and-set UPDATE)."""
    result = session.execute(
        update(ReturnRequest)
        .where(ReturnRequest.id == request.id, ReturnRequest.status.in_(allowed))
        .values(status=to, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ReturnStateError(refusal)
    set_committed_value(request, "status", to)
    set_committed_value(request, "updated_at", now)
    session.add(ReturnEvent(return_request_id=request.id, status=to, note=note, created_at=now))
