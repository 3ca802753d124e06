"""Background work through Huey: the one job queue every feature uses.

The queue only runs work; the outbox tables (mail, outbound store events, export requests)
stay the record of what must be done, so a lost job is found again by the periodic sweep.
Storage is a SQLite file in instance/ by default and Redis when `PORTAL_JOBS_URL` is a
`redis://` URL, so several machines can share one queue. Tests and `JOBS_IMMEDIATE` run
each job at once, in the caller's process.

A feature declares a job with `@job` (or a periodic one with `@periodic_job`) in a module
the application imports, and enqueues it after its transaction commits with
`after_commit(session, task, *args)`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from flask import Flask, has_app_context
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.config import PROJECT_ROOT

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

_AFTER_COMMIT = "jobs_after_commit"


def _make_queue() -> Huey:
    url = os.environ.get("PORTAL_JOBS_URL", "")
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("portal", url=url)
    path = Path(url.removeprefix("sqlite:///")) if url else PROJECT_ROOT / "instance" / "jobs.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("portal", filename=str(path))


queue: Huey = _make_queue()

_worker_app: Flask | None = None


def _in_app_context(function: Callable[P, R]) -> Callable[P, R]:
    """Runs a job inside an application context: the caller's, or one app per worker process."""

    @wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        global _worker_app
        if has_app_context():
            return function(*args, **kwargs)
        if _worker_app is None:
            from portal import create_app

            _worker_app = create_app()
        with _worker_app.app_context():
            return function(*args, **kwargs)

    return run


def job(function: Callable[P, R] | None = None, **options: Any) -> Any:
    """Declares a background job; `retries` and `retry_delay` are Huey's options."""

    def declare(inner: Callable[P, R]) -> TaskWrapper:
        return queue.task(name=f"{inner.__module__}.{inner.__qualname__}", **options)(
            _in_app_context(inner)
        )

    return declare(function) if function is not None else declare


def periodic_job(*, minutes: str = "*", hours: str = "*") -> Callable[[Callable[[], R]], Any]:
    """Declares a job the worker runs on a cron-like schedule (`minutes="*/5"`)."""

    def declare(inner: Callable[[], R]) -> TaskWrapper:
        name = f"{inner.__module__}.{inner.__qualname__}"
        return queue.periodic_task(crontab(minute=minutes, hour=hours), name=name)(
            _in_app_context(inner)
        )

    return declare


def after_commit(session: Session, task: Callable[..., Any], *args: Any) -> None:
    """Enqueues `task(*args)` once the session's transaction commits; a rollback drops it."""
    session.info.setdefault(_AFTER_COMMIT, []).append((task, args))


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    for task, args in session.info.pop(_AFTER_COMMIT, []):
        try:
            task(*args)
        except Exception:
            # The outbox row behind the job is committed; the periodic sweep picks it up.
            log.exception("could not enqueue %s", getattr(task, "name", task))


@event.listens_for(Session, "after_rollback")
def _drop_rolled_back(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def init_app(app: Flask) -> None:
    """Tests (and `JOBS_IMMEDIATE`) run every job at once in the caller's process."""
    queue.immediate = bool(app.config.get("JOBS_IMMEDIATE", app.config.get("TESTING")))


def run_worker(app: Flask, *, workers: int) -> None:
    """Runs the consumer until stopped: the jobs, and the periodic sweeps."""
    global _worker_app
    _worker_app = app
    log.info("job worker on %s with %s thread(s)", type(queue.storage).__name__, workers)
    queue.create_consumer(workers=workers, worker_type="thread", periodic=True).run()
