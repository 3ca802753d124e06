"""The job queue: jobs run after commit, inside an application context, in a real worker."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask import Flask, current_app
from huey.storage import SqliteStorage
from sqlalchemy.orm import Session

from portal import jobs
from portal.db import new_session

ran: list[tuple[str, str]] = []
finished = threading.Event()


@jobs.job
def note_instance(label: str) -> None:
    ran.append((label, current_app.config["INSTANCE_PATH_SEEN"]))
    finished.set()


@pytest.fixture(autouse=True)
def _clear() -> None:
    ran.clear()
    finished.clear()


@pytest.fixture
def seen_app(app: Flask) -> Flask:
    app.config["INSTANCE_PATH_SEEN"] = "test-app"
    return app


def test_a_job_is_enqueued_only_when_the_transaction_commits(seen_app: Flask) -> None:
    with seen_app.app_context(), new_session() as session:
        jobs.after_commit(session, note_instance, "kept")
        assert ran == []
        session.commit()
        jobs.after_commit(session, note_instance, "dropped")
        session.rollback()
    assert ran == [("kept", "test-app")]


def test_a_failure_to_enqueue_does_not_undo_the_commit(
    seen_app: Flask, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(*_args: object) -> None:
        raise ConnectionError("broker down")

    jobs.after_commit(session, refuse, 1)
    session.commit()
    assert "could not enqueue" in caplog.text


def test_a_worker_runs_queued_jobs_in_the_app_it_was_given(
    seen_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs.queue, "immediate", False)
    monkeypatch.setattr(
        jobs.queue, "storage", SqliteStorage("portal-test", filename=str(tmp_path / "q.db"))
    )
    note_instance("queued")
    assert ran == [] and jobs.queue.pending_count() == 1
    monkeypatch.setattr(jobs, "_worker_app", seen_app)
    consumer = jobs.queue.create_consumer(workers=1, periodic=False, initial_delay=0.01)
    consumer.start()
    try:
        assert finished.wait(timeout=20)
    finally:
        consumer.stop(graceful=True)
    assert ran == [("queued", "test-app")]
    assert jobs.queue.pending_count() == 0
