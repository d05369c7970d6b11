"""what the recipient signed: the signer's title and the SHA-256 of the offer

Grants signed before keep both empty: their executed agreements say the offer's digest was
not recorded at signing, rather than print one computed later.

Revision ID: 0010
Revises: 0009
Created: 2026-11-30 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("grant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("signer_title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "signed_offer_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("grant", schema=None) as batch_op:
        batch_op.drop_column("signed_offer_sha256")
        batch_op.drop_column("signer_title")
