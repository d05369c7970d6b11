"""A grant clicked through its whole lifecycle in chromium, by every person it involves.

The applicant applies on the page, an officer asks for information, the applicant answers by
editing the application and resubmits; the officer screens it in; an Elder, a survivor
advisor and a third reviewer declare conflicts and score with the rubric; the officer records
the panel's recommendation; the approver approves; the applicant signs as the organisation's
signatory; the approver countersigns; the officer records insurance and initiates the first
payment, which finance releases (someone else); the applicant reports outcomes, which the
officer's page says can be accepted only once the report's period ends; the auditor opens the
timeline with its Prefect flow runs, verifies the trail and downloads the dossier. Every page
is screenshotted and checked with axe-core.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date

import pytest
from playwright.sync_api import expect

from models.clock import fiscal_year_of
from models.payloads import REVIEW_CRITERIA
from tests.support.browser_people import (
    FUND_CODE,
    Installation,
    Person,
)

pytestmark = pytest.mark.timeout(900)

AMENDED_TITLE = "River Teachings Mentorship (with Elders' land camp)"


def _apply(applicant: Person) -> int:
    first_year = fiscal_year_of(date.today()) + 1
    page = applicant.open("/", "home-applicant")
    with page.expect_navigation():
        page.get_by_role("link", name="Start an application").click()
    applicant.look("application-new")
    page.select_option("#app-fund_code", FUND_CODE)
    page.fill("#app-project_title", "River Teachings Mentorship")
    page.fill(
        "#app-project_description",
        "Land-based mentorship with Elders and survivor mentors for youth (fictional).",
    )
    page.fill("#app-community", "Heron Falls (fictional)")
    page.fill("#app-start_date", f"{first_year}-04-01")
    page.fill("#app-end_date", f"{first_year + 1}-03-31")
    page.fill("#app-budget-1-year", str(first_year))
    page.fill("#app-budget-1-amount", "150,000.00")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the draft").click()
    match = re.search(r"/grants/(\d+)", page.url)
    assert match, page.url
    expect(page.locator("h1")).to_have_text("River Teachings Mentorship")
    return int(match.group(1))


def test_a_grant_goes_from_application_to_a_submitted_report_in_the_browser(
    person_in, installation: Installation
) -> None:
    applicant, officer = person_in("applicant 1"), person_in("officer")
    grant_id = _apply(applicant)

    # A mistake gets an error beside its field, and nothing is sent.
    applicant.open("/applications/new", "application-new")
    applicant.page.get_by_role("button", name="Save the draft").click()
    applicant.page.wait_for_load_state()
    expect(applicant.page.locator(".error-summary")).to_be_visible()
    applicant.look("application-errors")

    applicant.act(grant_id, "submit", shot="grant-applicant-draft")
    officer.act(
        grant_id,
        "request_info",
        {"items": "A letter of support from the Elders' council.\nThe land camp's budget."},
        shot="grant-officer-submitted",
    )
    applicant.open(f"/grants/{grant_id}", "grant-applicant-needs-info")
    expect(applicant.page.locator(".state")).to_contain_text("Information needed from you")
    applicant.act(grant_id, "amend_application", {"project_title": AMENDED_TITLE})
    expect(applicant.page.locator("h1")).to_have_text(AMENDED_TITLE)
    applicant.act(grant_id, "submit")

    officer.act(grant_id, "screen_in")
    scores = {f"scores.{criterion}": "4" for criterion in REVIEW_CRITERIA}
    for who in ("elder", "survivor advisor", "reviewer"):
        reviewer = person_in(who)
        reviewer.open("/", "home-reviewer")
        expect(reviewer.page.get_by_role("link", name=re.compile("WEB-"))).to_have_count(1)
        reviewer.act(grant_id, "declare_conflict", selects={"kind": "none"}, shot="grant-reviewer")
        reviewer.act(grant_id, "score", checks=scores, shot="grant-reviewer-scoring")

    officer.open("/", "home-officer")
    officer.act(
        grant_id,
        "recommend",
        {
            "rationale": "Survivor-led design with Elder guidance.",
            "recommended_cents": "150,000.00",
        },
        checks={"consensus_rating": "4"},
        shot="grant-officer-review",
    )
    approver = person_in("approver")
    approver.open("/", "home-approver")
    approver.act(
        grant_id,
        "approve",
        {"approved_cents": "150,000.00"},
        selects={"risk_rating": "low"},
        shot="grant-approver",
    )
    applicant.act(grant_id, "sign", shot="grant-applicant-offer")
    approver.act(grant_id, "countersign")

    officer.act(
        grant_id,
        "record_insurance",
        {
            "certificate_ref": "CGL-2027-0042",
            "insurer": "Loon Mutual (fictional)",
            "coverage_cents": "2,000,000.00",
        },
        shot="grant-officer-active",
    )
    officer.act(grant_id, "initiate_payment", target=1)
    finance = person_in("finance")
    finance.open("/", "home-finance")
    expect(finance.page.locator("#payments-title")).to_be_visible()
    finance.act(grant_id, "release_payment", target=1, shot="grant-finance")

    applicant.open(f"/grants/{grant_id}", "grant-applicant-active")
    expect(applicant.page.get_by_role("heading", name="Payments")).to_be_visible()
    report = {
        "expenditure_cents": "20,000.00",
        "people_served_new": "12",
        "people_served_continuing": "30",
        "service_contacts": "140",
        "referrals": "9",
        "culturally_based_services": "25",
    }
    applicant.act(grant_id, "submit_report", report, target=1)
    # The report covers a period that has not ended: the officer's page says why it cannot be
    # accepted yet, instead of a button (the sweep and calendar tests accept reports later).
    officer.open(f"/grants/{grant_id}", "grant-officer-report-early")
    waiting = officer.page.locator("#action-accept_report-1")
    expect(waiting.locator(".blocked")).to_contain_text(
        "it can be accepted once that period is over"
    )
    expect(waiting.locator('button[type="submit"]')).to_have_count(0)

    # The applicant downloads what is addressed to them.
    applicant.open(f"/grants/{grant_id}", "grant-applicant-documents")
    links = applicant.page.locator('a[href^="/documents/"]')
    assert links.count() >= 4
    with applicant.page.expect_download() as downloaded:
        links.first.click()
    assert downloaded.value.suggested_filename.endswith((".pdf", ".docx"))

    # The auditor: the timeline with each step's flow run, the trail verified, the dossier.
    auditor = person_in("auditor")
    page = auditor.open(f"/grants/{grant_id}", "grant-auditor")
    runs = page.locator(".timeline .flow-run")
    assert runs.count() >= 15
    expect(runs.first).to_contain_text("Completed")
    assert page.locator('.timeline a[href*="/runs/flow-run/"]').count() >= 15
    assert page.locator("form[method=post]").count() == 1  # sign-out: nothing changes here
    with page.expect_download() as dossier:
        page.get_by_role("link", name=re.compile("audit dossier")).click()
    with zipfile.ZipFile(dossier.value.path()) as archive:
        assert any(name.endswith(".pdf") for name in archive.namelist())
    page = auditor.open("/", "home-auditor")
    with page.expect_navigation():
        page.get_by_role("link", name="Verify the whole audit trail").click()
    auditor.look("audit-verify")
    expect(page.locator(".notice")).to_contain_text("intact")

    # Who read what: the auditor sees the dossier and the applicant's download; the applicant
    # sees the reads of its own data, the review panel's unnamed.
    with page.expect_navigation():
        page.get_by_role("link", name="Who read what").click()
    auditor.look("access-auditor")
    reads = page.locator("table tbody tr")
    expect(reads.filter(has_text="Audit dossier exported")).not_to_have_count(0)
    expect(reads.filter(has_text="Document downloaded")).not_to_have_count(0)
    page = applicant.open("/access", "access-applicant")
    expect(
        page.locator("table tbody tr").filter(has_text="Audit dossier exported")
    ).not_to_have_count(0)

    with installation.api() as api:
        grant = api.get(f"/api/v1/grants/{grant_id}").json()
    assert grant["state"] == "active" and grant["project_title"] == AMENDED_TITLE
