"""The agreement's rules in the models: who is a party, what a proposal may say, and which
purposes the organisation's data may serve (``allows_purpose``, for the fund's aggregate
reporting)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from models import fictional
from models.data_agreement import (
    AgreementTerms,
    NoSuchProposal,
    OwnProposal,
    ProposalPending,
    accept,
    allows_purpose,
    current_terms,
    party_of,
    propose,
)
from models.errors import InvalidPayload, NotFound, NotPermitted
from models.fictional.rows import DATA_AGREEMENTS
from tests.support.models_support import new_database


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    db = new_database(tmp_path_factory.mktemp("agreement-rules"))
    return db, fictional.seed(db)


def test_registration_records_the_agreement_it_was_given(seeded):
    db, cast = seeded
    with db.reading() as session:
        for organisation in cast.organisations:
            wanted = AgreementTerms(**DATA_AGREEMENTS[organisation.business_number])
            assert current_terms(session, organisation.id) == wanted


def test_the_defaults_protect_the_organisation():
    terms = AgreementTerms()
    assert terms.purposes == ["grant_administration"]
    assert terms.notes_readers == "governance_body"
    assert (terms.secondary_use, terms.at_close, terms.retention_years) == (
        "none",
        "return_and_delete",
        7,
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"retention_years": 6},
        {"retention_years": 26},
        {"purposes": []},
        {"purposes": ["ministry_reporting_aggregate"]},
        {"purposes": ["grant_administration", "grant_administration"]},
        {"purposes": ["grant_administration", "marketing"]},
        {"secondary_use": "resale"},
    ],
)
def test_terms_outside_the_declared_choices_are_refused(bad):
    with pytest.raises(ValidationError):
        AgreementTerms(**bad)


@pytest.mark.parametrize(
    ("index", "purpose", "allowed"),
    [
        (0, "grant_administration", True),
        (0, "ministry_reporting_aggregate", False),
        (0, "program_evaluation_aggregate", False),
        (1, "ministry_reporting_aggregate", True),
        (1, "program_evaluation_aggregate", False),
        (2, "program_evaluation_aggregate", True),  # listed, and secondary use in aggregate
        (2, "ministry_reporting_aggregate", True),
        (2, "selling_lists", False),
    ],
)
def test_allows_purpose_follows_the_agreement_in_force(seeded, index, purpose, allowed):
    db, cast = seeded
    with db.reading() as session:
        assert allows_purpose(session, cast.organisations[index].id, purpose) is allowed


def test_evaluation_needs_a_secondary_use_beyond_none(seeded):
    db, cast = seeded
    organisation = cast.organisations[3]
    signer = cast.applicants[organisation.id]
    with db.transaction() as session:
        terms = {
            "purposes": ["grant_administration", "program_evaluation_aggregate"],
            "notes_readers": "none",
            "at_close": "destroy",
        }
        proposal = propose(session, signer, organisation.id, terms)
        accept(session, cast.approver, organisation.id, proposal.version)
    with db.reading() as session:
        assert not allows_purpose(session, organisation.id, "program_evaluation_aggregate")


def test_parties_and_refusals(seeded):
    db, cast = seeded
    organisation = cast.organisations[0]
    signer, approver = cast.applicants[organisation.id], cast.approver
    with db.reading() as session:
        assert party_of(session, signer, organisation.id) == "organisation"
        assert party_of(session, approver, organisation.id) == "fund"
        assert party_of(session, cast.auditor, organisation.id) is None
        assert party_of(session, cast.screening_officer, organisation.id) is None
        other = cast.applicants[cast.organisations[1].id]
        assert party_of(session, other, organisation.id) is None
    with db.transaction() as session, pytest.raises(NotPermitted):
        propose(session, cast.finance, organisation.id, {"notes_readers": "none"})
    with db.transaction() as session, pytest.raises(InvalidPayload):
        propose(session, signer, organisation.id, {"retention_years": 2})
    with db.transaction() as session, pytest.raises(NotFound):
        propose(session, signer, 999_999, {"notes_readers": "none"})
    with db.transaction() as session:
        version = propose(session, signer, organisation.id, {"notes_readers": "none"}).version
    with db.transaction() as session, pytest.raises(ProposalPending):
        propose(session, approver, organisation.id, {"notes_readers": "governance_body"})
    with db.transaction() as session, pytest.raises(OwnProposal):
        accept(session, signer, organisation.id, version)
    with db.transaction() as session, pytest.raises(NoSuchProposal):
        accept(session, approver, organisation.id, version + 5)
    with db.reading() as session:
        assert current_terms(session, organisation.id).notes_readers == "governance_body"
    with db.transaction() as session:
        accept(session, approver, organisation.id, version)
    with db.reading() as session:
        assert current_terms(session, organisation.id).notes_readers == "none"
