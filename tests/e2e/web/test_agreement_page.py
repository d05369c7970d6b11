"""The data-governance agreement's page, in English and French: read it, propose, accept, and
a refusal explained on the page."""

from __future__ import annotations

import html

import pytest

from tests.support.web_support import module_web_world, signed_in, visible_text

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def world(prefect_harness, tmp_path_factory):  # type: ignore[no-untyped-def]
    with module_web_world(tmp_path_factory.mktemp("agreement-page")) as built:
        yield built


def page_of(world, index: int) -> str:  # type: ignore[no-untyped-def]
    return f"/organisations/{world.cast.organisations[index].id}/data-agreement"


def test_the_organisation_proposes_and_the_fund_accepts_through_the_page(world):
    url = page_of(world, 3)
    signer = signed_in(world.applicant_of(3))
    page = signer.get(url)
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "In force: version 1" in text and "Propose new terms" in text
    assert "Delete the review content, without a copy" in text  # its choice at close
    proposed = signer.post_form(
        url,
        f"{url}/proposals",
        {
            "purposes": ["grant_administration", "ministry_reporting_aggregate"],
            "notes_readers": "governance_body",
            "secondary_use": "none",
            "at_close": "return_and_delete",
            "retention_years": "7",
        },
    )
    assert proposed.status_code == 303, proposed.text[:2000]
    assert proposed.headers["location"] == f"{url}?done=proposed#status"
    waiting = visible_text(signer.get(f"{url}?done=proposed").text)
    assert "Your proposal is recorded" in waiting and "Waiting for acceptance: version 2" in waiting
    assert "The other party has not accepted it yet." in waiting

    fund = signed_in(world.cast.approver)
    before = visible_text(fund.get(url).text)
    assert "Accept version 2" in before
    accepted = fund.post_form(url, f"{url}/proposals/2/acceptance", {})
    assert accepted.status_code == 303
    after = visible_text(fund.get(f"{url}?done=accepted").text)
    assert "The new version is in force." in after and "In force: version 2" in after
    assert "Reporting to the ministry, in aggregate" in after


def test_a_refusal_is_explained_on_the_page(world):
    url = page_of(world, 0)
    signer = signed_in(world.applicant_of(0))
    current = {
        "purposes": ["grant_administration"],
        "notes_readers": "governance_body",
        "secondary_use": "none",
        "at_close": "keep",
        "retention_years": "7",
    }
    unchanged = signer.post_form(url, f"{url}/proposals", current)
    assert unchanged.status_code == 422
    assert "These terms are the ones in force." in visible_text(unchanged.text)
    too_short = signer.post_form(url, f"{url}/proposals", {**current, "retention_years": "3"})
    assert too_short.status_code == 422
    assert "keep records 7 to 25 years" in visible_text(too_short.text)


def test_readers_who_are_not_parties_get_no_form_and_others_no_page(world):
    url = page_of(world, 1)
    auditor = signed_in(world.cast.auditor)
    page = auditor.get(url)
    assert page.status_code == 200
    assert "Propose new terms" not in visible_text(page.text)
    assert 'name="csrf_token"' not in page.text.split("<main", 1)[1]
    refused = auditor.post_form(url, f"{url}/proposals", {"notes_readers": "none"})
    assert refused.status_code == 403
    stranger = signed_in(world.applicant_of(0))
    assert stranger.get(url).status_code == 404


def test_the_page_in_french(world):
    url = page_of(world, 2)
    signer = signed_in(world.applicant_of(2))
    page = signer.get(f"{url}?lang=fr")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "Entente de gouvernance des données" in text
    assert "En vigueur : version 1" in text  # visible_text makes every space plain
    assert "En vigueur\u00a0: version 1" in html.unescape(page.text)
    assert "Remettre le contenu de l’évaluation à l’organisme, puis l’effacer" in text
    assert "Proposer de nouvelles conditions" in text


def test_the_home_and_grant_pages_link_to_it_for_those_who_may_read_it(world):
    grant = world.grant_at(1, stop_after="screen_in")
    url = page_of(world, 1)
    signer = signed_in(world.applicant_of(1))
    assert f'href="{url}"' in signer.get("/").text
    assert f'href="{url}"' in signer.get(f"/grants/{grant['id']}").text
    staff = signed_in(world.cast.approver)
    assert f'href="{url}"' in staff.get(f"/grants/{grant['id']}").text
    reviewer = signed_in(world.cast.reviewers[0])  # on the panel, not of the organisation
    page = reviewer.get(f"/grants/{grant['id']}")
    assert page.status_code == 200 and f'href="{url}"' not in page.text
