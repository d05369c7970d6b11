"""The fictional cast written to a database (``seed``), and its applications
(``application_for``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from models.clock import fiscal_year_of, utcnow
from models.db import Database
from models.fictional.cast import (
    APPROVER,
    AUDITOR,
    FINANCE,
    FUND,
    FUND_CODE,
    ORGANISATIONS,
    PANEL,
    PAYMENTS_OFFICER,
    PROJECTS,
    SCREENING_OFFICER,
    Person,
    applicant,
)
from models.fictional.rows import fund_fields, registration, user_fields
from models.provisioning import create_fund, create_user, register_organisation
from models.tables import Fund, Organisation, User


@dataclass
class Cast:
    """The seeded fund and its people: who plays which role."""

    fund: Fund
    screening_officer: User
    payments_officer: User
    reviewers: list[User]
    approver: User
    finance: User
    auditor: User
    applicants: dict[int, User]
    organisations: list[Organisation]


def seed(db: Database, past_years: int = 0, allocation_cents: int | None = None) -> Cast:
    """The fund, its organisations with their applicants, its staff and panel. The fund has
    an allocation for this fiscal year and the five after it, and for ``past_years`` before
    it (for grants whose projects lie in the past): ``allocation_cents`` a year, by default
    the fictional fund's own."""
    first_year = fiscal_year_of(utcnow().date()) - past_years
    yearly = FUND.annual_allocation_cents if allocation_cents is None else allocation_cents
    fund = create_fund(
        db,
        **fund_fields(),
        call_deadline=utcnow() + timedelta(days=90),
        allocations={first_year + k: yearly for k in range(6 + past_years)},
    )
    organisations = []
    applicants = {}
    for data in ORGANISATIONS:
        organisation = register_organisation(db, registration(data))
        assert organisation.id is not None
        organisations.append(organisation)
        applicants[organisation.id] = _user(db, applicant(data), organisation.id)
    return Cast(
        fund=fund,
        screening_officer=_user(db, SCREENING_OFFICER),
        payments_officer=_user(db, PAYMENTS_OFFICER),
        reviewers=[_user(db, person) for person in PANEL],
        approver=_user(db, APPROVER),
        finance=_user(db, FINANCE),
        auditor=_user(db, AUDITOR),
        applicants=applicants,
        organisations=organisations,
    )


def _user(db: Database, person: Person, organisation_id: int | None = None) -> User:
    return create_user(db, **user_fields(person), organisation_id=organisation_id)


def application_for(index: int, cast: Cast) -> tuple[Organisation, dict]:
    """The index-th fictional application (``fictional_application``) and its organisation."""
    return cast.organisations[index % len(cast.organisations)], fictional_application(index)


def fictional_application(index: int) -> dict:
    """The index-th fictional application: one or two fiscal years, starting next April."""
    data = ORGANISATIONS[index % len(ORGANISATIONS)]
    title, description = PROJECTS[index % len(PROJECTS)]
    start_year = fiscal_year_of(utcnow().date()) + 1
    years = 1 + index % 2
    per_year = 12_500_000 + 2_500_000 * (index % 5)
    return {
        "fund_code": FUND_CODE,
        "project_title": f"{title} {index + 1}",
        "project_description": description,
        "community": data["community"],
        "start_date": date(start_year, 4, 1),
        "end_date": date(start_year + years, 3, 31),
        "budget": {start_year + k: per_year + 1_234 * k for k in range(years)},
    }
