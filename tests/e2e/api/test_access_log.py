"""Access is visible (issue 14): every served read of a document's file, a grant's dossier and
the community review's content is one row of the access log, with the right fields; refused
and failed reads leave none; a read that cannot be recorded is not served; the audit trail is
untouched by reads; and who reads the log sees what the visibility rules say.

A real installation: grants taken through real flow runs, their documents rendered by
WeasyPrint and python-docx, downloaded over the app's HTTP interface.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from models.access_log import AccessEvent
from models.tables import AuditEvent, ReviewAssignment, User
from service.api import create_app
from tests.support.api_support import ApiWorld, module_api_world
from tests.support.reading import pdf_text

pytestmark = pytest.mark.usefixtures("prefect_harness")

PANEL_MEMBER = "Community review panel member"


@pytest.fixture(scope="module")
def world(prefect_harness, tmp_path_factory) -> Iterator[ApiWorld]:
    with module_api_world(tmp_path_factory.mktemp("access-log")) as api:
        api.grants = {  # type: ignore[attr-defined]
            "active": api.grant_at(0, stop_after="countersign"),
            "submitted": api.grant_at(1, stop_after="submit"),
        }
        yield api


def _events(world: ApiWorld) -> list[AccessEvent]:
    with world.db.reading() as session:
        return list(session.exec(select(AccessEvent).order_by(AccessEvent.id)).all())


def _new_events(world: ApiWorld, before: list[AccessEvent]) -> list[AccessEvent]:
    seen = {event.id for event in before}
    return [event for event in _events(world) if event.id not in seen]


def _audit_events(world: ApiWorld) -> int:
    with world.db.reading() as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


def _documents(world: ApiWorld, grant_id: int, user: User) -> list[dict[str, Any]]:
    answer = world.client.get(f"/api/v1/grants/{grant_id}/documents", headers=world.headers(user))
    assert answer.status_code == 200, answer.text
    return answer.json()


def _document(world: ApiWorld, grant_id: int, user: User, kind: str) -> dict[str, Any]:
    return next(
        d for d in _documents(world, grant_id, user) if d["kind"] == kind and d["format"] == "pdf"
    )


def _assigned_reviewer(world: ApiWorld, grant_id: int) -> User:
    with world.db.reading() as session:
        reviewer_id = session.exec(
            select(ReviewAssignment.reviewer_id).where(ReviewAssignment.grant_id == grant_id)
        ).first()
    return next(r for r in world.cast.reviewers if r.id == reviewer_id)


def _only(events: list[AccessEvent]) -> AccessEvent:
    assert len(events) == 1, [(e.kind, e.user_id, e.subject_id) for e in events]
    return events[0]


def _recent(moment: datetime) -> bool:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return abs(datetime.now(UTC) - moment) < timedelta(minutes=5)


def test_a_document_download_is_one_event_naming_reader_role_data_and_document(world):
    grant = world.grants["active"]
    applicant = world.applicant_of(0)
    letter = _document(world, grant["id"], applicant, "decision_letter")
    before, trail = _events(world), _audit_events(world)

    answer = world.client.get(letter["download_url"], headers=world.headers(applicant))

    assert answer.status_code == 200
    assert "Indigenous-Led Initiatives Fund" in pdf_text(answer.content)
    event = _only(_new_events(world, before))
    assert (event.user_id, event.role, event.channel) == (applicant.id, "applicant", "api")
    assert (event.organisation_id, event.grant_id) == (grant["organisation_id"], grant["id"])
    assert (event.kind, event.subject_id) == ("document_file", letter["id"])
    assert _recent(event.occurred_at)
    assert _audit_events(world) == trail, "a read is not an audit event"


def test_the_review_panels_document_is_review_content(world):
    grant = world.grants["active"]
    reviewer = _assigned_reviewer(world, grant["id"])
    summary = _document(world, grant["id"], reviewer, "review_summary")
    before = _events(world)

    answer = world.client.get(summary["download_url"], headers=world.headers(reviewer))

    assert answer.status_code == 200
    event = _only(_new_events(world, before))
    assert (event.user_id, event.role, event.kind) == (
        reviewer.id,
        "reviewer",
        "review_document_file",
    )
    assert (event.subject_id, event.grant_id) == (summary["id"], grant["id"])


def test_a_csv_list_is_one_read_by_the_staff_member_who_took_it(world):
    grant = world.grants["active"]
    officer = world.cast.screening_officer
    before = _events(world)

    answer = world.client.get(
        "/api/v1/exports/payments.csv",
        params={"organisation_id": grant["organisation_id"]},
        headers=world.headers(officer),
    )

    assert answer.status_code == 200
    assert grant["reference"] in answer.content.decode("utf-8-sig")
    event = _only(_new_events(world, before))
    assert (event.user_id, event.role, event.kind, event.channel) == (
        officer.id,
        "officer",
        "csv_export",
        "api",
    )
    assert (event.organisation_id, event.grant_id) == (grant["organisation_id"], None)


def test_an_organisation_export_is_one_read_and_a_refused_one_none(world):
    grant = world.grants["active"]
    path = f"/api/v1/organisations/{grant['organisation_id']}/export"
    before = _events(world)

    refused = world.client.get(path, headers=world.headers(world.cast.auditor))
    assert refused.status_code == 403
    assert _new_events(world, before) == []

    signing_authority = world.applicant_of(0)
    answer = world.client.get(path, headers=world.headers(signing_authority))

    assert answer.status_code == 200
    assert answer.content[:2] == b"PK"
    event = _only(_new_events(world, before))
    assert (event.user_id, event.role, event.kind, event.channel) == (
        signing_authority.id,
        "applicant",
        "organisation_export",
        "api",
    )
    assert event.organisation_id == grant["organisation_id"]


def test_refused_missing_and_unchanged_downloads_record_no_read(world):
    grant = world.grants["active"]
    applicant = world.applicant_of(0)
    letter = _document(world, grant["id"], applicant, "decision_letter")
    summary = _document(world, grant["id"], world.cast.auditor, "review_summary")
    before = _events(world)

    other_organisation = world.client.get(
        letter["download_url"], headers=world.headers(world.applicant_of(1))
    )
    not_its_audience = world.client.get(summary["download_url"], headers=world.headers(applicant))
    missing = world.client.get("/api/v1/documents/999999/file", headers=world.headers(applicant))
    cached = world.client.get(
        letter["download_url"],
        headers=world.headers(applicant, **{"If-None-Match": f'"{letter["sha256"]}"'}),
    )
    metadata = world.client.get(
        f"/api/v1/documents/{letter['id']}", headers=world.headers(applicant)
    )

    assert [other_organisation.status_code, not_its_audience.status_code, missing.status_code] == [
        404,
        404,
        404,
    ]
    assert cached.status_code == 304 and metadata.status_code == 200
    assert _new_events(world, before) == []


def test_a_history_showing_the_review_is_one_review_content_event(world):
    grant = world.grants["active"]
    officer = world.cast.screening_officer
    before = _events(world)

    answer = world.client.get(
        f"/api/v1/grants/{grant['id']}/history", headers=world.headers(officer)
    )

    assert answer.status_code == 200
    recommended = next(e for e in answer.json() if e["action"] == "recommend")
    event = _only(_new_events(world, before))
    assert (event.user_id, event.role, event.kind) == (officer.id, "officer", "review_content")
    assert (event.subject_id, event.grant_id, event.channel) == (
        recommended["id"],
        grant["id"],
        "api",
    )


def test_the_applicants_history_of_its_reviewed_grant_is_recorded_under_its_role(world):
    grant = world.grants["active"]
    applicant = world.applicant_of(0)
    before = _events(world)

    answer = world.client.get(
        f"/api/v1/grants/{grant['id']}/history", headers=world.headers(applicant)
    )

    assert answer.status_code == 200
    event = _only(_new_events(world, before))
    assert (event.user_id, event.role, event.kind) == (applicant.id, "applicant", "review_content")


def test_a_history_without_review_content_and_a_refused_one_record_nothing(world):
    submitted, active = world.grants["submitted"], world.grants["active"]
    before = _events(world)

    before_review = world.client.get(
        f"/api/v1/grants/{submitted['id']}/history", headers=world.headers(world.cast.auditor)
    )
    not_visible = world.client.get(
        f"/api/v1/grants/{active['id']}/history", headers=world.headers(world.applicant_of(1))
    )

    assert (before_review.status_code, not_visible.status_code) == (200, 404)
    assert _new_events(world, before) == []


def test_a_dossier_is_one_event_and_a_refused_one_none(world):
    grant = world.grants["active"]
    auditor = world.cast.auditor
    before = _events(world)

    refused = world.client.get(
        f"/api/v1/grants/{grant['id']}/dossier", headers=world.headers(world.cast.screening_officer)
    )
    assert refused.status_code == 403
    assert _new_events(world, before) == []

    answer = world.client.get(
        f"/api/v1/grants/{grant['id']}/dossier", headers=world.headers(auditor)
    )

    assert answer.status_code == 200 and answer.content[:2] == b"PK"
    event = _only(_new_events(world, before))
    assert (event.user_id, event.role, event.kind, event.channel) == (
        auditor.id,
        "auditor",
        "dossier",
        "api",
    )
    assert (event.grant_id, event.organisation_id) == (grant["id"], grant["organisation_id"])


def test_reads_leave_the_audit_trail_verifying(world):
    assert _events(world), "the tests above recorded reads"
    answer = world.client.get("/api/v1/audit/verify", headers=world.headers(world.cast.auditor))
    assert answer.status_code == 200
    assert answer.json()["intact"] is True
    assert answer.json()["events_checked"] == _audit_events(world)


# --------------------------------------------------------------------------- unrecorded reads


def _refusing_inserts(world: ApiWorld):  # type: ignore[no-untyped-def]
    """The database refuses new access events (as a full disk or a lost table would)."""
    path = world.db.url.removeprefix("sqlite:///")
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE TRIGGER access_event_refuse_insert BEFORE INSERT ON access_event "
        "BEGIN SELECT RAISE(ABORT, 'the access log is out of order'); END"
    )
    connection.commit()
    return connection


def test_a_read_that_cannot_be_recorded_is_not_served(world):
    grant = world.grants["active"]
    applicant = world.applicant_of(0)
    letter = _document(world, grant["id"], applicant, "decision_letter")
    client = TestClient(create_app(), raise_server_exceptions=False)
    before = _events(world)
    connection = _refusing_inserts(world)
    try:
        download = client.get(letter["download_url"], headers=world.headers(applicant))
        history = client.get(
            f"/api/v1/grants/{grant['id']}/history", headers=world.headers(applicant)
        )
        dossier = client.get(
            f"/api/v1/grants/{grant['id']}/dossier", headers=world.headers(world.cast.auditor)
        )
    finally:
        connection.execute("DROP TRIGGER access_event_refuse_insert")
        connection.commit()
        connection.close()

    for answer in (download, history, dossier):
        assert answer.status_code == 500
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert b"%PDF" not in answer.content and b"recommend" not in answer.content
    assert _new_events(world, before) == []
    again = world.client.get(letter["download_url"], headers=world.headers(applicant))
    assert again.status_code == 200 and len(_new_events(world, before)) == 1


# --------------------------------------------------------------------------- who reads the log


def _log(world: ApiWorld, user: User, **query: Any) -> Any:
    return world.client.get("/api/v1/access-events", params=query, headers=world.headers(user))


@pytest.fixture(scope="module")
def reads_of_both(world) -> dict[str, Any]:
    """A panel member's, an officer's and the applicant's reads of organisation 0's grant, and
    the other organisation's applicant reading its own grant."""
    active, submitted = world.grants["active"], world.grants["submitted"]
    reviewer = _assigned_reviewer(world, active["id"])
    summary = _document(world, active["id"], reviewer, "review_summary")
    assert world.client.get(summary["download_url"], headers=world.headers(reviewer)).is_success
    officer = world.cast.screening_officer
    assert world.client.get(
        f"/api/v1/grants/{active['id']}/history", headers=world.headers(officer)
    ).is_success
    other = world.applicant_of(1)
    receipt = _document(world, submitted["id"], other, "acknowledgement_of_receipt")
    assert world.client.get(receipt["download_url"], headers=world.headers(other)).is_success
    return {"reviewer": reviewer, "officer": officer, "other": other}


def test_auditors_read_every_event_newest_first_with_every_reader_named(world, reads_of_both):
    answer = _log(world, world.cast.auditor, limit=100)
    assert answer.status_code == 200, answer.text
    page = answer.json()
    stored = _events(world)
    assert page["total"] == len(stored)
    assert [item["id"] for item in page["items"]] == [e.id for e in reversed(stored)][:100]
    reviewer = reads_of_both["reviewer"]
    theirs = [i for i in page["items"] if i["reader_id"] == reviewer.id]
    assert theirs and all(i["reader"] == reviewer.name for i in theirs)
    assert all(i["reader_is"] == "named" for i in page["items"])
    assert {i["organisation_id"] for i in page["items"]} == {
        world.grants["active"]["organisation_id"],
        world.grants["submitted"]["organisation_id"],
    }


def test_an_applicant_reads_its_own_organisations_events_with_panel_members_unnamed(
    world, reads_of_both
):
    applicant = world.applicant_of(0)
    organisation_id = world.grants["active"]["organisation_id"]
    answer = _log(world, applicant, limit=100)
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    mine = [e for e in _events(world) if e.organisation_id == organisation_id]
    assert answer.json()["total"] == len(mine) and len(items) == len(mine)
    assert {i["organisation_id"] for i in items} == {organisation_id}
    reviewer, officer = reads_of_both["reviewer"], reads_of_both["officer"]
    panel = [i for i in items if i["reader_role"] == "reviewer"]
    assert panel and all(
        (i["reader"], i["reader_id"], i["reader_is"]) == (PANEL_MEMBER, None, "panel_member")
        for i in panel
    )
    assert reviewer.name not in answer.text
    staff = [i for i in items if i["reader_role"] == "officer"]
    assert staff and all((i["reader"], i["reader_id"]) == (officer.name, officer.id) for i in staff)
    # A panel member cannot be picked out by id either.
    assert _log(world, applicant, user_id=reviewer.id).json()["total"] == 0
    assert _log(world, applicant, user_id=officer.id).json()["total"] == len(staff)
    # Asking for another organisation's events finds none of them.
    other = world.grants["submitted"]["organisation_id"]
    assert _log(world, applicant, organisation_id=other).json()["total"] == 0


@pytest.mark.parametrize("who", ["screening_officer", "approver", "finance", "reviewer"])
def test_other_roles_are_refused(world, who):
    user = world.cast.reviewers[0] if who == "reviewer" else getattr(world.cast, who)
    answer = _log(world, user)
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_the_filters_narrow_and_the_pages_add_up(world, reads_of_both):
    auditor = world.cast.auditor
    stored = _events(world)
    active = world.grants["active"]["id"]
    by_grant = _log(world, auditor, grant_id=active, limit=100).json()
    assert by_grant["total"] == sum(1 for e in stored if e.grant_id == active)
    by_kind = _log(world, auditor, kind="review_content").json()
    assert by_kind["total"] == sum(1 for e in stored if e.kind == "review_content") > 0
    reviewer = reads_of_both["reviewer"]
    by_user = _log(world, auditor, user_id=reviewer.id).json()
    assert by_user["total"] == sum(1 for e in stored if e.user_id == reviewer.id) > 0
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert _log(world, auditor, since=future).json()["total"] == 0
    assert _log(world, auditor, since=past, until=future).json()["total"] == len(stored)
    first = _log(world, auditor, limit=2).json()
    second = _log(world, auditor, limit=2, offset=2).json()
    assert [len(first["items"]), len(second["items"])] == [2, 2]
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "everything"},
        {"since": "2027-01-02T00:00:00Z", "until": "2027-01-01T00:00:00Z"},
        {"since": "yesterday"},
        {"limit": 0},
    ],
)
def test_bad_filters_are_a_clear_422(world, query):
    answer = _log(world, world.cast.auditor, **query)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"]
