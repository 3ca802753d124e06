"""Concurrent return requests for the same line never claim more than was delivered.

Each thread has its own session (its own connection), released together by a barrier, so
the requests really overlap. Runs on SQLite, and on PostgreSQL with PORTAL_TEST_DATABASE_URL.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.returns import service
from portal.returns.models import ReturnLine, ReturnReason, ReturnRequest, ReturnResolution
from portal.store import StorePolicy
from tests.factories import make_customer
from tests.factories.returns import make_delivered_order

pytestmark = pytest.mark.commits


def fire(app: Flask, order, line_id: int, quantities: list[int],
         keys: list[str] | None = None) -> Counter[str]:
    """Sends one start_return per quantity at the same moment; counts the outcomes."""
    outcomes: Counter[str] = Counter()
    rmas: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(quantities))
    keys = keys or [uuid.uuid4().hex for _ in quantities]

    def request(quantity: int, key: str) -> None:
        session = app.extensions["portal_sessionmaker"]()
        try:
            barrier.wait(timeout=10)
            created = service.start_return(
                session, customer_id=order.customer_id, order_number=order.number,
                items=[service.ReturnItem(line_id, quantity, ReturnReason.CHANGED_MIND)],
                resolution=ReturnResolution.REFUND, idempotency_key=key,
                policy=StorePolicy(), now=utcnow(),
            )
            session.commit()
            result = "created"
            with lock:
                rmas.append(created.rma_number)
        except service.InvalidReturn:
            session.rollback()
            result = "refused"
        except Exception as error:  # any other failure is a bug the test must show
            session.rollback()
            result = f"error: {type(error).__name__}: {error}"
        finally:
            session.close()
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=request, args=(quantity, key))
               for quantity, key in zip(quantities, keys, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    outcomes["distinct returns"] = len(set(rmas))
    return outcomes


def claimed(session: Session, line_id: int) -> int:
    session.expire_all()
    return session.scalar(select(func.coalesce(func.sum(ReturnLine.quantity), 0))
                          .where(ReturnLine.order_line_id == line_id)) or 0


def first_line_id(session: Session, order) -> int:
    return service.get_returnable_order(
        session, customer_id=order.customer_id, order_number=order.number,
        policy=StorePolicy(), now=utcnow()).options[0].line.id


def test_eight_requests_for_three_units_create_exactly_three(app: Flask, session) -> None:
    order = make_delivered_order(session, make_customer(session), quantity=3)
    line_id = first_line_id(session, order)
    outcomes = fire(app, order, line_id, [1] * 8)
    assert outcomes["created"] == 3, outcomes
    assert outcomes["refused"] == 5, outcomes
    assert claimed(session, line_id) == 3


def test_two_requests_for_the_whole_line_let_one_win(app: Flask, session) -> None:
    order = make_delivered_order(session, make_customer(session), quantity=2)
    line_id = first_line_id(session, order)
    outcomes = fire(app, order, line_id, [2, 2])
    assert (outcomes["created"], outcomes["refused"]) == (1, 1), outcomes
    assert claimed(session, line_id) == 2


def test_a_form_sent_four_times_at_once_creates_one_return(app: Flask, session) -> None:
    order = make_delivered_order(session, make_customer(session), quantity=3)
    line_id = first_line_id(session, order)
    outcomes = fire(app, order, line_id, [1] * 4, keys=["same-key-" + "x" * 24] * 4)
    assert outcomes["created"] == 4, outcomes  # every sender gets the one return back
    assert outcomes["distinct returns"] == 1
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(ReturnRequest)) == 1
    assert claimed(session, line_id) == 1
