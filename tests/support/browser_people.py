"""The browser tier's installation: a fund, two organisations and their people, set up through
the product's own ways in (``grantflow users create``, ``users set-password``, the admin's
API), and the steps a person takes in chromium (sign in, fill an action's form, send it).

All names are fictional. Each applicant's sign-in address is its organisation's signing
contact's, so the signed-in person is the one who may sign the agreement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from playwright.sync_api import Browser, BrowserContext, Page, expect

from models.clock import fiscal_year_of
from tests.support.browser_support import (
    BrowserLog,
    BrowserServer,
    NewUser,
    ServerTimings,
    assert_accessible,
    screenshot,
)

PASSWORD = "a fictional passphrase for the browser tier"
FUND_CODE = "WEB"


def organisation(n: int, name: str, language: str) -> dict[str, Any]:
    domain = f"org{n}.example"
    return {
        "legal_name": name,
        "operating_name": name.split()[0],
        "business_number": f"{700000000 + n}RR0001",
        "address": f"{n} Birch Trail, Loon Narrows, ON P0B 2C0",
        "preferred_language": language,
        "indigenous_led_attested": True,
        "community_resolution_ref": f"BCR-{700000000 + n}-2026",
        "data_governance_consent": True,
        "contacts": [
            {
                "name": f"Signatory {name.split()[0]}",
                "title": "Executive Director",
                "email": f"lead@{domain}",
                "signing_authority": True,
                "senior": True,
            },
            {
                "name": f"Coordinator {name.split()[0]}",
                "title": "Coordinator",
                "email": f"staff@{domain}",
            },
        ],
    }


ORGANISATIONS = (
    organisation(1, "Willow Bend Healing Circle", "en"),
    organisation(2, "Cercle Aurore du Lac", "fr"),
)


@dataclass
class Installation:
    server: BrowserServer
    organisation_ids: list[int]
    emails: dict[str, str] = field(default_factory=dict)  # who -> sign-in address
    tokens: dict[str, str] = field(default_factory=dict)  # who -> API token
    admin_token: str = ""

    def api(self, who: str | None = None) -> httpx.Client:
        """An API client of ``who`` (the admin by default)."""
        token = self.tokens[who] if who else self.admin_token
        return httpx.Client(
            base_url=self.server.base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=180,
        )


PEOPLE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # who, name, extra options of `users create`
    ("officer", "Avery Larchwood", ()),
    ("second officer", "Jules Fernhill", ()),
    ("elder", "Elder Rosalie Windsong", ("--elder",)),
    ("survivor advisor", "Morgan Stillwater", ("--survivor-advisor",)),
    ("reviewer", "Kit Ashgrove", ()),
    ("approver", "Dana Silverbirch", ()),
    ("finance", "Riley Cloudberry", ()),
    ("auditor", "Sam Brightwater", ()),
)
ROLE_OF = {
    "officer": "officer",
    "second officer": "officer",
    "elder": "reviewer",
    "survivor advisor": "reviewer",
    "reviewer": "reviewer",
    "approver": "approver",
    "finance": "finance",
    "auditor": "auditor",
}


def set_up(server: BrowserServer) -> Installation:
    admin = server.create_user(role="admin", name="Ari Setup", email="admin@fund.example")
    installation = Installation(server, [], admin_token=admin)
    first_year = fiscal_year_of(date.today())
    with installation.api() as api:
        fund = {
            "code": FUND_CODE,
            "name_en": "Healing Paths Fund (fictional)",
            "name_fr": "Fonds Sentiers de guérison (fictif)",
            "call_deadline": (datetime.now(UTC) + timedelta(days=60)).isoformat(),
            # The approver below signs for the Fund and countersigns.
            "signer_name": "Dana Silverbirch",
            "signer_title": "Director, Healing Paths",
            "signer_title_fr": "Directrice, Sentiers de guérison",
            "signer_email": "approver@fund.example",
            "notice_address": "8 Example Crescent\nThunder Bay ON P0P 0P0",
            "notice_email": "notices@fund.example",
            "allocations": {str(first_year + k): 300_000_000 for k in range(4)},
        }
        assert api.post("/api/v1/funds", json=fund).status_code == 201
        for data in ORGANISATIONS:
            answer = api.post("/api/v1/organisations", json=data)
            assert answer.status_code == 201, answer.text
            installation.organisation_ids.append(answer.json()["id"])
    people: dict[str, NewUser] = {}
    for index, data in enumerate(ORGANISATIONS):
        email = data["contacts"][0]["email"]
        people[f"applicant {index + 1}"] = NewUser(
            "applicant",
            data["contacts"][0]["name"],
            email,
            PASSWORD,
            org=installation.organisation_ids[index],
        )
    for who, name, options in PEOPLE:
        email = who.replace(" ", ".") + "@fund.example"
        people[who] = NewUser(ROLE_OF[who], name, email, PASSWORD, options=options)
    tokens = server.create_users(people.values())
    for (who, person), token in zip(people.items(), tokens, strict=True):
        installation.tokens[who] = token
        installation.emails[who] = person.email
    return installation


@dataclass
class Person:
    """Someone in their own browser context, signed in."""

    who: str
    page: Page
    context: BrowserContext
    server: BrowserServer
    timings: ServerTimings
    checked: set[str]  # pages already run through axe, by name

    def open(self, path: str, name: str) -> Page:
        """Load ``path``, record its server time, screenshot it, and check it with axe once
        per page name."""
        response = self.timings.goto(self.page, self.server.url(path), name)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        self.look(name)
        return self.page

    def look(self, name: str) -> None:
        screenshot(self.page, name)
        if name not in self.checked:
            self.checked.add(name)
            assert_accessible(self.page, name)

    def act(
        self,
        grant_id: int,
        action: str,
        fill: dict[str, str] | None = None,
        *,
        target: int | None = None,
        checks: dict[str, str] | None = None,
        selects: dict[str, str] | None = None,
        shot: str | None = None,
    ) -> None:
        """Open the grant's page, fill the action's form, send it, and see it done."""
        self.open(f"/grants/{grant_id}", shot or f"grant-{self.who.replace(' ', '-')}")
        section = self.page.locator(f"#action-{action}" + (f"-{target}" if target else ""))
        expect(section).to_be_visible()
        for name, value in (fill or {}).items():
            section.locator(f'[name="{name}"]').fill(value)
        for name, value in (selects or {}).items():
            section.locator(f'[name="{name}"]').select_option(value)
        for name, value in (checks or {}).items():
            section.locator(f'input[name="{name}"][value="{value}"]').check()
        with self.page.expect_navigation():
            section.locator('button[type="submit"]').click()
        outcome = self.page.locator("#outcome")
        expect(outcome).to_be_visible()
        assert self.page.url.split("?")[0].endswith(f"/grants/{grant_id}"), self.page.url


def sign_in(
    browser: Browser,
    browser_log: BrowserLog,
    server: BrowserServer,
    timings: ServerTimings,
    who: str,
    email: str,
    checked: set[str],
    language: str = "en",
) -> Person:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="fr-CA" if language == "fr" else "en-CA",
        service_workers="block",
        accept_downloads=True,
    )
    browser_log.watch(context)
    page = context.new_page()
    person = Person(who, page, context, server, timings, checked)
    person.open(f"/login?lang={language}", f"login-{language}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click('form[action="/login"] button[type="submit"]')
    assert page.url.rstrip("/").endswith(server.base_url.split("//")[1]) or page.url.endswith(
        "/"
    ), page.url
    return person


def act_over_api(
    installation: Installation, who: str, grant_id: int, action: str, payload: dict | None = None
) -> dict[str, Any]:
    with installation.api(who) as api:
        answer = api.post(f"/api/v1/grants/{grant_id}/actions/{action}", json=payload or {})
    assert answer.status_code == 200, f"{who} {action}: {answer.text}"
    return answer.json()


def active_grant_over_api(installation: Installation, organisation_index: int) -> int:
    """A grant of the organisation taken over the API to an active agreement with its first
    payment initiated: every kind of page section has something to show."""
    from models.payloads import REVIEW_CRITERIA

    first_year = fiscal_year_of(date.today()) + 1
    applicant = f"applicant {organisation_index + 1}"
    application = {
        "fund_code": FUND_CODE,
        "project_title": "Sentier des gardiennes" if organisation_index else "Cedar Canoe Journeys",
        "project_description": "Mentorat sur le territoire avec des Aînées (fictif)."
        if organisation_index
        else "Canoe journeys with Elders and survivor mentors (fictional).",
        "community": "Lac-aux-Huards (fictif)" if organisation_index else "Birch Point (fictional)",
        "start_date": date(first_year, 4, 1).isoformat(),
        "end_date": date(first_year + 1, 3, 31).isoformat(),
        "budget": {str(first_year): 12_000_000},
    }
    with installation.api(applicant) as api:
        answer = api.post("/api/v1/grants", json=application)
    assert answer.status_code == 201, answer.text
    grant_id = answer.json()["id"]
    act_over_api(installation, applicant, grant_id, "submit")
    act_over_api(installation, "officer", grant_id, "screen_in")
    for who in ("elder", "survivor advisor", "reviewer"):
        act_over_api(installation, who, grant_id, "declare_conflict", {"kind": "none"})
        scores = dict.fromkeys(REVIEW_CRITERIA, 4)
        act_over_api(installation, who, grant_id, "score", {"scores": scores})
    act_over_api(
        installation,
        "officer",
        grant_id,
        "recommend",
        {
            "consensus_rating": 4,
            "rationale": "Sound and survivor-led.",
            "recommended_cents": 12_000_000,
        },
    )
    act_over_api(
        installation,
        "approver",
        grant_id,
        "approve",
        {"approved_cents": 12_000_000, "risk_rating": "low"},
    )
    with installation.api(applicant) as api:
        signing = api.get(f"/api/v1/grants/{grant_id}/actions").json()
    sign = next(a for a in signing if a["key"] == "sign")
    fields = sign["payload_schema"].get("properties", {})
    contact = ORGANISATIONS[organisation_index]["contacts"][0]
    payload = {
        k: v
        for k, v in (("signer_name", contact["name"]), ("signer_title", contact["title"]))
        if k in fields
    }
    act_over_api(installation, applicant, grant_id, "sign", payload)
    act_over_api(installation, "approver", grant_id, "countersign")
    act_over_api(
        installation,
        "officer",
        grant_id,
        "record_insurance",
        {
            "certificate_ref": "CGL-77",
            "insurer": "Heron Mutual (fictional)",
            "coverage_cents": 250_000_000,
        },
    )
    act_over_api(installation, "second officer", grant_id, "initiate_payment", {"sequence": 1})
    return grant_id
