"""The fund's outcome report counts an organisation's figures only if its data-governance
agreement in force lists reporting to the ministry in aggregate; agreeing to it later brings
them in. The fund's money is reported either way."""

from __future__ import annotations

from sqlmodel import select

from models.data_agreement import accept, allows_purpose, current_terms, propose
from models.outcomes import REPORTING_PURPOSE, fund_outcomes
from models.tables import Fund, Grant, OutcomeReport
from tests.support.models_support import new_database
from tests.support.outcome_data import accepted_reports_world


def _reported_grants(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
    grant_ids = {r.grant_id for r in session.exec(select(OutcomeReport)) if r.state == "accepted"}
    return {
        g.reference: g.organisation_id for g in session.exec(select(Grant)) if g.id in grant_ids
    }


def test_counts_follow_each_organisations_agreement(tmp_path):
    db = new_database(tmp_path)
    world, _ = accepted_reports_world(db, grants=3)
    with db.reading() as session:
        fund_code = session.exec(select(Fund.code)).one()
        reported = _reported_grants(session)
        allowed = {o: allows_purpose(session, o, REPORTING_PURPOSE) for o in reported.values()}
        before = fund_outcomes(session, fund_code)
    refusing = {ref for ref, org in reported.items() if not allowed[org]}
    assert refusing, "the fictional agreements include one without reporting to the ministry"
    assert refusing != set(reported), "and some with it"

    shown = {p.reference for p in before.projects}
    assert shown == set(reported) - refusing
    assert before.grants_not_counted == len(refusing)
    assert sum(m.committed_cents for m in before.money) > 0

    organisation_id = reported[sorted(refusing)[0]]
    signer = world.cast.applicants[organisation_id]
    with db.transaction() as session:
        terms = current_terms(session, organisation_id).model_dump()
        terms["purposes"] = [*terms["purposes"], REPORTING_PURPOSE]
        proposal = propose(session, signer, organisation_id, terms)
        accept(session, world.cast.approver, organisation_id, proposal.version)
    with db.reading() as session:
        after = fund_outcomes(session, fund_code)
    now_counted = {ref for ref, org in reported.items() if org == organisation_id}
    assert {p.reference for p in after.projects} == shown | now_counted
    assert after.grants_not_counted == len(refusing - now_counted)
    assert after.money == before.money


def test_the_report_and_the_api_say_how_many_grants_are_not_counted(tmp_path):
    from datetime import UTC, datetime

    from documents.outcome_report import build_outcome_report
    from service.routes.outcomes import outcomes_public

    db = new_database(tmp_path)
    accepted_reports_world(db, grants=3)
    with db.reading() as session:
        outcomes = fund_outcomes(session, session.exec(select(Fund.code)).one())
    assert outcomes.grants_not_counted == 1
    assert outcomes_public(outcomes).grants_not_counted == 1
    issued = datetime(2027, 7, 1, tzinfo=UTC)
    english = repr(build_outcome_report(outcomes, "en", issued))
    french = repr(build_outcome_report(outcomes, "fr", issued))
    assert "The counts of 1 grant(s) are not included" in english
    assert "Les nombres de 1 subvention(s) ne sont pas inclus" in french
