"""Reading orders and parcels: every read scoped to its shopper, with a fixed number of queries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.auth.models import Customer
from portal.domain import NotFound
from portal.numbers import MAX_ROW_ID, parse_int
from portal.orders.models import Order, OrderLine, OrderStatus, Shipment, ShipmentLine
from portal.pagination import Page, page_number, paginate

MAX_QUERY_LENGTH = 100


class OrderNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("We could not find that order.")


@dataclass(frozen=True)
class OrderFilters:
    status: OrderStatus | None = None
    year: int | None = None
    q: str = ""
    page: int = 1

    def as_args(self) -> dict[str, str | int]:
        """The filters as query-string values (the page excluded), for links that keep them."""
        args: dict[str, str | int] = {}
        if self.status:
            args["status"] = self.status.value
        if self.year:
            args["year"] = self.year
        if self.q:
            args["q"] = self.q
        return args


def parse_filters(args: Mapping[str, str]) -> OrderFilters:
    """Filters from a query string; anything odd is ignored rather than refused."""
    try:
        status = OrderStatus(args.get("status", ""))
    except ValueError:
        status = None
    year_raw = (args.get("year") or "").strip()
    year = parse_int(year_raw, minimum=1990, maximum=2200)
    # A shop's order name is written "#1001"; the portal stores the number without the "#".
    q = " ".join((args.get("q") or "").split()).lstrip("#")[:MAX_QUERY_LENGTH]
    return OrderFilters(status=status, year=year, q=q, page=page_number(args.get("page")))


@dataclass
class OrderListing:
    page: Page[Order]
    filters: OrderFilters
    years: list[int]


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _year_bounds(year: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime(year, 1, 1, tzinfo=zone).astimezone(UTC)
    return start, datetime(year + 1, 1, 1, tzinfo=zone).astimezone(UTC)


def _filtered(customer_id: int, filters: OrderFilters, zone: ZoneInfo) -> Select[tuple[Order]]:
    statement = select(Order).where(Order.customer_id == customer_id)
    if filters.status:
        statement = statement.where(Order.status == filters.status)
    if filters.year:
        start, end = _year_bounds(filters.year, zone)
        statement = statement.where(Order.placed_at >= start, Order.placed_at < end)
    if filters.q:
        like = f"%{_escape_like(filters.q)}%"
        has_product = exists().where(
            OrderLine.order_id == Order.id, OrderLine.product_name.ilike(like, escape="\\")
        )
        statement = statement.where(
            or_(Order.number.ilike(like, escape="\\"), has_product)
        )
    return statement


def list_orders(
    session: Session, *, customer_id: int, filters: OrderFilters, per_page: int, zone: ZoneInfo
) -> OrderListing:
    """The shopper's orders, newest first, one page, with what each row needs preloaded."""
    statement = (
        _filtered(customer_id, filters, zone)
        .order_by(Order.placed_at.desc(), Order.id.desc())
        .options(
            selectinload(Order.lines).joinedload(OrderLine.product),
            selectinload(Order.shipments),
        )
    )
    page = paginate(session, statement, number=filters.page, per_page=per_page)
    first, last = session.execute(
        select(func.min(Order.placed_at), func.max(Order.placed_at)).where(
            Order.customer_id == customer_id
        )
    ).one()
    years = (
        list(range(last.astimezone(zone).year, first.astimezone(zone).year - 1, -1))
        if first and last else []
    )
    return OrderListing(page=page, filters=filters, years=years)


def get_order(session: Session, *, customer_id: int, number: str, detail: bool = False) -> Order:
    """The shopper's order by number, or OrderNotFound (someone else's order included)."""
    options = [selectinload(Order.lines), selectinload(Order.shipments)]
    if detail:
        options = [
            joinedload(Order.customer),
            selectinload(Order.lines).joinedload(OrderLine.product),
            selectinload(Order.shipments).selectinload(Shipment.lines),
        ]
    order = session.scalar(
        select(Order).where(Order.customer_id == customer_id, Order.number == number)
        .options(*options)
    )
    if order is None:
        raise OrderNotFound()
    return order


@dataclass
class OrderDetail:
    order: Order

    def lines_in(self, shipment: Shipment) -> list[tuple[OrderLine, int]]:
        """The order lines a parcel carries, with how many of each."""
        by_id = {line.id: line for line in self.order.lines}
        return [(by_id[sl.order_line_id], sl.quantity) for sl in shipment.lines
                if sl.order_line_id in by_id]

    def unshipped(self) -> list[tuple[OrderLine, int]]:
        """What is neither in a parcel nor cancelled yet."""
        return [(line, left) for line, left in
                ((line, remaining_quantity(self.order, line)) for line in self.order.lines)
                if left > 0]


def remaining_quantity(order: Order, line: OrderLine) -> int:
    """Units of a line not in any parcel and not cancelled (needs shipments' lines loaded)."""
    shipped = sum(sl.quantity for s in order.shipments for sl in s.lines
                  if sl.order_line_id == line.id)
    return max(0, line.quantity - line.cancelled_quantity - shipped)


def order_detail(session: Session, *, customer_id: int, number: str) -> OrderDetail:
    """Everything the order page shows, in a fixed number of queries."""
    return OrderDetail(order=get_order(session, customer_id=customer_id, number=number,
                                       detail=True))


def get_shipment(
    session: Session, *, customer_id: int, number: str, shipment_id: int
) -> Shipment:
    """One of the shopper's parcels with its timeline and contents, or OrderNotFound."""
    if not 0 < shipment_id <= MAX_ROW_ID:
        raise OrderNotFound()
    shipment = session.scalar(
        select(Shipment)
        .join(Order, Shipment.order_id == Order.id)
        .where(Shipment.id == shipment_id, Order.number == number,
               Order.customer_id == customer_id)
        .options(
            joinedload(Shipment.order),
            selectinload(Shipment.events),
            selectinload(Shipment.lines).joinedload(ShipmentLine.order_line),
        )
    )
    if shipment is None:
        raise OrderNotFound()
    return shipment


def lookup_tracking(session: Session, *, number: str, email: str) -> Order | None:
    """An order's parcels for a visitor who knows both its number and the buyer's email.

    The same single query runs whether the number or the email is wrong, so the answer
    (None) and its cost do not tell which one was.
    """
    return session.scalar(
        select(Order)
        .join(Customer, Order.customer_id == Customer.id)
        .where(Order.number == number.strip().lstrip("#").upper(),
               func.lower(Customer.email) == email.strip().lower())
        .options(selectinload(Order.shipments).selectinload(Shipment.events))
    )


def today_in(zone: ZoneInfo, now: datetime) -> date:
    return now.astimezone(zone).date()
