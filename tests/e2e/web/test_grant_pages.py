"""The grant page and its forms, as served: the same actions as the API, rules in plain words,
errors beside their fields in the page's language, no script anywhere."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from models.tables import Instalment, User
from tests.support.web_support import browser, csrf_of, module_web_world, signed_in, visible_text

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def world(prefect_harness, tmp_path_factory):  # type: ignore[no-untyped-def]
    with module_web_world(tmp_path_factory.mktemp("grant-pages")) as built:
        built.grants = {  # type: ignore[attr-defined]
            "submitted": built.grant_at(0, stop_after="submit"),
            "in_review": built.grant_at(1, stop_after="screen_in"),
            "active": built.grant_at(2, stop_after="countersign"),
        }
        yield built


def offered_on_page(page: str, grant_id: int) -> list[str]:
    pattern = rf'action="/grants/{grant_id}/actions/(\w+)"'
    return sorted(set(re.findall(pattern, page)) | set(blocked_sections(page)))


def blocked_sections(page: str) -> list[str]:
    return re.findall(r'<section class="action" id="action-(\w+?)(?:-\d+)?"', page)


@pytest.mark.parametrize("state", ["submitted", "in_review", "active"])
def test_the_page_offers_exactly_the_actions_the_api_offers(world, state):
    grant = world.grants[state]
    for user in world.everyone():
        api = world.client.get(f"/api/v1/grants/{grant['id']}/actions", headers=world.headers(user))
        page = signed_in(user).get(f"/grants/{grant['id']}")
        if api.status_code == 404:
            assert page.status_code == 404, user.name
            continue
        assert page.status_code == 200
        assert offered_on_page(page.text, grant["id"]) == sorted(a["key"] for a in api.json()), (
            user.name,
            state,
        )


def test_a_rule_that_blocks_an_action_says_which_and_why_in_plain_words(world):
    grant = world.grants["active"]
    both = world.user_with_roles("officer", "finance")
    with world.db.transaction() as session:
        session.get(User, both.id).email = "both@people.example"
    from service.users import set_password

    set_password(world.db, "both@people.example", "a long fictional passphrase")
    person = browser()
    assert person.sign_in("both@people.example").status_code == 303
    page = person.get(f"/grants/{grant['id']}")
    insurance = {
        "certificate_ref": "CGL-1",
        "insurer": "Heron Mutual (fictional)",
        "coverage_cents": "2,500,000.00",
        "idempotency_key": "insure-1",
    }
    answer = person.post_form(
        f"/grants/{grant['id']}", f"/grants/{grant['id']}/actions/record_insurance", insurance
    )
    assert answer.status_code == 303, visible_text(answer.text)[:800]
    answer = person.post_form(
        f"/grants/{grant['id']}",
        f"/grants/{grant['id']}/actions/initiate_payment",
        {"sequence": "1", "idempotency_key": "initiate-1"},
    )
    assert answer.status_code == 303, visible_text(answer.text)[:800]
    page = person.get(f"/grants/{grant['id']}")
    text = visible_text(page.text)
    # On an English page the engine's own sentence; on a French page the rule's explanation.
    assert "Not possible yet: The person who initiated a payment may not also release it." in text
    french = visible_text(person.get(f"/grants/{grant['id']}?lang=fr").text)
    assert "La personne qui a amorcé un paiement ne peut pas le libérer." in french
    with world.db.reading() as session:
        first = session.exec(
            select(Instalment).where(Instalment.grant_id == grant["id"], Instalment.sequence == 1)
        ).one()
    assert first.state == "initiated"


def test_a_bad_form_keeps_what_was_typed_and_says_what_is_wrong_beside_each_field(world):
    grant = world.grants["submitted"]
    officer = signed_in(world.cast.screening_officer)
    officer.get("/?lang=fr")  # this officer reads French from now on
    answer = officer.post_form(
        f"/grants/{grant['id']}",
        f"/grants/{grant['id']}/actions/decline",
        {"reason": "no", "idempotency_key": "decline-short"},
    )
    assert answer.status_code == 422
    page = answer.text
    assert '<div class="error-summary" role="alert"' in page
    assert 'href="#action-decline-reason"' in page  # the summary links to the field
    assert 'id="action-decline-reason-error">Entrez au moins 3 caractères.</p>' in page
    assert 'aria-invalid="true"' in page and ">no</textarea>" in page
    with world.db.reading() as session:
        from models.tables import Grant

        assert session.get(Grant, grant["id"]).state == "submitted"
    officer.get("/?lang=en")


def test_a_form_sent_twice_changes_the_grant_once(world):
    grant = world.grants["in_review"]
    reviewer = world.cast.reviewers[0]
    person = signed_in(reviewer)
    page = person.get(f"/grants/{grant['id']}").text
    key = re.search(
        r'action="/grants/\d+/actions/declare_conflict".*?name="idempotency_key" value="([^"]+)"',
        page,
        re.S,
    ).group(1)
    fields = {"csrf_token": csrf_of(page), "idempotency_key": key, "kind": "none"}
    first = person.client.post(
        f"/grants/{grant['id']}/actions/declare_conflict", data=fields, follow_redirects=False
    )
    again = person.client.post(
        f"/grants/{grant['id']}/actions/declare_conflict", data=fields, follow_redirects=False
    )
    assert first.status_code == again.status_code == 303
    from models.tables import AuditEvent

    with world.db.reading() as session:
        declared = session.exec(
            select(AuditEvent).where(
                AuditEvent.grant_id == grant["id"],
                AuditEvent.action == "declare_conflict",
                AuditEvent.actor_id == reviewer.id,
                AuditEvent.outcome == "applied",
            )
        ).all()
    assert len(declared) == 1


def test_no_page_carries_a_script_and_every_page_has_one_language(world):
    person = signed_in(world.cast.auditor)
    grant = world.grants["active"]
    for path in ("/", f"/grants/{grant['id']}", "/audit/verify", "/nowhere", "/grants/999999"):
        for language in ("en", "fr"):
            page = person.get(f"{path}?lang={language}")
            assert page.status_code in (200, 404), path
            assert "<script" not in page.text
            assert f'<html lang="{language}">' in page.text
            assert "Traceback" not in page.text
    assert person.get("/nowhere").headers["content-type"].startswith("text/html")
    assert browser().get("/api/v1/nowhere").headers["content-type"] == "application/problem+json"


def _copy_forms(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'action="/documents/(\d+)/other-language"', page)]


def test_a_document_is_offered_in_the_other_language_and_listed_once_made(world):
    """The French-speaking organisation's applicant reads its pages in French: its letters
    are in French, each offered in English ("Obtenir ce document en anglais"); asking for one
    brings the person back to the grant, where the English copy is listed and no longer
    offered."""
    grant = world.grants["active"]
    applicant = world.applicant_of(2)
    letters = world.client.get(
        f"/api/v1/grants/{grant['id']}/documents", headers=world.headers(applicant)
    ).json()
    letter = next(d for d in letters if d["kind"] == "decision_letter" and d["format"] == "pdf")
    assert letter["language"] == "fr"
    person = signed_in(applicant)
    page = person.get(f"/grants/{grant['id']}").text
    assert '<html lang="fr">' in page
    assert letter["id"] in _copy_forms(page)
    assert "Obtenir ce document en anglais — Offre de financement" in visible_text(page)

    answer = person.post_form(
        f"/grants/{grant['id']}", f"/documents/{letter['id']}/other-language", {}
    )

    assert answer.status_code == 303, visible_text(answer.text)[:800]
    assert answer.headers["location"] == f"/grants/{grant['id']}?copied=en#copied"
    after = person.get(answer.headers["location"]).text
    assert "Le document est prêt en anglais" in visible_text(after)
    english = [
        d
        for d in world.client.get(
            f"/api/v1/grants/{grant['id']}/documents", headers=world.headers(applicant)
        ).json()
        if d["kind"] == "decision_letter" and d["language"] == "en"
    ]
    assert {d["format"] for d in english} == {"pdf", "docx"}
    for document in english:
        assert f'href="/documents/{document["id"]}/file"' in after
    assert letter["id"] not in _copy_forms(after)
    again = person.post_form(
        f"/grants/{grant['id']}", f"/documents/{letter['id']}/other-language", {}
    )
    assert again.status_code == 303  # the same copy, found: nothing made twice


def test_staff_are_offered_copies_in_their_pages_language_and_auditors_none(world):
    grant = world.grants["active"]
    officer = signed_in(world.cast.screening_officer).get(f"/grants/{grant['id']}?lang=en").text
    words = visible_text(officer)
    assert "Get this document in French — Approval Memo" in words  # the fund's staff language
    auditor = signed_in(world.cast.auditor).get(f"/grants/{grant['id']}").text
    assert _copy_forms(auditor) == []
