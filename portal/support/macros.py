"""Saved replies ("macros") staff insert into a message, with the request's details filled in.

Variables are written like the help articles' ones, `{{ first_name }}`; only the names in
VARIABLES exist, so a macro never reaches anything else of the request (no template engine).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal.audit import record_event
from portal.domain import DomainError, NotFound
from portal.formatting import humanize
from portal.help.content import VARIABLE_RE
from portal.orders.carriers import get_carrier
from portal.orders.models import Order
from portal.returns.models import ReturnRequest
from portal.support.models import Macro, SupportRequest

VARIABLES: dict[str, str] = {
    "first_name": "the shopper's first name",
    "order_number": "the order the request is about",
    "order_status": "that order's status",
    "tracking_link": "the tracking page of its latest parcel",
    "rma_number": "the RMA of its latest return",
}
MISSING = "[none on this request]"


def list_macros(session: Session) -> list[Macro]:
    return list(session.scalars(select(Macro).order_by(func.lower(Macro.title)).limit(500)))


def get_macro(session: Session, macro_id: int) -> Macro:
    macro = session.get(Macro, macro_id)
    if macro is None:
        raise NotFound("No such saved reply.")
    return macro


def unknown_variables(body: str) -> list[str]:
    return sorted({name for name in VARIABLE_RE.findall(body) if name not in VARIABLES})


def save_macro(session: Session, *, staff_id: int, title: str, body: str, now: datetime,
               macro_id: int | None = None) -> Macro:
    """Creates or edits a saved reply; titles are unique and variables must be known ones."""
    unknown = unknown_variables(body)
    if unknown:
        raise DomainError(f"Unknown variable {', '.join('{{ ' + n + ' }}' for n in unknown)}; "
                          f"use {', '.join(VARIABLES)}.", field="body")
    macro = get_macro(session, macro_id) if macro_id is not None else Macro(created_at=now)
    macro.title, macro.body = title.strip(), body.strip()
    macro.updated_by_id, macro.updated_at = staff_id, now
    try:
        with session.begin_nested():
            session.add(macro)
    except IntegrityError:
        raise DomainError("Another saved reply has this title.", field="title") from None
    record_event(session, actor_id=staff_id,
                 action="macro.created" if macro_id is None else "macro.updated",
                 object_type="macro", object_id=macro.id, title=macro.title)
    return macro


def request_variables(session: Session, support_request: SupportRequest) -> dict[str, str]:
    """The values a macro can use for this request; MISSING where the request has none."""
    values = {"first_name": support_request.customer.first_name}
    order = None
    if support_request.order_id is not None:
        order = session.scalar(select(Order).where(Order.id == support_request.order_id)
                               .options(selectinload(Order.shipments)))
    if order is not None:
        values["order_number"] = order.number
        values["order_status"] = humanize(order.status.value).lower()
        tracked = [s for s in order.shipments if s.tracking_number]
        if tracked:
            latest = max(tracked, key=lambda s: s.id)
            carrier = get_carrier(latest.carrier)
            if carrier is not None:
                values["tracking_link"] = carrier.link(latest.tracking_number)
        rma = session.scalar(select(ReturnRequest.rma_number)
                             .where(ReturnRequest.order_id == order.id)
                             .order_by(ReturnRequest.id.desc()).limit(1))
        if rma:
            values["rma_number"] = rma
    return values


def fill(body: str, values: dict[str, str]) -> str:
    """The macro's text with each known variable replaced; missing values are marked."""
    return VARIABLE_RE.sub(
        lambda match: values.get(match.group(1), MISSING)
        if match.group(1) in VARIABLES else match.group(0), body)
