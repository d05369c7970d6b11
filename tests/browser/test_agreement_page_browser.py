"""The data-governance agreement's page in a real browser, English and French, checked with
axe-core: the organisation's signing authority proposes, the Fund's accepts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_pages_in_french import english_on
from tests.support.browser_people import Installation

pytestmark = pytest.mark.timeout(600)


def test_the_organisation_proposes_and_the_fund_accepts_in_french(
    person_in, installation: Installation
) -> None:
    url = f"/organisations/{installation.organisation_ids[0]}/data-agreement"
    applicant = person_in("applicant 1")
    page = applicant.open(url, "agreement-organisation")
    expect(page.locator("h1")).to_have_text("Data-governance agreement")
    page.get_by_label("The organisation’s governance body and the Fund’s auditors").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Propose these terms").click()
    expect(page.locator("#status")).to_contain_text("Your proposal is recorded")
    applicant.look("agreement-proposed")

    fund = person_in("approver", "fr")
    page = fund.open(f"{url}?lang=fr", "fr-agreement-fund")
    assert page.locator("html").get_attribute("lang") == "fr"
    found = english_on(page.locator("body").inner_text())
    assert not found, f"English on the French agreement page: {found}"
    with page.expect_navigation():
        page.get_by_role("button", name="Accepter la version 2").click()
    expect(page.locator("#status")).to_contain_text("La nouvelle version est en vigueur.")
    expect(page.locator("main")).to_contain_text(
        "L’instance de gouvernance de l’organisme et les vérificateurs du Fonds"
    )
    fund.look("fr-agreement-accepted")
