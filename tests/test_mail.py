from flask import Flask

from portal.db import new_session
from portal.mail import OutboxMessage, deliver_pending, queue_mail


def test_queued_mail_is_written_once_after_commit(app: Flask, outbox):
    with app.app_context(), new_session() as session:
        queue_mail(session, to="ada@example.com", subject="Hello", body="Body text")
        session.commit()
        assert deliver_pending(session) == 1
        assert deliver_pending(session) == 0
    [mail] = outbox()
    assert (mail["To"], mail["Subject"]) == ("ada@example.com", "Hello")


def test_failed_delivery_is_kept_for_a_retry(app: Flask, outbox):
    app.config["MAIL_SERVER"] = "127.0.0.1"
    app.config["MAIL_PORT"] = 1  # nothing listens there
    with app.app_context(), new_session() as session:
        queue_mail(session, to="ada@example.com", subject="Hello", body="Body")
        session.commit()
        assert deliver_pending(session) == 0
        message = session.query(OutboxMessage).one()
        assert message.sent_at is None and message.attempts == 1 and message.last_error
        assert message.next_attempt_at is not None


def test_rolled_back_mail_is_never_sent(app: Flask, outbox):
    with app.app_context(), new_session() as session:
        queue_mail(session, to="ada@example.com", subject="Hello", body="Body")
        session.rollback()
        assert deliver_pending(session) == 0
    assert outbox() == []
