"""Page numbers from the query string, and one page of a select()."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.numbers import parse_int

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    per_page: int
    total: int

    @property
    def total_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.total_pages


def page_number(raw: str | None) -> int:
    """A page number from user input; anything odd means the first page."""
    return parse_int(raw, minimum=1, maximum=100_000) or 1


def paginate(session: Session, statement: Select[Any], *, number: int, per_page: int) -> Page[Any]:
    """One page of the statement's rows, and the total; past the end gives the last page."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    total = total or 0
    last = max(1, -(-total // per_page))
    number = min(number, last)
    items = list(session.scalars(statement.limit(per_page).offset((number - 1) * per_page)))
    return Page(items=items, number=number, per_page=per_page, total=total)


def cursor_id(raw: str | None) -> int | None:
    """A keyset cursor (a row id) from user input: ASCII digits within 32 bits, else None."""
    if not raw or not (raw.isascii() and raw.isdigit()) or len(raw) > 10:
        return None
    value = int(raw)
    return value if 1 <= value < 2**31 else None
