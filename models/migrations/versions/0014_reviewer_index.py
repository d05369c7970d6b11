"""reviewer index: a panel member's grants found by an index, not a scan of every assignment

``service.authz.visible_grants`` narrows a panel member's grants with ``EXISTS (... WHERE
reviewassignment.grant_id = grant.id AND reviewassignment.reviewer_id = :me)``; the list's
count runs it over every grant. The unique constraint on (grant_id, reviewer_id) leads with
the grant, so PostgreSQL answered it by scanning the whole table and hashing the reviewer's
rows (EXPLAIN, benchmarks/api_reads.py's installation). An index on (reviewer_id, grant_id)
finds them directly.

Only an index is added: renumbering this revision (``revision`` and ``down_revision``) is all
a merge beside another 0013 needs.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_reviewassignment_reviewer", "reviewassignment", ["reviewer_id", "grant_id"])


def downgrade() -> None:
    op.drop_index("ix_reviewassignment_reviewer", table_name="reviewassignment")
