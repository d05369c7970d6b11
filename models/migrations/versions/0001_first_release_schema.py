"""First release schema: every table, and the audit trail's append-only triggers.

The triggers refuse UPDATE and DELETE on audit events whoever asks; verification still
catches someone who drops them first (see models.audit).

Revision ID: 0001
Revises:
Created: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

APPEND_ONLY = {
    "sqlite": [
        f"CREATE TRIGGER auditevent_no_{verb.lower()} BEFORE {verb} ON auditevent "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
        for verb in ("UPDATE", "DELETE")
    ],
    "postgresql": [
        "CREATE FUNCTION grantflow_refuse_change() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER auditevent_append_only BEFORE UPDATE OR DELETE ON auditevent "
        "FOR EACH ROW EXECUTE FUNCTION grantflow_refuse_change()",
    ],
}
DROP_APPEND_ONLY = {
    "sqlite": ["DROP TRIGGER auditevent_no_update", "DROP TRIGGER auditevent_no_delete"],
    "postgresql": [
        "DROP TRIGGER auditevent_append_only ON auditevent",
        "DROP FUNCTION grantflow_refuse_change()",
    ],
}


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fund",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_fr", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("call_deadline", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("max_award_cents", sa.Integer(), nullable=False),
        sa.Column("holdback_bps", sa.Integer(), nullable=False),
        sa.Column("initial_payment_bps", sa.Integer(), nullable=False),
        sa.Column("insurance_minimum_cents", sa.Integer(), nullable=False),
        sa.Column("records_retention_years", sa.Integer(), nullable=False),
        sa.Column("offer_days", sa.Integer(), nullable=False),
        sa.Column("cure_period_days", sa.Integer(), nullable=False),
        sa.Column("quorum_numerator", sa.Integer(), nullable=False),
        sa.Column("quorum_denominator", sa.Integer(), nullable=False),
        sa.Column("require_elder", sa.Boolean(), nullable=False),
        sa.Column("require_survivor_advisor", sa.Boolean(), nullable=False),
        sa.Column("small_cell_threshold", sa.Integer(), nullable=False),
        sa.Column("signer_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("signer_title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("signer_title_fr", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("staff_language", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("next_grant_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fund", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fund_code"), ["code"], unique=True)

    op.create_table(
        "idempotencyclaim",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("claimed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("completed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("legal_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("operating_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("business_number", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("preferred_language", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("indigenous_led_attested", sa.Boolean(), nullable=False),
        sa.Column("community_resolution_ref", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("data_governance_consent", sa.Boolean(), nullable=False),
        sa.Column("data_agreement_allows_notes", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "worker_lease",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("host", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("heartbeat_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("stopped_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("signing_authority", sa.Boolean(), nullable=False),
        sa.Column("senior", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "fundallocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("allocated_cents", sa.Integer(), nullable=False),
        sa.Column("committed_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint("committed_cents <= allocated_cents", name="allocation_not_exceeded"),
        sa.CheckConstraint("committed_cents >= 0", name="allocation_commitment_positive"),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["fund.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fund_id", "fiscal_year"),
    )
    with op.batch_alter_table("fundallocation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fundallocation_fund_id"), ["fund_id"], unique=False)

    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("is_elder", sa.Boolean(), nullable=False),
        sa.Column("is_survivor_advisor", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_token_hash"), ["token_hash"], unique=False)

    op.create_table(
        "grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("project_title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("project_description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("community", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("requested_cents", sa.Integer(), nullable=False),
        sa.Column("approved_cents", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("risk_rating", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("submitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("screened_by_id", sa.Integer(), nullable=True),
        sa.Column("screened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("coordinator_id", sa.Integer(), nullable=True),
        sa.Column("recommended_cents", sa.Integer(), nullable=True),
        sa.Column("consensus_rating", sa.Integer(), nullable=True),
        sa.Column("review_rationale", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sealed_deliberation_notes", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("decline_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("info_requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("offer_expires_on", sa.Date(), nullable=True),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("signer_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("signed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("countersigned_by_id", sa.Integer(), nullable=True),
        sa.Column("countersigned_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("insurance_certificate_ref", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("closeout_began_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "approved_cents IS NULL OR approved_cents >= 0", name="grant_approved_positive"
        ),
        sa.CheckConstraint("requested_cents > 0", name="grant_requested_positive"),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["coordinator_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["countersigned_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["fund.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["screened_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("grant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grant_fund_id"), ["fund_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_grant_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_grant_reference"), ["reference"], unique=True)
        batch_op.create_index(batch_op.f("ix_grant_state"), ["state"], unique=False)

    op.create_table(
        "auditevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=True),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("from_state", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("to_state", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("payload_summary", sa.JSON(), nullable=False),
        sa.Column("flow_run_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("request_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("occurred_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["grant.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditevent_grant_id"), ["grant_id"], unique=False)

    op.create_table(
        "budgetline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("requested_cents", sa.Integer(), nullable=False),
        sa.Column("approved_cents", sa.Integer(), nullable=True),
        sa.CheckConstraint("requested_cents >= 0", name="budget_requested_positive"),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["grant.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("grant_id", "fiscal_year"),
    )
    with op.batch_alter_table("budgetline", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budgetline_grant_id"), ["grant_id"], unique=False)

    op.create_table(
        "instalment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("planned_cents", sa.Integer(), nullable=True),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("initiated_by_id", sa.Integer(), nullable=True),
        sa.Column("initiated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("released_by_id", sa.Integer(), nullable=True),
        sa.Column("released_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("hold_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.CheckConstraint("amount_cents >= 0", name="instalment_amount_positive"),
        sa.CheckConstraint(
            "planned_cents IS NULL OR amount_cents <= planned_cents", name="instalment_within_plan"
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["grant.id"],
        ),
        sa.ForeignKeyConstraint(
            ["initiated_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["released_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("grant_id", "sequence"),
    )
    with op.batch_alter_table("instalment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_instalment_grant_id"), ["grant_id"], unique=False)

    op.create_table(
        "outcomereport",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("submitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("return_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("expenditure_cents", sa.Integer(), nullable=True),
        sa.Column("aggregates", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["grant.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("grant_id", "sequence"),
    )
    with op.batch_alter_table("outcomereport", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outcomereport_grant_id"), ["grant_id"], unique=False)

    op.create_table(
        "reviewassignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("conflict", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("conflict_note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("declared_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["grant.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("grant_id", "reviewer_id"),
    )
    with op.batch_alter_table("reviewassignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reviewassignment_grant_id"), ["grant_id"], unique=False
        )

    op.create_table(
        "reviewscore",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("criterion", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["grant.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("grant_id", "reviewer_id", "criterion"),
    )
    with op.batch_alter_table("reviewscore", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviewscore_grant_id"), ["grant_id"], unique=False)

    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("storage_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("template_version", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("flow_run_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("audit_event_id", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_event_id"],
            ["auditevent.id"],
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["grant.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("grant_id", "kind", "subject_key", "language", "format", "version"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_grant_id"), ["grant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_sha256"), ["sha256"], unique=False)
    _run(APPEND_ONLY)


def downgrade() -> None:
    _run(DROP_APPEND_ONLY)
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_sha256"))
        batch_op.drop_index(batch_op.f("ix_document_grant_id"))

    op.drop_table("document")
    with op.batch_alter_table("reviewscore", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviewscore_grant_id"))

    op.drop_table("reviewscore")
    with op.batch_alter_table("reviewassignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviewassignment_grant_id"))

    op.drop_table("reviewassignment")
    with op.batch_alter_table("outcomereport", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcomereport_grant_id"))

    op.drop_table("outcomereport")
    with op.batch_alter_table("instalment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instalment_grant_id"))

    op.drop_table("instalment")
    with op.batch_alter_table("budgetline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budgetline_grant_id"))

    op.drop_table("budgetline")
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditevent_grant_id"))

    op.drop_table("auditevent")
    with op.batch_alter_table("grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grant_state"))
        batch_op.drop_index(batch_op.f("ix_grant_reference"))
        batch_op.drop_index(batch_op.f("ix_grant_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_grant_fund_id"))

    op.drop_table("grant")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_token_hash"))

    op.drop_table("user")
    with op.batch_alter_table("fundallocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fundallocation_fund_id"))

    op.drop_table("fundallocation")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_organisation_id"))

    op.drop_table("contact")
    op.drop_table("worker_lease")
    op.drop_table("organisation")
    op.drop_table("idempotencyclaim")
    with op.batch_alter_table("fund", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_code"))

    op.drop_table("fund")
