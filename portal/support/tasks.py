"""Support's background work: the hourly auto-close sweep (portal.jobs runs it)."""

from __future__ import annotations

import logging

from portal.db import new_session, utcnow
from portal.jobs import periodic_job
from portal.links import external_url
from portal.support.autoclose import Sweep, auto_close
from portal.support.sla import current_sla_policy

log = logging.getLogger(__name__)


def run_auto_close() -> Sweep:
    """One sweep in its own session, committed; used by the job and the flask command."""
    with new_session() as session:
        sweep = auto_close(session, policy=current_sla_policy(), now=utcnow(),
                           request_url=lambda number: external_url("support.detail",
                                                                   number=number))
        session.commit()
    if sweep.noticed or sweep.closed:
        log.info("auto-close: %d notices, %d closed", len(sweep.noticed), len(sweep.closed))
    return sweep


@periodic_job(minutes="17")
def auto_close_sweep() -> None:
    run_auto_close()
