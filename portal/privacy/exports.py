"""Download my data: one archive at a time, built in the background, kept seven days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import storage
from portal.audit import record_event
from portal.auth.models import Customer
from portal.domain import NotFound
from portal.privacy.archive import write_archive
from portal.privacy.models import DataExport, ExportStatus
from portal.privacy.notices import send_export_ready
from portal.store import StorePolicy

KEPT_FOR = timedelta(days=7)
_BUSY = (ExportStatus.QUEUED, ExportStatus.RUNNING)


def request_export(session: Session, *, customer_id: int) -> tuple[DataExport, bool]:
    """A new archive, or the one already on its way (asking twice makes one); True if new."""
    busy = session.scalar(
        select(DataExport).where(DataExport.customer_id == customer_id,
                                 DataExport.status.in_(_BUSY))
    )
    if busy is not None:
        return busy, False
    export = DataExport(customer_id=customer_id)
    session.add(export)
    session.flush()
    record_event(session, actor_id=customer_id, action="data_export_requested",
                 object_type="data_export", object_id=export.id)
    return export, True


def latest_export(session: Session, *, customer_id: int, now: datetime) -> DataExport | None:
    """The newest archive still on offer (ready ones for seven days)."""
    export = session.scalar(
        select(DataExport).where(DataExport.customer_id == customer_id)
        .order_by(DataExport.id.desc()).limit(1)
    )
    if export is None or is_expired(export, now=now):
        return None
    return export


def get_export(session: Session, *, customer_id: int, export_id: int) -> DataExport:
    """This shopper's archive; anyone else's is NotFound."""
    export = session.scalar(
        select(DataExport).where(DataExport.id == export_id,
                                 DataExport.customer_id == customer_id)
    )
    if export is None:
        raise NotFound("That archive was not found.")
    return export


def is_expired(export: DataExport, *, now: datetime) -> bool:
    return export.finished_at is not None and export.finished_at + KEPT_FOR <= now


def expires_at(export: DataExport) -> datetime | None:
    return export.finished_at + KEPT_FOR if export.finished_at else None


def build_export(
    session: Session, *, export_id: int, policy: StorePolicy, now: Callable[[], datetime],
    page_link: str,
) -> None:
    """Builds the archive, committing progress as it goes so the page can show it, and mails
    the owner a link to the page once it is ready."""
    export = session.get(DataExport, export_id)
    if export is None or export.status not in _BUSY:
        return  # already built (a job delivered twice) or gone
    export.status, export.progress = ExportStatus.RUNNING, 0
    session.commit()

    def progress(percent: int) -> None:
        export.progress = min(percent, 99)
        session.commit()

    try:
        data = write_archive(session, customer_id=export.customer_id, policy=policy,
                             progress=progress)
        key = storage.save(data, folder="exports", suffix="zip", content_type="application/zip")
    except Exception:
        session.rollback()
        export.status = ExportStatus.FAILED
        session.commit()
        raise
    export.storage_key, export.size_bytes = key, len(data)
    export.status, export.progress, export.finished_at = ExportStatus.READY, 100, now()
    record_event(session, actor_id=None, action="data_export_ready",
                 object_type="data_export", object_id=export.id, size_bytes=len(data))
    customer = session.get(Customer, export.customer_id)
    if customer is not None:
        send_export_ready(session, customer, link=page_link)
    session.commit()


def read_archive(export: DataExport, *, now: datetime) -> bytes:
    if export.status is not ExportStatus.READY or export.storage_key is None or is_expired(
        export, now=now
    ):
        raise NotFound("That archive is not ready, or no longer kept.")
    return storage.load(export.storage_key)


def remove_expired_exports(session: Session, *, now: datetime) -> int:
    """Deletes the files of archives past their seven days; the rows stay as a record."""
    expired = session.scalars(
        select(DataExport).where(DataExport.finished_at <= now - KEPT_FOR,
                                 DataExport.storage_key.is_not(None))
    ).all()
    for export in expired:
        storage.remove(export.storage_key)  # type: ignore[arg-type]
        export.storage_key = None
    return len(expired)
