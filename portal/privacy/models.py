"""Privacy self-service: data export archives and account deletions with an undo window."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, created_at, db_enum, intpk, utc_datetime


class ExportStatus(enum.StrEnum):
    """Where a "download my data" archive is on its way to the shopper."""

    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


class DataExport(Base):
    """One "download my data" archive, built in the background; progress is in percent."""

    __tablename__ = "data_exports"

    id: Mapped[intpk]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[ExportStatus] = mapped_column(
        db_enum(ExportStatus, "export_status"), default=ExportStatus.QUEUED
    )
    progress: Mapped[int] = mapped_column(default=0)
    storage_key: Mapped[str | None] = mapped_column(String(255))
    size_bytes: Mapped[int | None]
    created_at: Mapped[created_at]
    finished_at: Mapped[utc_datetime | None]


class AccountDeletion(Base):
    """A request to delete an account: carried out at due_at unless cancelled before."""

    __tablename__ = "account_deletions"

    id: Mapped[intpk]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    requested_at: Mapped[created_at]
    due_at: Mapped[utc_datetime] = mapped_column(index=True)
    cancelled_at: Mapped[utc_datetime | None]
    completed_at: Mapped[utc_datetime | None]
