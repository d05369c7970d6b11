"""Amending an application, and signing as the signed-in contact, through ``apply_action`` on a
real database (SQLite, or PostgreSQL in the PostgreSQL pass)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlmodel import select

from models.clock import fiscal_year_of, utcnow
from models.engine import apply_action, check_action, readiness
from models.errors import GuardFailed, InvalidPayload, NotFound, NotPermitted, WrongState
from models.fictional import cast as fictional_cast
from models.fictional.script import actor
from models.provisioning import create_user
from models.tables import BudgetLine, Contact, OwedDocument
from tests.support.models_support import (
    World,
    advance,
    audit_events,
    grant,
    new_grant,
    snapshot,
    take,
)


def budget_lines(world: World, grant_id: int) -> dict[int, int]:
    with world.db.reading() as session:
        lines = session.exec(select(BudgetLine).where(BudgetLine.grant_id == grant_id))
        return {line.fiscal_year: line.requested_cents for line in lines}


def owed_documents(world: World, grant_id: int) -> int:
    with world.db.reading() as session:
        return len(
            list(session.exec(select(OwedDocument).where(OwedDocument.grant_id == grant_id)))
        )


def needs_info(world: World, index: int = 0) -> int:
    """A grant an officer has asked for more information about (state needs_info)."""
    grant_id = new_grant(world, index)
    advance(world, grant_id, "amend_application", variant="info_requested")
    assert grant(world.db, grant_id).state == "needs_info"
    return grant_id


def first_year() -> int:
    return fiscal_year_of(utcnow().date()) + 1


# Amending ------------------------------------------------------------------------------------


def test_an_amendment_after_an_information_request_rewrites_the_grant_and_its_budget(world):
    grant_id = needs_info(world)
    before = grant(world.db, grant_id)
    year = first_year()
    assert budget_lines(world, grant_id) == {year: before.requested_cents}
    amendment = {
        "project_title": "Safe Paths Home: Second Fire",
        "community": "Aspen Narrows and Birch Portage (fictional)",
        "end_date": date(year + 2, 3, 31).isoformat(),
        "budget": {str(year): 10_000_000, str(year + 1): 9_000_000},
    }
    owed = owed_documents(world, grant_id)

    result = apply_action(
        world.db, grant_id, "amend_application", world.applicant_of(grant_id), amendment
    )

    after = grant(world.db, grant_id)
    assert (result.from_state, result.to_state, after.state) == ("needs_info",) * 3
    assert result.documents == () and owed_documents(world, grant_id) == owed
    assert after.project_title == "Safe Paths Home: Second Fire"
    assert after.community == "Aspen Narrows and Birch Portage (fictional)"
    assert (after.start_date, after.end_date) == (before.start_date, date(year + 2, 3, 31))
    assert after.project_description == before.project_description
    assert budget_lines(world, grant_id) == {year: 10_000_000, year + 1: 9_000_000}
    assert after.requested_cents == 19_000_000

    event = audit_events(world.db, grant_id)[-1]
    assert (event.action, event.outcome, event.from_state, event.to_state) == (
        "amend_application",
        "applied",
        "needs_info",
        "needs_info",
    )
    assert event.payload_summary == {
        "fields": ["project_title", "community", "end_date", "budget"],
        "details": {
            "changed": ["project_title", "community", "end_date", "budget"],
            "requested_cents_before": before.requested_cents,
            "requested_cents_after": 19_000_000,
        },
        "grant_state": "needs_info",
    }
    recorded = json.dumps(event.payload_summary)
    assert "Second Fire" not in recorded and "Birch Portage" not in recorded


def test_the_amended_application_is_resubmitted_and_screened_in(world):
    grant_id = new_grant(world)
    screen_in = advance(world, grant_id, "screen_in", variant="info_requested")
    assert grant(world.db, grant_id).project_title.endswith("(revised)")

    take(world, screen_in, grant_id)

    assert grant(world.db, grant_id).state == "in_review"
    trail = [(e.action, e.from_state, e.to_state) for e in audit_events(world.db, grant_id)]
    assert trail[1:] == [
        ("submit", "draft", "submitted"),
        ("request_info", "submitted", "needs_info"),
        ("amend_application", "needs_info", "needs_info"),
        ("submit", "needs_info", "submitted"),
        ("screen_in", "submitted", "in_review"),
    ]


def test_a_draft_is_amended_by_the_same_action_and_stays_a_draft(world):
    grant_id = new_grant(world, 1)
    before = grant(world.db, grant_id)
    applicant = world.applicant_of(grant_id)

    result = apply_action(
        world.db,
        grant_id,
        "amend_application",
        applicant,
        {"project_description": "A new plan, still fictional."},
    )

    assert (result.from_state, result.to_state) == ("draft", "draft")
    after = grant(world.db, grant_id)
    assert after.project_description == "A new plan, still fictional."
    assert after.requested_cents == before.requested_cents
    assert audit_events(world.db, grant_id)[-1].payload_summary["details"] == {
        "changed": ["project_description"]
    }


def test_an_amendment_that_repeats_what_is_on_file_changes_nothing_and_says_so(world):
    grant_id = needs_info(world)
    current = grant(world.db, grant_id)
    same = {"project_title": current.project_title, "budget": budget_lines(world, grant_id)}

    apply_action(world.db, grant_id, "amend_application", world.applicant_of(grant_id), same)

    assert audit_events(world.db, grant_id)[-1].payload_summary["details"] == {"changed": []}
    assert grant(world.db, grant_id).requested_cents == current.requested_cents


def refused_without_trace(world: World, error: type[Exception], attempt) -> Any:  # type: ignore[no-untyped-def]
    before = snapshot(world.db)
    with pytest.raises(error) as refused:
        attempt()
    assert snapshot(world.db) == before
    return refused.value


@pytest.mark.parametrize(
    ("amendment", "field", "says"),
    [
        ({"project_title": "Safe\x00Paths"}, "project_title", "control character"),
        ({"community": "Aspen \u202eNarrows"}, "community", ""),
        ({"start_date": "2031-04-01", "end_date": "2031-04-01"}, "end_date", "after start_date"),
        ({}, "body", "give at least one of project_title"),
        ({"budget": {"2027": -5}}, "budget", "must not be negative"),
        ({"requested_cents": 1}, "requested_cents", "Extra inputs"),
    ],
)
def test_a_malformed_amendment_changes_nothing_and_names_its_field(world, amendment, field, says):
    grant_id = needs_info(world)
    applicant = world.applicant_of(grant_id)

    error = refused_without_trace(
        world,
        InvalidPayload,
        lambda: apply_action(world.db, grant_id, "amend_application", applicant, amendment),
    )

    assert [e["field"] for e in error.errors] == [field]
    assert says in error.errors[0]["message"]


def test_an_amendment_that_would_break_the_application_changes_nothing_and_says_why(world):
    grant_id = needs_info(world)
    on_file = grant(world.db, grant_id)
    applicant = world.applicant_of(grant_id)
    year = first_year()
    cases = [
        (
            {"end_date": on_file.start_date.isoformat()},
            "the amended application is not valid: end_date must be after start_date "
            f"(start_date {on_file.start_date}, end_date {on_file.start_date})",
        ),
        (
            {
                "start_date": date(year + 1, 4, 1).isoformat(),
                "end_date": date(year + 2, 3, 31).isoformat(),
            },
            f"the amended application is not valid: budget years [{year}] fall outside the "
            f"project's fiscal years (start_date {year + 1}-04-01, end_date {year + 2}-03-31); "
            "amend the budget together with the dates",
        ),
        (
            {"budget": {str(year + 3): 5_000_000}},
            f"budget years [{year + 3}] fall outside the project's fiscal years",
        ),
    ]
    for amendment, message in cases:
        error = refused_without_trace(
            world,
            GuardFailed,
            lambda amendment=amendment: apply_action(
                world.db, grant_id, "amend_application", applicant, amendment
            ),
        )
        assert error.rule == "amendment_keeps_application_valid"
        assert message in str(error)
        with pytest.raises(GuardFailed):  # the service's read-only pre-check says the same
            check_action(world.db, grant_id, "amend_application", applicant, amendment)


def test_only_the_organisation_s_own_applicant_may_amend(world):
    grant_id = needs_info(world)
    title = {"project_title": "Not theirs to change"}
    outsider = world.applicant_of_another_organisation(grant_id)
    refused_without_trace(
        world,
        NotFound,
        lambda: apply_action(world.db, grant_id, "amend_application", outsider, title),
    )
    officer = actor(world.cast.screening_officer)
    error = refused_without_trace(
        world,
        NotPermitted,
        lambda: apply_action(world.db, grant_id, "amend_application", officer, title),
    )
    assert "'amend_application' may be taken by applicant" in str(error)


@pytest.mark.parametrize(
    ("until", "state"), [("screen_in", "submitted"), ("declare_conflict", "in_review")]
)
def test_a_submitted_application_is_not_amended(world, until, state):
    grant_id = new_grant(world)
    advance(world, grant_id, until)
    assert grant(world.db, grant_id).state == state
    applicant = world.applicant_of(grant_id)

    error = refused_without_trace(
        world,
        WrongState,
        lambda: apply_action(
            world.db, grant_id, "amend_application", applicant, {"project_title": "Too late now"}
        ),
    )
    assert str(error) == (
        f"'amend_application' is not available while grant is {state}; "
        "it applies to: draft, needs_info"
    )


# Signing -----------------------------------------------------------------------------------


def signing_contact(world: World, organisation_id: int) -> Contact:
    with world.db.reading() as session:
        return session.exec(
            select(Contact).where(
                Contact.organisation_id == organisation_id, Contact.signing_authority
            )
        ).one()


def test_the_signing_contact_s_user_signs_as_that_contact(world):
    grant_id = new_grant(world)
    sign = advance(world, grant_id, "sign")
    organisation_id = grant(world.db, grant_id).organisation_id
    contact = signing_contact(world, organisation_id)
    user = world.cast.applicants[organisation_id]
    assert user.email == contact.email

    result = take(world, sign, grant_id)

    assert sign[2] == {} and result.to_state == "signed"
    signed = grant(world.db, grant_id)
    assert signed.signer_name == contact.name and signed.signed_at is not None
    event = audit_events(world.db, grant_id)[-1]
    assert event.actor_id == user.id
    assert event.payload_summary["details"] == {
        "signer_name": contact.name,
        "signer_title": contact.title,
    }


def test_a_colleague_who_is_not_a_signing_contact_cannot_sign_and_is_not_offered_it(world):
    grant_id = new_grant(world, 3)
    advance(world, grant_id, "sign")
    organisation_id = grant(world.db, grant_id).organisation_id
    data = fictional_cast.ORGANISATIONS[3]  # application_for(3): the fourth organisation
    colleague = actor(
        create_user(
            world.db,
            name=data["contacts"][1][0],
            roles=["applicant"],
            organisation_id=organisation_id,
            email=fictional_cast.staff_email(data).upper(),
        )
    )

    error = refused_without_trace(
        world, GuardFailed, lambda: apply_action(world.db, grant_id, "sign", colleague, {})
    )

    address = fictional_cast.staff_email(data)
    assert str(error) == (
        f"only a contact with signing authority for {data['legal_name']} can sign, and the "
        "address you signed in with is not one of theirs [signer_has_signing_authority]"
    )
    assert fictional_cast.lead_email(data) not in str(error)
    assert address not in str(error)  # the refusal is kept in the audit trail
    assert readiness(world.db, grant_id, "sign", colleague).offered is False
    owner = world.applicant_of(grant_id)
    assert readiness(world.db, grant_id, "sign", owner).ready is True


def test_an_applicant_user_without_an_email_cannot_sign(world):
    grant_id = new_grant(world, 2)
    advance(world, grant_id, "sign")
    organisation_id = grant(world.db, grant_id).organisation_id
    nameless = actor(
        create_user(
            world.db,
            name="Applicant Without Address",
            roles=["applicant"],
            organisation_id=organisation_id,
        )
    )

    error = refused_without_trace(
        world, GuardFailed, lambda: apply_action(world.db, grant_id, "sign", nameless, {})
    )

    assert error.rule == "signer_has_signing_authority"
    assert "your account has no email address" in str(error)
    assert readiness(world.db, grant_id, "sign", nameless).offered is False


def test_a_typed_signer_name_is_refused_now_that_the_signer_is_the_user(world):
    grant_id = new_grant(world)
    advance(world, grant_id, "sign")
    applicant = world.applicant_of(grant_id)
    error = refused_without_trace(
        world,
        InvalidPayload,
        lambda: apply_action(
            world.db, grant_id, "sign", applicant, {"signer_name": "Wren Maplestone"}
        ),
    )
    assert [e["field"] for e in error.errors] == ["signer_name"]
