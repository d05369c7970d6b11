"""Fictional data for the demo and the tests: no real people, organisations or communities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from models.clock import fiscal_year_of, utcnow
from models.db import Database
from models.provisioning import create_fund, create_user, register_organisation
from models.tables import Fund, Organisation, User

FUND_CODE = "ILIF"

ORGANISATIONS: tuple[dict, ...] = (
    {
        "legal_name": "Northern Lights Healing Lodge Inc.",
        "operating_name": "Northern Lights Lodge",
        "business_number": "100000001RR0001",
        "address": "12 Birch Road, Aspen Narrows, ON P0X 1A0",
        "preferred_language": "en",
        "community": "Aspen Narrows (fictional)",
        "contacts": (("Wren Maplestone", "Executive Director"), ("Tobias Reed", "Program Lead")),
    },
    {
        "legal_name": "ᓂᑲᓇᐢ ᐅᒋᒪᐤ Youth Circle",
        "operating_name": "ᓂᑲᓇᐢ Youth Circle",
        "business_number": "100000002RR0001",
        "address": "3 Lakeshore Drive, Loon Bay, ON P0Y 2B0",
        "preferred_language": "en",
        "community": "ᓗᐣ ᐸᐃ Loon Bay (fictional)",
        "contacts": (("Aniu Kestrel", "Board Chair"), ("Mika Stonefield", "Coordinator")),
    },
    {
        "legal_name": "Cercle de guérison Aurore boréale",
        "operating_name": "Aurore boréale",
        "business_number": "100000003RR0001",
        "address": "45, rue des Épinettes, Pointe-des-Épinettes (ON) P0Z 3C0",
        "preferred_language": "fr",
        "community": "Pointe-des-Épinettes (fictive)",
        "contacts": (
            ("Élise Sauvageau", "Directrice générale"),
            ("Noé Lavallée", "Agent de programme"),
        ),
    },
    {
        "legal_name": "Cedar Path Family Services",
        "operating_name": "Cedar Path",
        "business_number": "100000004RR0001",
        "address": "88 River Street, Kaskwa Point, ON P0W 4D0",
        "preferred_language": "en",
        "community": "Kaskwa Point (fictional)",
        "contacts": (("Rowan Bluesky", "Executive Director"), ("Dale Fernwood", "Finance Lead")),
    },
)

PROJECTS: tuple[tuple[str, str], ...] = (
    (
        "Safe Paths Home",
        "Land-based healing and peer mentorship for young women and two-spirit "
        "youth at risk of exploitation, guided by Elders and survivor mentors.",
    ),
    (
        "Strong Roots Outreach",
        "Trauma-informed outreach to remote and fly-in communities, "
        "with culturally grounded prevention workshops and safe transportation support.",
    ),
    (
        "Sentiers de guérison",
        "Accompagnement culturel et tenant compte des traumatismes pour "
        "les personnes survivantes, avec des aînées et des mentores ayant une expérience vécue.",
    ),
    (
        "Circle of Care Capacity",
        "Capacity building for front-line staff and a survivor "
        "advisory circle that shapes services in the community of the survivor's choice.",
    ),
)


@dataclass
class Cast:
    """The fund's people for the demo: who plays which role."""

    fund: Fund
    screening_officer: User
    payments_officer: User
    reviewers: list[User]
    approver: User
    finance: User
    auditor: User
    applicants: dict[int, User]
    organisations: list[Organisation]


def seed(db: Database) -> Cast:
    today = utcnow().date()
    first_year = fiscal_year_of(today)
    fund = create_fund(
        db,
        code=FUND_CODE,
        name_en="Indigenous-Led Initiatives Fund (demonstration)",
        name_fr="Fonds des initiatives dirigées par des Autochtones (démonstration)",
        call_deadline=utcnow() + timedelta(days=90),
        signer_name="Morgan Tallgrass",
        signer_title="Director, Indigenous-Led Initiatives",
        signer_title_fr="Directrice, Initiatives dirigées par des Autochtones",
        allocations={first_year + k: 400_000_000 for k in range(6)},
    )
    organisations = []
    applicants = {}
    for data in ORGANISATIONS:
        (lead, lead_title), (second, second_title) = data["contacts"]
        slug = data["business_number"][:9]
        organisation = register_organisation(
            db,
            {
                **{k: v for k, v in data.items() if k not in ("contacts", "community")},
                "indigenous_led_attested": True,
                "community_resolution_ref": f"BCR-{slug}-2026",
                "data_governance_consent": True,
                "contacts": [
                    {
                        "name": lead,
                        "title": lead_title,
                        "email": f"lead-{slug}@example.org",
                        "phone": "555-0100",
                        "signing_authority": True,
                        "senior": True,
                    },
                    {
                        "name": second,
                        "title": second_title,
                        "email": f"staff-{slug}@example.org",
                        "phone": "555-0101",
                    },
                ],
            },
        )
        organisations.append(organisation)
        applicants[organisation.id] = create_user(
            db, name=lead, roles=["applicant"], organisation_id=organisation.id
        )
    return Cast(
        fund=fund,
        screening_officer=create_user(db, name="Avery Northwood", roles=["officer"]),
        payments_officer=create_user(db, name="Jesse Clearwater", roles=["officer"]),
        reviewers=[
            create_user(db, name="Elder Marguerite Swiftwind", roles=["reviewer"], is_elder=True),
            create_user(db, name="Robin Greyfeather", roles=["reviewer"], is_survivor_advisor=True),
            create_user(db, name="Kai Birchbark", roles=["reviewer"]),
        ],
        approver=create_user(db, name="Sasha Redcedar", roles=["approver"]),
        finance=create_user(db, name="Quinn Ironwood", roles=["finance"]),
        auditor=create_user(db, name="Taylor Brookside", roles=["auditor"]),
        applicants=applicants,
        organisations=organisations,
    )


def application_for(index: int, cast: Cast) -> tuple[Organisation, dict]:
    """The index-th fictional application: one or two fiscal years, starting next April."""
    organisation = cast.organisations[index % len(cast.organisations)]
    data = ORGANISATIONS[index % len(ORGANISATIONS)]
    title, description = PROJECTS[index % len(PROJECTS)]
    start_year = fiscal_year_of(utcnow().date()) + 1
    years = 1 + index % 2
    per_year = 12_500_000 + 2_500_000 * (index % 5)
    return organisation, {
        "fund_code": FUND_CODE,
        "project_title": f"{title} {index + 1}",
        "project_description": description,
        "community": data["community"],
        "start_date": date(start_year, 4, 1),
        "end_date": date(start_year + years, 3, 31),
        "budget": {start_year + k: per_year + 1_234 * k for k in range(years)},
    }
