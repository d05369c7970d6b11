"""An organisation's data-governance agreement through the API: read, propose, accept; both
parties' consent, and a problem detail for every refusal."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models.tables import AuditEvent
from tests.support.api_support import make_api_world

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def world(installation):
    return make_api_world(installation)


def code(response) -> str:
    """The problem's stable code: the end of its ``type``."""
    return response.json()["type"].rsplit("/", 1)[-1]


def url(world, index: int = 1, tail: str = "") -> str:
    return f"/api/v1/organisations/{world.cast.organisations[index].id}/data-agreement{tail}"


def test_the_organisation_and_staff_read_it_others_do_not(world):
    signer = world.applicant_of(1)
    own = world.client.get(url(world), headers=world.headers(signer))
    assert own.status_code == 200, own.text
    body = own.json()
    assert body["current"]["version"] == 1 and body["pending"] is None
    assert body["current"]["at_close"] == "return_and_delete"
    assert body["your_party"] == "organisation"
    auditor = world.client.get(url(world), headers=world.headers(world.cast.auditor))
    assert auditor.status_code == 200 and auditor.json()["your_party"] is None
    approver = world.client.get(url(world), headers=world.headers(world.cast.approver))
    assert approver.json()["your_party"] == "fund"
    other = world.client.get(url(world), headers=world.headers(world.applicant_of(0)))
    assert other.status_code == 404
    assert other.headers["content-type"] == "application/problem+json"
    missing = world.client.get(
        "/api/v1/organisations/999999/data-agreement", headers=world.headers(signer)
    )
    assert missing.status_code == 404


def test_a_change_is_in_force_only_once_the_other_party_accepts(world):
    signer, approver = world.applicant_of(1), world.cast.approver
    terms = world.client.get(url(world), headers=world.headers(signer)).json()["current"]
    wanted = {
        "purposes": ["grant_administration", "ministry_reporting_aggregate"],
        "notes_readers": "governance_and_auditors",
        "retention_years": 10,
        "secondary_use": "aggregate_only",
        "at_close": "keep",
    }
    proposed = world.client.post(
        url(world, tail="/proposals"), json=wanted, headers=world.headers(signer)
    )
    assert proposed.status_code == 201, proposed.text
    assert proposed.json()["version"] == 2 and proposed.json()["accepted_at"] is None
    read = world.client.get(url(world), headers=world.headers(approver)).json()
    assert (
        read["current"]["version"] == 1
        and read["current"]["notes_readers"] == terms["notes_readers"]
    )
    assert read["pending"]["version"] == 2

    again = world.client.post(
        url(world, tail="/proposals"), json=wanted, headers=world.headers(approver)
    )
    assert again.status_code == 409 and code(again) == "agreement-proposal-pending"
    own = world.client.post(
        url(world, tail="/proposals/2/acceptance"), headers=world.headers(signer)
    )
    assert own.status_code == 409 and code(own) == "agreement-own-proposal"
    accepted = world.client.post(
        url(world, tail="/proposals/2/acceptance"), headers=world.headers(approver)
    )
    assert accepted.status_code == 200, accepted.text
    now = world.client.get(url(world), headers=world.headers(signer)).json()
    assert now["current"]["version"] == 2 and now["pending"] is None
    assert {k: now["current"][k] for k in wanted} == wanted
    assert [v["version"] for v in now["history"]] == [1, 2]

    twice = world.client.post(
        url(world, tail="/proposals/2/acceptance"), headers=world.headers(approver)
    )
    assert twice.status_code == 409 and code(twice) == "agreement-proposal-decided"
    unknown = world.client.post(
        url(world, tail="/proposals/9/acceptance"), headers=world.headers(approver)
    )
    assert unknown.status_code == 404

    with world.db.reading() as session:
        events = session.exec(
            select(AuditEvent).where(
                AuditEvent.action.in_(["propose_data_agreement", "accept_data_agreement"])
            )  # type: ignore[attr-defined]
        ).all()
    assert [e.action for e in events] == ["propose_data_agreement", "accept_data_agreement"]
    assert events[0].payload_summary == {
        "version": 2,
        "party": "organisation",
        # Its purposes were already these (models.fictional.rows): not named as changed.
        "fields": ["notes_readers", "retention_years", "secondary_use", "at_close"],
    }
    assert "aggregate_only" not in str(events[0].payload_summary)


def test_only_the_parties_propose_or_accept(world):
    terms = {"notes_readers": "none"}
    for user in (
        world.cast.auditor,
        world.cast.screening_officer,
        world.user_with_roles("applicant", organisation_index=1),  # not its signing authority
    ):
        refused = world.client.post(
            url(world, tail="/proposals"), json=terms, headers=world.headers(user)
        )
        assert refused.status_code == 403, (user.name, refused.text)
    proposed = world.client.post(
        url(world, tail="/proposals"), json=terms, headers=world.headers(world.cast.approver)
    )
    assert proposed.status_code == 201
    accepted_by_officer = world.client.post(
        url(world, tail="/proposals/2/acceptance"),
        headers=world.headers(world.cast.screening_officer),
    )
    assert accepted_by_officer.status_code == 403
    by_other_organisation = world.client.post(
        url(world, tail="/proposals/2/acceptance"), headers=world.headers(world.applicant_of(0))
    )
    assert by_other_organisation.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"retention_years": 3}, "retention_years"),
        ({"retention_years": 99}, "retention_years"),
        ({"notes_readers": "everyone"}, "notes_readers"),
        ({"purposes": ["marketing"]}, "purposes.0"),
        ({"purposes": ["program_evaluation_aggregate"]}, "purposes"),
        ({"at_close": "sell"}, "at_close"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_terms_are_422_naming_the_field(world, body, field):
    response = world.client.post(
        url(world, tail="/proposals"), json=body, headers=world.headers(world.applicant_of(1))
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]


def test_terms_equal_to_those_in_force_are_refused(world):
    signer = world.applicant_of(1)
    current = world.client.get(url(world), headers=world.headers(signer)).json()["current"]
    same = {
        k: current[k]
        for k in ("purposes", "notes_readers", "retention_years", "secondary_use", "at_close")
    }
    response = world.client.post(
        url(world, tail="/proposals"), json=same, headers=world.headers(signer)
    )
    assert response.status_code == 422 and code(response) == "agreement-unchanged"


def test_a_document_withdrawn_at_close_is_410_and_the_rest_still_download(world):
    grant = world.grant_at(1, stop_after="close")  # return_and_delete (models.fictional.rows)
    officer = world.headers(world.cast.screening_officer)
    listed = world.client.get(f"/api/v1/grants/{grant['id']}/documents", headers=officer).json()
    withdrawn = [d for d in listed if d["kind"] == "review_summary"]
    assert withdrawn
    for document in withdrawn:
        gone = world.client.get(document["download_url"], headers=officer)
        assert gone.status_code == 410 and code(gone) == "document-withdrawn", gone.text
        copy = world.client.post(
            f"/api/v1/documents/{document['id']}/other-language", headers=officer
        )
        assert copy.status_code == 410 and code(copy) == "document-withdrawn"
    agreement = next(d for d in listed if d["kind"] == "executed_agreement")
    kept = world.client.get(agreement["download_url"], headers=officer)
    assert kept.status_code == 200 and kept.content
    verified = world.client.get("/api/v1/audit/verify", headers=world.headers(world.cast.auditor))
    assert verified.status_code == 200 and verified.json()["intact"], verified.text
