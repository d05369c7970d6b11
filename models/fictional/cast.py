"""Who and what the fictional world holds: the fund, its organisations and their contacts, the
fund's staff and panel, the projects applied for. Data only; ``rows`` and ``seeding`` build on it.

Every name here is invented: no real people, organisations or communities. This is the one
place outside the declarations where role names are written (``test_no_role_literals``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

FUND_CODE = "ILIF"


@dataclass(frozen=True)
class FundSettings:
    code: str
    name_en: str
    name_fr: str
    signer_name: str
    signer_title: str
    signer_title_fr: str
    signer_email: str
    notice_address: str
    notice_email: str
    annual_allocation_cents: int


FUND = FundSettings(
    code=FUND_CODE,
    name_en="Indigenous-Led Initiatives Fund (demonstration)",
    name_fr="Fonds des initiatives dirigées par des Autochtones (démonstration)",
    # The Fund's signing authority is its approver (APPROVER below): the person who signs its
    # letters is the one who countersigns its agreements.
    signer_name="Sasha Redcedar",
    signer_title="Director, Indigenous-Led Initiatives",
    signer_title_fr="Directrice, Initiatives dirigées par des Autochtones",
    signer_email="sasha.redcedar@ilif-fund.example",
    notice_address="Indigenous-Led Initiatives Fund (demonstration)\n"
    "400 Demonstration Way, Suite 12\nToronto ON M0M 0M0",
    notice_email="notices@ilif-fund.example",
    annual_allocation_cents=400_000_000,
)


class FictionalOrganisation(TypedDict):
    legal_name: str
    operating_name: str
    business_number: str
    address: str
    preferred_language: str
    community: str
    email_domain: str
    contacts: tuple[tuple[str, str], ...]  # (name, title); the first signs and is senior


ORGANISATIONS: tuple[FictionalOrganisation, ...] = (
    {
        "legal_name": "Northern Lights Healing Lodge Inc.",
        "operating_name": "Northern Lights Lodge",
        "business_number": "100000001RR0001",
        "address": "12 Birch Road, Aspen Narrows, ON P0X 1A0",
        "preferred_language": "en",
        "community": "Aspen Narrows (fictional)",
        "email_domain": "northernlights.example",
        "contacts": (("Wren Maplestone", "Executive Director"), ("Tobias Reed", "Program Lead")),
    },
    {
        "legal_name": "ᓂᑲᓇᐢ ᐅᒋᒪᐤ Youth Circle",
        "operating_name": "ᓂᑲᓇᐢ Youth Circle",
        "business_number": "100000002RR0001",
        "address": "3 Lakeshore Drive, Loon Bay, ON P0Y 2B0",
        "preferred_language": "en",
        "community": "ᓗᐣ ᐸᐃ Loon Bay (fictional)",
        "email_domain": "youthcircle.example",
        "contacts": (("Aniu Kestrel", "Board Chair"), ("Mika Stonefield", "Coordinator")),
    },
    {
        "legal_name": "Cercle de guérison Aurore boréale",
        "operating_name": "Aurore boréale",
        "business_number": "100000003RR0001",
        "address": "45, rue des Épinettes, Pointe-des-Épinettes (ON) P0Z 3C0",
        "preferred_language": "fr",
        "community": "Pointe-des-Épinettes (fictive)",
        "email_domain": "auroreboreale.example",
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
        "email_domain": "cedarpath.example",
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

INSURER = "Example Mutual Insurance (fictional)"


# The fund's staff and panel sign in and are written to under the fund's own (fictional) domain.
FUND_DOMAIN = "ilif-fund.example"


def staff_address(local_part: str) -> str:
    return f"{local_part}@{FUND_DOMAIN}"


@dataclass(frozen=True)
class Person:
    """Someone who signs in: their name, roles and what the panel's make-up counts."""

    name: str
    roles: tuple[str, ...]
    is_elder: bool = False
    is_survivor_advisor: bool = False
    email: str | None = None


SCREENING_OFFICER = Person("Avery Northwood", ("officer",), email=staff_address("avery.northwood"))
PAYMENTS_OFFICER = Person("Jesse Clearwater", ("officer",), email=staff_address("jesse.clearwater"))
ELDER = Person(
    "Elder Marguerite Swiftwind",
    ("reviewer",),
    is_elder=True,
    email=staff_address("marguerite.swiftwind"),
)
SURVIVOR_ADVISOR = Person(
    "Robin Greyfeather",
    ("reviewer",),
    is_survivor_advisor=True,
    email=staff_address("robin.greyfeather"),
)
REVIEWER = Person("Kai Birchbark", ("reviewer",), email=staff_address("kai.birchbark"))
PANEL = (ELDER, SURVIVOR_ADVISOR, REVIEWER)
# The approver is the Fund's signing authority (FUND.signer_*): they countersign agreements.
APPROVER = Person(FUND.signer_name, ("approver",), email=FUND.signer_email)
FINANCE = Person("Quinn Ironwood", ("finance",), email=staff_address("quinn.ironwood"))
AUDITOR = Person("Taylor Brookside", ("auditor",), email=staff_address("taylor.brookside"))


def lead_email(organisation: FictionalOrganisation) -> str:
    """The address of the organisation's lead contact (who has signing authority)."""
    return f"lead@{organisation['email_domain']}"


def staff_email(organisation: FictionalOrganisation) -> str:
    """The address of the organisation's second contact (no signing authority)."""
    return f"staff@{organisation['email_domain']}"


def applicant(organisation: FictionalOrganisation) -> Person:
    """The organisation's lead contact, who signs in (with the contact's own address) to apply
    for it and signs its agreement."""
    (lead, _title), *_others = organisation["contacts"]
    return Person(lead, ("applicant",), email=lead_email(organisation))
