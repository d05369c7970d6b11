"""shared store: documents' bytes and the audit checkpoints in the database

Two new tables, nothing else changed: renumbering this revision (``revision`` and
``down_revision``) is all a merge beside another 0010 needs.

- ``document_blob`` (``models.blobs``): a stored file's key, SHA-256, size and bytes, used
  when ``GRANTFLOW_DOCUMENT_STORE=database``;
- ``audit_checkpoint`` (``models.audit_checkpoints``): one row per checkpoint of the audit
  log, its tree size and the size it extends both unique (one chain, whoever writes), and
  triggers refusing UPDATE and DELETE (their own, so the audit trail's are untouched).
  Checkpoints an installation kept in ``<data>/audit/`` are imported by ``grantflow audit
  checkpoints import``.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

APPEND_ONLY = {
    "sqlite": [
        f"CREATE TRIGGER audit_checkpoint_no_{verb.lower()} BEFORE {verb} ON audit_checkpoint "
        "BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END"
        for verb in ("UPDATE", "DELETE")
    ],
    "postgresql": [
        "CREATE FUNCTION grantflow_refuse_audit_checkpoint_change() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit checkpoints are append-only'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON "
        "audit_checkpoint FOR EACH ROW EXECUTE FUNCTION "
        "grantflow_refuse_audit_checkpoint_change()",
    ],
}
DROP_APPEND_ONLY = {
    "sqlite": [
        "DROP TRIGGER audit_checkpoint_no_update",
        "DROP TRIGGER audit_checkpoint_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER audit_checkpoint_append_only ON audit_checkpoint",
        "DROP FUNCTION grantflow_refuse_audit_checkpoint_change()",
    ],
}


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "document_blob",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.Integer(), nullable=False),
        sa.Column("previous_size", sa.Integer(), nullable=False),
        sa.Column("root", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("made_at", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("leaves", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("previous_size"),
        sa.UniqueConstraint("tree_size"),
    )
    _run(APPEND_ONLY)


def downgrade() -> None:
    _run(DROP_APPEND_ONLY)
    op.drop_table("audit_checkpoint")
    op.drop_table("document_blob")
