"""stored audit leaves: each audit event keeps the leaf data its hash is taken over

One nullable column, ``auditevent.leaf``: the event's canonical JSON, as
``models.audit_leaves.leaf_data`` builds it (new events get it as they are appended).
Existing events are filled in here from that same function, so an older installation's log
verifies unchanged (the same bytes, so the same leaf hashes and checkpoints). The append-only
triggers are set aside for that one UPDATE and put back. Renumbering this revision
(``revision`` and ``down_revision``) is all a merge beside another 0013 needs.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from models.audit_leaves import LEAF_FIELDS, leaf_data

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SET_ASIDE = {
    "sqlite": ["DROP TRIGGER auditevent_no_update"],
    "postgresql": ["ALTER TABLE auditevent DISABLE TRIGGER auditevent_append_only"],
}
PUT_BACK = {
    "sqlite": [
        "CREATE TRIGGER auditevent_no_update BEFORE UPDATE ON auditevent "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
    ],
    "postgresql": ["ALTER TABLE auditevent ENABLE TRIGGER auditevent_append_only"],
}
BATCH = 2_000

# The columns as they were at this revision (never the live model, which may grow).
EVENTS = sa.table(
    "auditevent",
    *(sa.column(name) for name in LEAF_FIELDS if name not in ("payload_summary", "occurred_at")),
    sa.column("payload_summary", sa.JSON()),
    sa.column("occurred_at", sqlmodel.sql.sqltypes.UTCDateTime()),
    sa.column("leaf", sa.LargeBinary()),
)


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def _backfill() -> None:
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(*(EVENTS.c[name] for name in LEAF_FIELDS))
            .where(EVENTS.c.id > last)
            .order_by(EVENTS.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            EVENTS.update()
            .where(EVENTS.c.id == sa.bindparam("event_id"))
            .values(leaf=sa.bindparam("leaf_data")),
            [{"event_id": row.id, "leaf_data": leaf_data(row)} for row in rows],
        )
        last = rows[-1].id


def upgrade() -> None:
    op.add_column("auditevent", sa.Column("leaf", sa.LargeBinary(), nullable=True))
    _run(SET_ASIDE)
    _backfill()
    _run(PUT_BACK)


def downgrade() -> None:
    # A plain ALTER TABLE (SQLite 3.35+): a batch copy would lose the append-only triggers.
    op.drop_column("auditevent", "leaf")
