"""Access is visible on the pages: a page's download, a grant page showing the review and a
dossier are each one read on the log (channel ``page``); ``/access`` shows auditors every read
and an organisation its own, panel members unnamed, in English and French; other roles get
the refusal page and no link to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from models.access_log import AccessEvent, record_read
from models.tables import ReviewAssignment, StoredDocument, User
from service.web.texts import CATALOGUES
from tests.support.api_support import ApiWorld
from tests.support.web_support import module_web_world, signed_in, visible_text

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def world(prefect_harness, tmp_path_factory) -> Iterator[ApiWorld]:
    with module_web_world(tmp_path_factory.mktemp("access-pages")) as built:
        built.grants = {  # type: ignore[attr-defined]
            "active": built.grant_at(0, stop_after="countersign"),
            "submitted": built.grant_at(1, stop_after="submit"),
        }
        yield built


def _events(world: ApiWorld) -> list[AccessEvent]:
    with world.db.reading() as session:
        return list(session.exec(select(AccessEvent).order_by(AccessEvent.id)).all())


def _new(world: ApiWorld, before: list[AccessEvent]) -> list[AccessEvent]:
    seen = {e.id for e in before}
    return [e for e in _events(world) if e.id not in seen]


def _document(world: ApiWorld, grant_id: int, kind: str) -> StoredDocument:
    with world.db.reading() as session:
        return session.exec(
            select(StoredDocument).where(
                StoredDocument.grant_id == grant_id,
                StoredDocument.kind == kind,
                StoredDocument.format == "pdf",
            )
        ).first()


def _reviewer(world: ApiWorld, grant_id: int) -> User:
    with world.db.reading() as session:
        reviewer_id = session.exec(
            select(ReviewAssignment.reviewer_id).where(ReviewAssignment.grant_id == grant_id)
        ).first()
    return next(r for r in world.cast.reviewers if r.id == reviewer_id)


def _said(text: str) -> str:
    """A catalogue entry as ``visible_text`` reads it (every space, no-break ones too, one)."""
    return " ".join(text.split())


def _fields(event: AccessEvent) -> tuple[Any, ...]:
    return (event.user_id, event.kind, event.channel, event.grant_id, event.subject_id)


def test_a_pages_download_is_one_read_through_the_page(world):
    grant = world.grants["active"]
    applicant = world.applicant_of(0)
    letter = _document(world, grant["id"], "decision_letter")
    person = signed_in(applicant)
    before = _events(world)

    answer = person.get(f"/documents/{letter.id}/file")

    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    new = _new(world, before)
    assert [_fields(e) for e in new] == [
        (applicant.id, "document_file", "page", grant["id"], letter.id)
    ]


def test_a_grant_page_showing_the_review_is_one_read_and_a_dossier_another(world):
    grant = world.grants["active"]
    officer, auditor = world.cast.screening_officer, world.cast.auditor
    before = _events(world)

    page = signed_in(officer).get(f"/grants/{grant['id']}")
    dossier = signed_in(auditor).get(f"/grants/{grant['id']}/dossier")

    assert page.status_code == 200 and dossier.status_code == 200
    new = _new(world, before)
    assert [(e.user_id, e.kind, e.channel) for e in new] == [
        (officer.id, "review_content", "page"),
        (auditor.id, "dossier", "page"),
    ]


def test_the_auditor_sees_every_read_with_its_reader_in_both_languages(world):
    reviewer = _reviewer(world, world.grants["active"]["id"])
    summary = _document(world, world.grants["active"]["id"], "review_summary")
    assert signed_in(reviewer).get(f"/documents/{summary.id}/file").status_code == 200
    person = signed_in(world.cast.auditor)

    for language in ("en", "fr"):
        words = CATALOGUES[language]
        answer = person.get(f"/access?lang={language}")
        assert answer.status_code == 200
        text = visible_text(answer.text)
        assert f'<html lang="{language}">' in answer.text
        assert _said(words["access.title"]) in text and _said(words["access.intro_all"]) in text
        assert 'href="/access" aria-current="page"' in answer.text
        assert reviewer.name in text
        assert _said(words["access.kind.review_document_file"]) in text
        assert world.grants["submitted"]["reference"] not in text  # nobody read its files yet
        assert world.grants["active"]["reference"] in text
        assert '<th scope="col">' in answer.text and "<caption>" in answer.text


def test_an_applicant_sees_its_organisations_reads_with_the_panel_unnamed(world):
    active = world.grants["active"]
    reviewer = _reviewer(world, active["id"])
    summary = _document(world, active["id"], "review_summary")
    assert signed_in(reviewer).get(f"/documents/{summary.id}/file").status_code == 200
    other = world.applicant_of(1)
    receipt = _document(world, world.grants["submitted"]["id"], "acknowledgement_of_receipt")
    assert signed_in(other).get(f"/documents/{receipt.id}/file").status_code == 200
    person = signed_in(world.applicant_of(0))

    home = person.get("/")
    assert 'href="/access"' in home.text
    for language in ("en", "fr"):
        words = CATALOGUES[language]
        text = visible_text(person.get(f"/access?lang={language}").text)
        assert _said(words["access.intro_own"]) in text
        assert _said(words["event.panel_member"]) in text
        assert reviewer.name not in text
        assert world.cast.screening_officer.name in text  # staff are named
        assert world.grants["submitted"]["reference"] not in text  # another organisation's


def test_the_kind_filter_and_the_pages_of_reads(world):
    auditor = world.cast.auditor
    grant = world.grants["active"]
    for _ in range(55):
        record_read(
            world.db,
            reader=auditor,
            role="auditor",
            kind="csv_export",
            channel="api",
            organisation_id=grant["organisation_id"],
        )
    person = signed_in(auditor)

    first = person.get("/access?kind=csv_export&lang=en")
    assert first.status_code == 200
    assert 'value="csv_export" selected' in first.text
    assert first.text.count(CATALOGUES["en"]["access.kind.csv_export"]) >= 50
    assert 'href="/access?kind=csv_export&amp;offset=50"' in first.text
    second = person.get("/access?kind=csv_export&offset=50")
    assert "Showing 51 to 55 of 55" in visible_text(second.text)
    assert 'href="/access?kind=csv_export"' in second.text  # back to the newer reads
    unknown = person.get("/access?kind=everything")
    assert unknown.status_code == 422


@pytest.mark.parametrize("who", ["screening_officer", "finance", "approver"])
def test_other_roles_get_the_refusal_page_and_no_link(world, who):
    person = signed_in(getattr(world.cast, who))
    assert 'href="/access"' not in person.get("/").text
    refused = person.get("/access")
    assert refused.status_code == 403
    assert CATALOGUES["en"]["problem.403.title"] in visible_text(refused.text)
