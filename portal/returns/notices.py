"""The email a shopper gets at each step of a return, queued in the step's own transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.auth.models import Customer
from portal.mail import queue_mail
from portal.money import format_money
from portal.returns.models import ReturnRequest, ReturnResolution, ReturnStatus

_NEXT_STEP = {
    ReturnStatus.REQUESTED: (
        "We have your return request. Download the prepaid label from your return page, "
        "pack the items with the RMA number inside, and drop the parcel at the carrier."
    ),
    ReturnStatus.APPROVED: (
        "Your return is approved. If you have not sent it yet, print the prepaid label from "
        "your return page and drop the parcel at the carrier."
    ),
    ReturnStatus.IN_TRANSIT: (
        "The carrier has your parcel. We will check the items as soon as they arrive."
    ),
    ReturnStatus.RECEIVED: (
        "Your parcel has arrived and the items are checked. Your refund is next."
    ),
    ReturnStatus.REFUNDED: "Your refund is issued.",
    ReturnStatus.REJECTED: "We cannot accept this return.",
    ReturnStatus.CANCELLED: "Your return is cancelled. Nothing else needs to happen.",
}

_SUBJECT = {
    ReturnStatus.REQUESTED: "Return {rma} requested",
    ReturnStatus.APPROVED: "Return {rma} approved",
    ReturnStatus.IN_TRANSIT: "Return {rma} is on its way to us",
    ReturnStatus.RECEIVED: "Return {rma} received",
    ReturnStatus.REFUNDED: "Return {rma} refunded",
    ReturnStatus.REJECTED: "Return {rma} could not be accepted",
    ReturnStatus.CANCELLED: "Return {rma} cancelled",
}


def notify_shopper(
    session: Session, request: ReturnRequest, *, currency: str, store_name: str,
    amount_cents: int | None = None, note: str | None = None,
) -> None:
    """Queues the email for the return's current status (sent after the commit)."""
    customer = session.get(Customer, request.customer_id)
    if customer is None:
        return
    amount = format_money(
        request.refund_estimate_cents if amount_cents is None else amount_cents,
        currency, customer.locale or "en_US",
    )
    status = request.status
    paragraphs = [f"Hello {customer.first_name},", _NEXT_STEP[status]]
    if note:
        paragraphs.append(f"Reason: {note}" if status == ReturnStatus.REJECTED else note)
    if status == ReturnStatus.REFUNDED:
        target = ("as store credit on your account"
                  if request.resolution == ReturnResolution.STORE_CREDIT
                  else "to your original payment method")
        paragraphs.append(f"{amount} goes back {target}.")
    elif status not in (ReturnStatus.REJECTED, ReturnStatus.CANCELLED):
        paragraphs.append(f"Estimated refund: {amount}.")
    paragraphs.append(
        f"Return number: {request.rma_number}. Sign in and open Returns to follow every step."
    )
    paragraphs.append(store_name)
    queue_mail(
        session, to=customer.email,
        subject=_SUBJECT[status].format(rma=request.rma_number),
        body="\n\n".join(paragraphs) + "\n",
    )
