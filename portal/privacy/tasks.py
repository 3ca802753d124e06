"""The privacy jobs the worker runs: building archives, and the daily sweeps."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.auth.codes import forget_old_codes
from portal.db import new_session, utcnow
from portal.jobs import job, periodic_job
from portal.links import external_url
from portal.privacy import deletion, exports
from portal.privacy.models import DataExport, ExportStatus
from portal.store import current_policy

# A queued archive waits seconds; a running one takes minutes for the longest histories.
_QUEUED_STALLED_AFTER = timedelta(minutes=10)
_RUNNING_STALLED_AFTER = timedelta(hours=1)


@job(retries=2, retry_delay=30)
def build_export_job(export_id: int) -> None:
    with new_session() as session:
        exports.build_export(session, export_id=export_id, policy=current_policy(), now=utcnow,
                             page_link=external_url("privacy.overview"))


@periodic_job(minutes="*/10")
def restart_stalled_exports() -> None:
    """An archive whose job was lost (worker restarted, queue wiped) is built again."""
    with new_session() as session:
        now = utcnow()
        stalled = session.scalars(
            select(DataExport.id).where(
                ((DataExport.status == ExportStatus.QUEUED)
                 & (DataExport.created_at <= now - _QUEUED_STALLED_AFTER))
                | ((DataExport.status == ExportStatus.RUNNING)
                   & (DataExport.created_at <= now - _RUNNING_STALLED_AFTER))
            )
        ).all()
    for export_id in stalled:
        build_export_job(export_id)


@periodic_job(minutes="17", hours="*")
def privacy_sweep() -> None:
    """Carries out deletions whose 14 days have passed, drops week-old archives, and forgets
    sign-in codes that can no longer be used."""
    with new_session() as session:
        deletion.carry_out_due_deletions(session, now=utcnow())
        exports.remove_expired_exports(session, now=utcnow())
        forget_old_codes(session, now=utcnow())
        session.commit()
