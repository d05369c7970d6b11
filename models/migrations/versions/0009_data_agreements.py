"""data agreements: each organisation's versioned data-governance agreement, and withdrawn
documents

A new append-only table (``models.data_agreement``): triggers refuse deleting a version and
changing one, except accepting a waiting proposal (filling in who accepted it and when, once).
Every existing organisation gets version 1 from its two booleans: its deliberation notes reach
auditors if ``data_agreement_allows_notes`` said so, else its governance body only; the other
terms are the protective defaults, except ``at_close``, which is "keep": nothing was ever
agreed about deleting an existing organisation's data, and deleting cannot be undone.
``document.withdrawn_at`` marks a stored document whose file was removed at close
(``models.data_return``); its row and digest stay, so the audit trail still verifies.

Self-contained: renumbering this revision (``revision``, ``down_revision``) is all a merge
beside another revision of the same number needs.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_TERMS = (
    "organisation_id",
    "version",
    "purposes",
    "notes_readers",
    "retention_years",
    "secondary_use",
    "at_close",
    "proposed_by_party",
    "proposed_by_id",
    "proposed_at",
)
_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in ("id", *_TERMS))
# PostgreSQL has no equality for json: the purposes are compared as text.
_CHANGED_PG = " OR ".join(
    f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text"
    if c == "purposes"
    else f"NEW.{c} IS DISTINCT FROM OLD.{c}"
    for c in ("id", *_TERMS)
)
_MESSAGE = "data agreement versions are append-only; only accepting a proposal is allowed"
APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER data_agreement_no_delete BEFORE DELETE ON data_agreement_version "
        f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END",
        "CREATE TRIGGER data_agreement_accept_only BEFORE UPDATE ON data_agreement_version "
        f"WHEN OLD.accepted_at IS NOT NULL OR NEW.accepted_at IS NULL OR {_CHANGED} "
        f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION grantflow_data_agreement_guard() RETURNS trigger AS $$ BEGIN "
        "IF TG_OP = 'DELETE' OR OLD.accepted_at IS NOT NULL OR NEW.accepted_at IS NULL OR "
        f"{_CHANGED_PG} "
        f"THEN RAISE EXCEPTION '{_MESSAGE}'; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER data_agreement_append_only BEFORE UPDATE OR DELETE ON "
        "data_agreement_version FOR EACH ROW EXECUTE FUNCTION grantflow_data_agreement_guard()",
    ],
}
DROP_APPEND_ONLY = {
    "sqlite": [
        "DROP TRIGGER data_agreement_no_delete",
        "DROP TRIGGER data_agreement_accept_only",
    ],
    "postgresql": [
        "DROP TRIGGER data_agreement_append_only ON data_agreement_version",
        "DROP FUNCTION grantflow_data_agreement_guard()",
    ],
}


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "data_agreement_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("notes_readers", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("retention_years", sa.Integer(), nullable=False),
        sa.Column("secondary_use", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("at_close", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("proposed_by_party", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("proposed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["proposed_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["accepted_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "version"),
    )
    with op.batch_alter_table("data_agreement_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_data_agreement_version_organisation_id"),
            ["organisation_id"],
            unique=False,
        )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("withdrawn_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    _backfill()
    _run(APPEND_ONLY)


def _backfill() -> None:
    op.execute(
        "INSERT INTO data_agreement_version (organisation_id, version, purposes, notes_readers, "
        "retention_years, secondary_use, at_close, proposed_by_party, proposed_at, accepted_at) "
        "SELECT id, 1, '[\"grant_administration\"]', CASE WHEN data_agreement_allows_notes "
        "THEN 'governance_and_auditors' ELSE 'governance_body' END, 7, 'none', 'keep', "
        "'registration', created_at, created_at FROM organisation"
    )


def downgrade() -> None:
    _run(DROP_APPEND_ONLY)
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_at")
    with op.batch_alter_table("data_agreement_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_agreement_version_organisation_id"))
    op.drop_table("data_agreement_version")
