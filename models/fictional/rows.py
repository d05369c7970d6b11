"""The cast's rows as fields: what ``seeding`` hands to provisioning, and what tests build
unsaved rows from (with their own ids, and overrides where a test needs a variation)."""

from __future__ import annotations

from typing import Any

from models.fictional.cast import FUND, FictionalOrganisation, Person, lead_email, staff_email


def fund_fields(**overrides: Any) -> dict[str, Any]:
    """The fund's names and signer; its call deadline and allocations depend on the day."""
    fields = {
        "code": FUND.code,
        "name_en": FUND.name_en,
        "name_fr": FUND.name_fr,
        "signer_name": FUND.signer_name,
        "signer_title": FUND.signer_title,
        "signer_title_fr": FUND.signer_title_fr,
        "signer_email": FUND.signer_email,
        "notice_address": FUND.notice_address,
        "notice_email": FUND.notice_email,
    }
    return {**fields, **overrides}


def contact_fields(organisation: FictionalOrganisation) -> list[dict[str, Any]]:
    """The organisation's two contacts: the lead signs and is senior."""
    (lead, lead_title), (second, second_title) = organisation["contacts"]
    return [
        {
            "name": lead,
            "title": lead_title,
            "email": lead_email(organisation),
            "phone": "555-0100",
            "signing_authority": True,
            "senior": True,
        },
        {
            "name": second,
            "title": second_title,
            "email": staff_email(organisation),
            "phone": "555-0101",
        },
    ]


def organisation_fields(organisation: FictionalOrganisation) -> dict[str, Any]:
    """The organisation's registration, its contacts aside."""
    kept = ("legal_name", "operating_name", "business_number", "address", "preferred_language")
    return {
        **{key: organisation[key] for key in kept},  # type: ignore[literal-required]
        "indigenous_led_attested": True,
        "community_resolution_ref": f"BCR-{organisation['business_number'][:9]}-2026",
        "data_governance_consent": True,
    }


# Each organisation's data-governance agreement at registration (models.data_agreement), one
# of each choice at close, so the demo shows every one. The first keeps its review content (the
# grant the tests drive to close and audit is its), the others have it returned and deleted,
# or destroyed.
DATA_AGREEMENTS: dict[str, dict[str, Any]] = {
    "100000001RR0001": {"notes_readers": "governance_body", "at_close": "keep"},
    "100000002RR0001": {
        "purposes": ["grant_administration", "ministry_reporting_aggregate"],
        "notes_readers": "governance_body",
        "at_close": "return_and_delete",
    },
    "100000003RR0001": {
        "purposes": [
            "grant_administration",
            "program_evaluation_aggregate",
            "ministry_reporting_aggregate",
        ],
        "notes_readers": "governance_and_auditors",
        "secondary_use": "aggregate_only",
        "retention_years": 10,
        "at_close": "return_and_delete",
    },
    "100000004RR0001": {"notes_readers": "none", "at_close": "destroy"},
}


def registration(organisation: FictionalOrganisation) -> dict[str, Any]:
    """What ``models.provisioning.register_organisation`` takes for this organisation."""
    agreement = DATA_AGREEMENTS.get(organisation["business_number"])
    return {
        **organisation_fields(organisation),
        "contacts": contact_fields(organisation),
        **({"data_agreement": agreement} if agreement else {}),
    }


def user_fields(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "roles": list(person.roles),
        "is_elder": person.is_elder,
        "is_survivor_advisor": person.is_survivor_advisor,
        "email": person.email,
    }
