"""staff console: service-level due times on requests, saved replies (macros)

Revision ID: w13_staff_console
Revises: w14b_accounts
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.db

revision: str = "w13_staff_console"
down_revision: str | None = "w14b_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "macros",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["updated_by_id"], ["customers.id"],
                                name=op.f("fk_macros_updated_by_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_macros")),
        sa.UniqueConstraint("title", name=op.f("uq_macros_title")),
    )
    with op.batch_alter_table("macros", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_macros_created_at"), ["created_at"], unique=False)

    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_response_due_at",
                                      portal.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resolution_due_at",
                                      portal.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sla_paused_at",
                                      portal.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sla_paused_seconds", sa.Integer(), server_default="0",
                                      nullable=False))
        batch_op.create_index(batch_op.f("ix_support_requests_first_response_due_at"),
                              ["first_response_due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_support_requests_resolution_due_at"),
                              ["resolution_due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_support_requests_resolved_at"), ["resolved_at"],
                              unique=False)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_action", ["action"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_action")
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_requests_resolved_at"))
        batch_op.drop_index(batch_op.f("ix_support_requests_resolution_due_at"))
        batch_op.drop_index(batch_op.f("ix_support_requests_first_response_due_at"))
        batch_op.drop_column("sla_paused_seconds")
        batch_op.drop_column("sla_paused_at")
        batch_op.drop_column("resolution_due_at")
        batch_op.drop_column("first_response_due_at")
    with op.batch_alter_table("macros", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_macros_created_at"))
    op.drop_table("macros")
