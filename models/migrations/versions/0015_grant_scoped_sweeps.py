"""grant-scoped sweeps: a sweep run may keep one grant's deadlines only

``grantflow demo`` runs its grants side by side, each on its own simulated calendar; a sweep
of one grant's day must not act on the others (``workflows.sweep``). ``sweep_run.grant_id``
names that grant; the installation's daily sweep leaves it empty.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sweep_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("grant_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_sweep_run_grant_id"), ["grant_id"], unique=False)
        batch_op.create_foreign_key("fk_sweep_run_grant_id", "grant", ["grant_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("sweep_run", schema=None) as batch_op:
        batch_op.drop_constraint("fk_sweep_run_grant_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_sweep_run_grant_id"))
        batch_op.drop_column("grant_id")
