"""access events: who read what (``models.access_log``), append-only

One new table, its indexes and the triggers that refuse UPDATE and DELETE on it (SQLite and
PostgreSQL), nothing else changed: renumbering this revision (its ``revision`` and
``down_revision``) is all a merge beside another 0008 needs. The PostgreSQL trigger function
is this table's own, so the audit trail's triggers (0001) are untouched.

Revision ID: 0008
Revises: 0007
Created: 2026-11-30 15:04:29.030186
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

APPEND_ONLY = {
    "sqlite": [
        f"CREATE TRIGGER access_event_no_{verb.lower()} BEFORE {verb} ON access_event "
        "BEGIN SELECT RAISE(ABORT, 'access events are append-only'); END"
        for verb in ("UPDATE", "DELETE")
    ],
    "postgresql": [
        "CREATE FUNCTION grantflow_refuse_access_event_change() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'access events are append-only'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER access_event_append_only BEFORE UPDATE OR DELETE ON access_event "
        "FOR EACH ROW EXECUTE FUNCTION grantflow_refuse_access_event_change()",
    ],
}
DROP_APPEND_ONLY = {
    "sqlite": ["DROP TRIGGER access_event_no_update", "DROP TRIGGER access_event_no_delete"],
    "postgresql": [
        "DROP TRIGGER access_event_append_only ON access_event",
        "DROP FUNCTION grantflow_refuse_access_event_change()",
    ],
}


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "access_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("grant_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.ForeignKeyConstraint(["grant_id"], ["grant.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_access_event_grant_id", "access_event", ["grant_id"])
    op.create_index("ix_access_event_occurred_at", "access_event", ["occurred_at"])
    op.create_index(
        "ix_access_event_organisation_time", "access_event", ["organisation_id", "occurred_at"]
    )
    op.create_index("ix_access_event_user_id", "access_event", ["user_id"])
    _run(APPEND_ONLY)


def downgrade() -> None:
    _run(DROP_APPEND_ONLY)
    op.drop_index("ix_access_event_user_id", table_name="access_event")
    op.drop_index("ix_access_event_organisation_time", table_name="access_event")
    op.drop_index("ix_access_event_occurred_at", table_name="access_event")
    op.drop_index("ix_access_event_grant_id", table_name="access_event")
    op.drop_table("access_event")
