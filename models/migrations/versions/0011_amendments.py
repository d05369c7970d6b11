"""amendments: the amendments of an agreement in force, and the grant's reporting schedule

A new table ``amendment`` (``models.amendments``): one row per amendment of a grant's
agreement, its terms before and after with their reasons, and who proposed, approved, signed
and countersigned it. A partial unique index keeps at most one amendment open (proposed,
approved or signed) per grant. ``grant.annual_report_days`` and ``grant.final_report_days``
hold the reporting schedule in force (Schedule F); existing grants get the schedule every
agreement had until now (90 and 60 days).

Self-contained: renumbering this revision (``revision``, ``down_revision``) is all a merge
beside another revision of the same number needs.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_OPEN = sa.text("state IN ('proposed', 'approved', 'signed')")


def upgrade() -> None:
    op.create_table(
        "amendment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("approved_cents_before", sa.Integer(), nullable=False),
        sa.Column("approved_cents_after", sa.Integer(), nullable=True),
        sa.Column("approved_cents_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("end_date_before", sa.Date(), nullable=False),
        sa.Column("end_date_after", sa.Date(), nullable=True),
        sa.Column("end_date_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("annual_report_days_before", sa.Integer(), nullable=False),
        sa.Column("annual_report_days_after", sa.Integer(), nullable=True),
        sa.Column("final_report_days_before", sa.Integer(), nullable=False),
        sa.Column("final_report_days_after", sa.Integer(), nullable=True),
        sa.Column("report_schedule_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("proposed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("closing_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("signer_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("signed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("countersigned_by_id", sa.Integer(), nullable=True),
        sa.Column("countersigned_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "approved_cents_after IS NULL OR approved_cents_after > 0",
            name="amendment_amount_positive",
        ),
        sa.ForeignKeyConstraint(["approved_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["countersigned_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["grant_id"], ["grant.id"]),
        sa.ForeignKeyConstraint(["proposed_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("grant_id", "sequence"),
    )
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_amendment_grant_id"), ["grant_id"], unique=False)
        batch_op.create_index(
            "uq_amendment_one_open_per_grant",
            ["grant_id"],
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        )
    with op.batch_alter_table("grant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("annual_report_days", sa.Integer(), nullable=False, server_default="90")
        )
        batch_op.add_column(
            sa.Column("final_report_days", sa.Integer(), nullable=False, server_default="60")
        )


def downgrade() -> None:
    with op.batch_alter_table("grant", schema=None) as batch_op:
        batch_op.drop_column("final_report_days")
        batch_op.drop_column("annual_report_days")
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.drop_index("uq_amendment_one_open_per_grant")
        batch_op.drop_index(batch_op.f("ix_amendment_grant_id"))
    op.drop_table("amendment")
