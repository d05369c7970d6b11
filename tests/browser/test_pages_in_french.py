"""Every page in French, chosen with the switch and remembered; and another organisation's
applicant gets 404 on every page of a grant that is not theirs.

"No English on a French page" is checked against the catalogues: no sentence or word of the
English catalogue that the French one does not share appears in a French page's text (what
people typed, names and titles, is theirs and is left as typed). Every page is screenshotted
and checked with axe-core in French.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from service.web.texts import CATALOGUES
from tests.support.browser_people import (
    FUND_CODE,
    Installation,
    Person,
    active_grant_over_api,
)

pytestmark = pytest.mark.timeout(900)

FRENCH_WORDS = set(CATALOGUES["fr"].values())
# English catalogue entries a French page must not show: those French does not share, long
# enough to be words (templates' placeholders cut out).
ENGLISH_ONLY = sorted(
    {
        part.strip()
        for text in CATALOGUES["en"].values()
        if text not in FRENCH_WORDS
        for part in re.split(r"\{[^}]*\}", text)
        if len(part.strip()) >= 6 and part.strip() not in FRENCH_WORDS
    }
)


def english_on(text: str) -> list[str]:
    return [words for words in ENGLISH_ONLY if re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text)]


@pytest.fixture(scope="module")
def grants(installation: Installation) -> dict[str, int]:
    return {
        "first": active_grant_over_api(installation, 0),
        "second": active_grant_over_api(installation, 1),
    }


def _french_page(person: Person, name: str) -> None:
    page = person.page
    assert page.locator("html").get_attribute("lang") == "fr", name
    text = page.locator("body").inner_text()
    found = english_on(text)
    assert not found, f"English on the French page {name}: {found}"
    person.look(name)


def test_every_page_is_in_french_once_chosen_and_stays_so(person_in, grants) -> None:
    grant_id = grants["first"]
    for who in ("applicant 1", "officer", "elder", "approver", "finance", "auditor"):
        person = person_in(who)
        page = person.open("/", f"home-{who.replace(' ', '-')}-en")
        assert page.locator("html").get_attribute("lang") == "en"
        with page.expect_navigation():
            page.get_by_role("link", name="Français").click()
        slug = who.replace(" ", "-")
        _french_page(person, f"fr-home-{slug}")
        # Remembered for the user: links carry no ?lang, and the next pages are French.
        person.open(f"/grants/{grant_id}", f"fr-grant-{slug}")
        _french_page(person, f"fr-grant-{slug}")
        if who == "officer":  # money and dates in fr_CA's formats
            text = " ".join(page.locator("main").inner_text().split())
            assert "120 000,00 $" in text.replace("\u202f", " ").replace("\u00a0", " ")
            assert re.search(r"1 avril \d{4}", text), text[:600]
        if who == "applicant 1":
            person.open("/applications/new", "fr-application-new")
            _french_page(person, "fr-application-new")
            page.get_by_role("button", name="Enregistrer le brouillon").click()
            page.wait_for_load_state()
            expect(page.locator(".error-summary")).to_be_visible()
            _french_page(person, "fr-application-errors")
        if who in ("auditor", "applicant 1"):
            person.open("/access", f"fr-access-{slug}")
            _french_page(person, f"fr-access-{slug}")
            expect(page.locator("table caption")).to_contain_text("Consultations")
        if who == "auditor":
            person.open("/audit/verify", "fr-audit-verify")
            _french_page(person, "fr-audit-verify")
            expect(page.locator(".notice")).to_contain_text("intacte")
            person.open(f"/funds/{FUND_CODE}/outcomes", "fr-fund-outcomes")
            _french_page(person, "fr-fund-outcomes")
            expect(page.locator("h1")).to_contain_text("Résultats")
        response = page.goto(person.server.url("/grants/999999"))
        assert response is not None and response.status == 404
        _french_page(person, f"fr-not-found-{slug}")


def test_the_sign_in_page_and_sign_out_in_french(person_in) -> None:
    person = person_in("finance", "fr")
    page = person.open("/", "fr-home-finance-direct")
    _french_page(person, "fr-home-finance-direct")
    with page.expect_navigation():
        page.get_by_role("button", name="Se déconnecter").click()
    _french_page(person, "fr-login")
    expect(page.locator("h1")).to_have_text("Connexion")


def test_another_organisations_applicant_gets_404_on_every_page_of_the_grant(
    person_in, grants, installation: Installation
) -> None:
    grant_id = grants["first"]
    with installation.api("officer") as api:
        documents = api.get(f"/api/v1/grants/{grant_id}/documents").json()
    assert documents
    outsider = person_in("applicant 2")
    home = outsider.open("/", "home-applicant-2")
    assert home.locator(f'a[href="/grants/{grant_id}"]').count() == 0
    paths = [
        f"/grants/{grant_id}",
        f"/grants/{grant_id}?lang=fr",
        f"/grants/{grant_id}/dossier",
        *(f"/documents/{d['id']}/file" for d in documents),
    ]
    for path in paths:
        response = outsider.page.goto(outsider.server.url(path))
        assert response is not None and response.status == 404, path
        assert "Willow" not in outsider.page.content()  # nothing of the grant's organisation
    outsider.look("not-found-outsider")
    # Posting an action to it (with the outsider's own valid CSRF token) is 404 too.
    token = outsider.page.goto(outsider.server.url("/"))
    csrf = outsider.page.locator('input[name="csrf_token"]').first.get_attribute("value")
    assert token is not None and csrf
    for action in ("withdraw", "sign", "submit_report"):
        answer = outsider.context.request.post(
            outsider.server.url(f"/grants/{grant_id}/actions/{action}"),
            form={"csrf_token": csrf, "reason": "not mine", "sequence": "1"},
            max_redirects=0,
        )
        assert answer.status == 404, (action, answer.status)
    with installation.api("officer") as api:
        assert api.get(f"/api/v1/grants/{grant_id}").json()["state"] == "active"
