"""Requests waiting on the shopper: a notice first, closing later, never without warning."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit import AuditEvent
from portal.db import utcnow
from portal.support import sla
from portal.support.autoclose import auto_close
from portal.support.models import RequestStatus, SupportRequest
from portal.support.service import add_shopper_reply
from tests.factories import make_customer
from tests.factories.support import make_request

POLICY = sla.SlaPolicy()  # close after 7 days of waiting, warn 2 days before


def _waiting(session: Session, shopper, days: float) -> SupportRequest:
    request = make_request(session, shopper, status=RequestStatus.AWAITING_CUSTOMER,
                           created_at=utcnow() - timedelta(days=days + 1))
    request.sla_paused_at = utcnow() - timedelta(days=days)
    session.commit()
    return request


def _sweep(session: Session, now):
    sweep = auto_close(session, policy=POLICY, now=now, request_url=lambda n: f"https://x/{n}")
    session.commit()
    return sweep


def test_notice_then_close_after_the_notice_period(session, app) -> None:
    shopper = make_customer(session)
    soon = _waiting(session, shopper, days=5.5)
    fresh = _waiting(session, shopper, days=1)
    forgotten = _waiting(session, shopper, days=30)  # the sweep never ran: warn first anyway
    still_open = make_request(session, shopper, created_at=utcnow() - timedelta(days=40))
    now = utcnow()
    with app.app_context():
        first = _sweep(session, now)
        assert sorted(first.noticed) == sorted([soon.number, forgotten.number])
        assert first.closed == []
        assert _sweep(session, now + timedelta(hours=1)).noticed == []  # one notice each
        later = _sweep(session, now + timedelta(days=2, hours=1))
    assert sorted(later.closed) == sorted([soon.number, forgotten.number])
    session.expire_all()
    assert session.get(SupportRequest, soon.id).status == RequestStatus.CLOSED
    assert session.get(SupportRequest, fresh.id).status == RequestStatus.AWAITING_CUSTOMER
    assert session.get(SupportRequest, still_open.id).status == RequestStatus.OPEN
    actions = list(session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_id == soon.number).order_by(AuditEvent.id)))
    assert actions == ["support.auto_close_notice", "support.auto_closed"]


def test_a_reply_after_the_notice_keeps_the_request(session, app) -> None:
    shopper = make_customer(session)
    request = _waiting(session, shopper, days=6)
    now = utcnow()
    with app.app_context():
        assert _sweep(session, now).noticed == [request.number]
        add_shopper_reply(session, customer_id=shopper.id, number=request.number,
                          body="Sorry, here is the photo.", now=now + timedelta(days=1))
        session.commit()
        assert _sweep(session, now + timedelta(days=3)).closed == []
    session.refresh(request)
    assert request.status == RequestStatus.OPEN


def test_flask_command(app, session) -> None:
    request = _waiting(session, make_customer(session), days=6)
    result = app.test_cli_runner().invoke(args=["support", "auto-close"])
    assert result.exit_code == 0, result.output
    assert f"1 notice(s) sent: {request.number}" in result.output


def test_settings_keep_the_notice_inside_the_wait() -> None:
    assert sla.policy_from_settings({"auto_close_days": 10}).auto_close_days == 10
    for bad in ({"auto_close_days": 2, "auto_close_notice_days": 2},
                {"auto_close_notice_days": 0}):
        try:
            sla.policy_from_settings(bad)
        except ValueError as error:
            assert "auto-close notice" in str(error)
        else:
            raise AssertionError(f"{bad} was accepted")
